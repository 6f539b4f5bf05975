package io.collateralrisk.model;

import java.math.BigDecimal;

/** {@code LIQUIDATION_EXECUTED}: the custodian sold collateral for a triggered liquidation. */
public record LiquidationExecuted(
        long eventTime, String facilityId, String liquidationId, BigDecimal collateralSold, BigDecimal proceeds)
        implements FacilityEvent {}
