package io.collateralrisk.ltv.facility;

import io.collateralrisk.model.CollateralUpdated;
import io.collateralrisk.model.DebtUpdated;
import io.collateralrisk.model.FacilityClosed;
import io.collateralrisk.model.FacilityEvent;
import io.collateralrisk.model.FacilityOpened;
import io.collateralrisk.model.LiquidationExecuted;
import io.collateralrisk.model.LiquidationFailed;

/**
 * A parsed {@code facility-events} record on its way through Flink: exactly one event field is
 * set. (Flink serializes records field by field; an interface-typed field would need Kryo.) The
 * raw payload and location travel along so that a refusal downstream still dead-letters the input.
 */
public record FacilityInput(
        FacilityOpened opened,
        CollateralUpdated collateral,
        DebtUpdated debt,
        LiquidationExecuted executed,
        LiquidationFailed failed,
        FacilityClosed closed,
        String location,
        String payload) {

    public static FacilityInput of(FacilityEvent event, String location, String payload) {
        if (event instanceof FacilityOpened e) {
            return new FacilityInput(e, null, null, null, null, null, location, payload);
        } else if (event instanceof CollateralUpdated e) {
            return new FacilityInput(null, e, null, null, null, null, location, payload);
        } else if (event instanceof DebtUpdated e) {
            return new FacilityInput(null, null, e, null, null, null, location, payload);
        } else if (event instanceof LiquidationExecuted e) {
            return new FacilityInput(null, null, null, e, null, null, location, payload);
        } else if (event instanceof LiquidationFailed e) {
            return new FacilityInput(null, null, null, null, e, null, location, payload);
        }
        return new FacilityInput(null, null, null, null, null, (FacilityClosed) event, location, payload);
    }

    public FacilityEvent event() {
        if (opened != null) {
            return opened;
        }
        if (collateral != null) {
            return collateral;
        }
        if (debt != null) {
            return debt;
        }
        if (executed != null) {
            return executed;
        }
        if (failed != null) {
            return failed;
        }
        return closed;
    }

    public String facilityId() {
        return event().facilityId();
    }

    public long eventTime() {
        return event().eventTime();
    }
}
