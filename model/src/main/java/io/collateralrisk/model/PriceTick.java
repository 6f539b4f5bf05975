package io.collateralrisk.model;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * One accepted price observation from the {@code prices} topic.
 *
 * @param eventTime epoch milliseconds, UTC
 * @param volume optional, null when absent
 * @param round optional oracle round (may exceed 64 bits), null when absent
 * @param ingestedAt wall-clock ms when the source read this tick; transport metadata for the
 *     latency metric, never written to any output or audit row (0: unknown)
 */
public record PriceTick(
        long eventTime,
        String pair,
        String source,
        SourceKind kind,
        BigDecimal price,
        BigDecimal volume,
        BigInteger round,
        long ingestedAt) {

    /** A tick with no read time: as parsed, before the source's stamp is applied. */
    public PriceTick(long eventTime, String pair, String source, SourceKind kind, BigDecimal price, BigDecimal volume, BigInteger round) {
        this(eventTime, pair, source, kind, price, volume, round, 0L);
    }

    /** The same tick, read by its source at {@code readAt}. */
    public PriceTick withIngestedAt(long readAt) {
        return new PriceTick(eventTime, pair, source, kind, price, volume, round, readAt);
    }
}
