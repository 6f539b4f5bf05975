package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import java.math.BigDecimal;

/** A BTC-USD facility's state as the LTV stage keeps it, amounts at version 1, for the stage's tests. */
final class FacilityStates {

    private FacilityStates() {}

    static FacilityState of(String id, String policy, String custodian, String collateral, String debt, Band band) {
        FacilityState s = new FacilityState();
        s.facilityId = id;
        s.borrowerId = "B-" + id;
        s.custodian = custodian;
        s.pair = "BTC-USD";
        s.policy = policy;
        s.collateral = new BigDecimal(collateral);
        s.collateralVersion = 1;
        s.outstanding = new BigDecimal(debt);
        s.debtVersion = 1;
        s.band = band;
        return s;
    }

    /** Under the standard policy at bitgo. */
    static FacilityState of(String id, String collateral, String debt, Band band) {
        return of(id, "standard", "bitgo", collateral, debt, band);
    }
}
