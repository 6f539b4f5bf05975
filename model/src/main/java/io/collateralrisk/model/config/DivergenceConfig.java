package io.collateralrisk.model.config;

import java.io.Serializable;
import java.math.BigDecimal;

/** When the primary oracle and the exchange TWAP disagree enough to open an incident. */
public record DivergenceConfig(
        BigDecimal threshold, int minConsecutive, long minDurationMs, long reconcileAfterMs)
        implements Serializable {}
