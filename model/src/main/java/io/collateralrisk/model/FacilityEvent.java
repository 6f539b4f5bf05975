package io.collateralrisk.model;

/** An event of the {@code facility-events} topic, keyed by {@code facilityId}. */
public sealed interface FacilityEvent
        permits FacilityOpened,
                CollateralUpdated,
                DebtUpdated,
                LiquidationExecuted,
                LiquidationFailed,
                FacilityClosed {

    long eventTime();

    String facilityId();
}
