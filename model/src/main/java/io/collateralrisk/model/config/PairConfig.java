package io.collateralrisk.model.config;

import io.collateralrisk.model.SourceKind;
import java.io.Serializable;
import java.math.BigDecimal;

/**
 * How one pair is priced.
 *
 * @param maxAgeOracleMs a primary oracle counts while its last tick is at most this old
 * @param maxAgeExchangeMs an exchange counts while its last tick is at most this old
 * @param outlierBand a source further than this fraction from the median of fresh sources is excluded
 * @param twapWindowMs the trailing window of the exchange TWAP
 * @param priceScale decimal places a computed price (a mean of two, the TWAP) is rounded to, half-even
 */
public record PairConfig(
        String base,
        String quote,
        int quorum,
        long maxAgeOracleMs,
        long maxAgeExchangeMs,
        BigDecimal outlierBand,
        long twapWindowMs,
        BigDecimal boundsMin,
        BigDecimal boundsMax,
        int priceScale)
        implements Serializable {

    public long maxAgeMs(SourceKind kind) {
        return kind == SourceKind.ORACLE ? maxAgeOracleMs : maxAgeExchangeMs;
    }
}
