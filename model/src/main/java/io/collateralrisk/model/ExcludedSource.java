package io.collateralrisk.model;

import java.math.BigDecimal;

/**
 * A known source that an evaluation left out, and why.
 *
 * @param reason {@code STALE} (last tick older than {@code maxAge}) or {@code OUTLIER} (further
 *     than {@code outlierBand} from the median of the fresh sources)
 */
public record ExcludedSource(String source, SourceKind kind, String reason, BigDecimal price, long eventTime) {

    public static final String STALE = "STALE";
    public static final String OUTLIER = "OUTLIER";
}
