package io.collateralrisk.model;

/** {@code LIQUIDATION_FAILED}: the custodian could not execute a triggered liquidation. */
public record LiquidationFailed(long eventTime, String facilityId, String liquidationId, String reason)
        implements FacilityEvent {}
