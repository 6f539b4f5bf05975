package io.collateralrisk.model;

/** {@code DIVERGENCE_RESOLVED} on {@code risk-control}: an operator closes an incident by hand. */
public record DivergenceResolved(
        long eventTime, String pair, String incidentId, String resolvedBy, String reason) {}
