package io.collateralrisk.model;

/** {@code FACILITY_OPENED}: a loan facility with its borrower, custodian, pair and policy. */
public record FacilityOpened(
        long eventTime, String facilityId, String borrowerId, String custodian, String pair, String policy)
        implements FacilityEvent {}
