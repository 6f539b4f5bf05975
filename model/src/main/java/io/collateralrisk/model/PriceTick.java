package io.collateralrisk.model;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * One accepted price observation from the {@code prices} topic.
 *
 * @param eventTime epoch milliseconds, UTC
 * @param volume optional, null when absent
 * @param round optional oracle round (may exceed 64 bits), null when absent
 */
public record PriceTick(
        long eventTime,
        String pair,
        String source,
        SourceKind kind,
        BigDecimal price,
        BigDecimal volume,
        BigInteger round) {}
