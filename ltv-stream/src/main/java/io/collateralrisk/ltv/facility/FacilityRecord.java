package io.collateralrisk.ltv.facility;

import java.math.BigDecimal;

/**
 * The facility stage's state of one facility. After {@code FACILITY_CLOSED} only {@link #closedAt}
 * matters: the marker that lets late events for a closed facility be recognised.
 */
public class FacilityRecord {

    public String facilityId;
    public String borrowerId;
    public String custodian;
    public String pair;
    public String policy;
    public BigDecimal collateral;
    public long collateralVersion = -1;
    public BigDecimal outstanding;
    public long debtVersion = -1;
    public Long closedAt;

    public FacilityRecord() {}

    public boolean closed() {
        return closedAt != null;
    }
}
