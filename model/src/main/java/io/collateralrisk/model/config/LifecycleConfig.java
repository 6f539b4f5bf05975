package io.collateralrisk.model.config;

import java.io.Serializable;

/** Timing of the margin-call lifecycle and the liquidation circuit breaker. */
public record LifecycleConfig(
        long confirmTimeoutMs,
        long holdEscalateAfterMs,
        long rapidWindowMs,
        long closedRetentionMs,
        int circuitBreakerMaxLiquidations,
        long circuitBreakerWindowMs)
        implements Serializable {}
