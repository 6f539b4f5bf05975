package io.collateralrisk.model.config;

import java.io.Serializable;
import java.math.BigDecimal;

/** A credit policy: LTV thresholds (fractions), cure period and liquidation target. */
public record PolicyConfig(
        BigDecimal initialMargin,
        BigDecimal warning,
        BigDecimal marginCall,
        BigDecimal liquidation,
        long curePeriodMs,
        BigDecimal liquidationTarget,
        BigDecimal hysteresis)
        implements Serializable {}
