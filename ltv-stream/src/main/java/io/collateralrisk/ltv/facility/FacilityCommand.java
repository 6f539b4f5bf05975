package io.collateralrisk.ltv.facility;

import java.math.BigDecimal;

/**
 * What the facility stage tells the LTV stage about one facility: its whole current record (so
 * the LTV stage never needs an earlier command) and what just happened to it.
 *
 * @param kind {@code UPSERT} (opened or amounts changed), {@code EXECUTED}, {@code FAILED} or {@code CLOSE}
 * @param riskIncreased debt up or collateral down: the initial margin is checked again
 * @param appliedLate the event arrived after event time had passed it; applied all the same
 * @param cause a stable description of the input that caused the command, for event ids
 */
public record FacilityCommand(
        String kind,
        long eventTime,
        String facilityId,
        String borrowerId,
        String custodian,
        String pair,
        String policy,
        BigDecimal collateral,
        long collateralVersion,
        BigDecimal outstanding,
        long debtVersion,
        boolean riskIncreased,
        String liquidationId,
        boolean appliedLate,
        String cause) {

    public static final String UPSERT = "UPSERT";
    public static final String EXECUTED = "EXECUTED";
    public static final String FAILED = "FAILED";
    public static final String CLOSE = "CLOSE";
}
