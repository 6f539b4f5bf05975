package io.collateralrisk.model;

/** {@code FACILITY_CLOSED}. */
public record FacilityClosed(long eventTime, String facilityId) implements FacilityEvent {}
