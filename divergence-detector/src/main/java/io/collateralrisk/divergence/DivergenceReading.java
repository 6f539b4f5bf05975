package io.collateralrisk.divergence;

import java.math.BigDecimal;

/**
 * {@code |primary - TWAP| / TWAP} at one evaluation that has both: the low-rate stream the opening
 * pattern watches. A missing reading (no fresh primary, or no TWAP) is simply absent.
 *
 * @param above the divergence is strictly above the configured threshold
 */
public record DivergenceReading(
        String pair, long eventTime, String evaluationId, BigDecimal primary, BigDecimal twap, BigDecimal median,
        BigDecimal divergence, boolean above) {}
