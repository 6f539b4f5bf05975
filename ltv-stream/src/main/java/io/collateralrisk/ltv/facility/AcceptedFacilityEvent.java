package io.collateralrisk.ltv.facility;

/**
 * A facility event the facility stage took, for the audit trail: what it did with it.
 *
 * @param outcome {@link #APPLIED}, or {@link #STALE_VERSION} for an amount whose version was not
 *     newer than the last applied (counted, changes nothing)
 * @param appliedLate the watermark had passed the event's time when it arrived
 */
public record AcceptedFacilityEvent(FacilityInput input, String outcome, boolean appliedLate) {

    public static final String APPLIED = "APPLIED";
    public static final String STALE_VERSION = "STALE_VERSION";
}
