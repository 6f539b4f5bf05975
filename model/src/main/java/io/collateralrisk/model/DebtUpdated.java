package io.collateralrisk.model;

import java.math.BigDecimal;

/** {@code DEBT_UPDATED}: the absolute outstanding debt (quote asset) at a version. */
public record DebtUpdated(long eventTime, String facilityId, BigDecimal outstanding, long version)
        implements FacilityEvent {}
