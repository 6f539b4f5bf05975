package io.collateralrisk.divergence;

import java.math.BigDecimal;

/**
 * A run of readings above the threshold long enough to open an incident, found by the opening
 * pattern at its last reading ({@code eventTime}).
 */
public record IncidentSignal(
        String pair, long eventTime, long runStartedAt, int readings, BigDecimal peakDivergence, long peakAt,
        DivergenceReading last) {}
