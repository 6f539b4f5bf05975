package io.collateralrisk.ltv.liquidation;

import java.math.BigDecimal;

/**
 * A liquidation the circuit-breaker stage owns, from the moment it held the LTV stage's trigger
 * until the LTV stage takes the facility back (a collateral or debt change, a close, or the
 * custodian answering its liquidation id). A mutable POJO that {@link CircuitBreakerRules} updates
 * in place; Flink serializes it field by field.
 *
 * <p>The facility's record is the one the held trigger carried: while the stage owns the
 * liquidation its amounts cannot change (a change ends the ownership).
 */
public class BreakerHold {

    /** Held: {@link #holdReason} says why ({@code CIRCUIT_BREAKER}, or rule 7's reasons after a release). */
    public static final String HELD = "HELD";
    /** Released without a trigger: watched at every evaluation until it comes due again or is taken back. */
    public static final String WATCHED = "WATCHED";
    /** Triggered on a release: awaiting the custodian under the held trigger's liquidation id. */
    public static final String TRIGGERED = "TRIGGERED";

    public String facilityId;
    public String borrowerId;
    public String custodian;
    public String pair;
    public String policy;
    public BigDecimal collateral;
    public long collateralVersion;
    public BigDecimal outstanding;
    public long debtVersion;
    /** The band the LTV stage keeps the facility in while its liquidation is in progress. */
    public String band;
    public Long cureDeadline;

    /** The id the LTV stage holds as pending for the facility: a trigger here uses it, so the custodian's answer matches there. */
    public String liquidationId;
    /** {@code THRESHOLD} or {@code CURE_EXPIRED}: the level a re-test compares with. */
    public String trigger;

    public String status;
    public String holdReason;
    public Long holdSince;
    public boolean holdEscalated;
    /** Whether its trigger still has to pass the breaker: false for a released hold (counted once, when it first came due). */
    public boolean counted;

    public Long triggeredAt;
    public boolean unconfirmedReported;

    public BreakerHold() {}

    public boolean heldBy(String reason) {
        return HELD.equals(status) && reason.equals(holdReason);
    }

    /** The next event-time instant this liquidation needs to be woken at, or {@link Long#MAX_VALUE}. */
    public long nextTimer(long confirmTimeoutMs, long holdEscalateAfterMs) {
        if (HELD.equals(status) && holdSince != null && !holdEscalated) {
            return holdSince + holdEscalateAfterMs;
        }
        if (TRIGGERED.equals(status) && triggeredAt != null && !unconfirmedReported) {
            return triggeredAt + confirmTimeoutMs;
        }
        return Long.MAX_VALUE;
    }
}
