package io.collateralrisk.model;

import java.math.BigDecimal;

/** {@code COLLATERAL_UPDATED}: the absolute locked collateral (base asset units) at a version. */
public record CollateralUpdated(long eventTime, String facilityId, BigDecimal collateral, long version)
        implements FacilityEvent {}
