package io.collateralrisk.ltv.lifecycle;

import java.math.BigDecimal;

/**
 * Everything the lifecycle keeps per facility: a mutable POJO (Flink serializes it field by field)
 * that {@link LifecycleRules} updates in place. Null means "not known" or "not running".
 */
public class FacilityState {

    public String facilityId;
    public String borrowerId;
    public String custodian;
    public String pair;
    public String policy;

    public BigDecimal collateral;
    public long collateralVersion = -1;
    public BigDecimal outstanding;
    public long debtVersion = -1;

    /** Null until the first evaluation with both amounts and a price. */
    public Band band;
    public boolean collateralMissing;

    /** The running margin call's deadline. */
    public Long cureDeadline;

    /** A triggered liquidation awaiting the custodian. */
    public String liquidationId;
    /** {@code THRESHOLD} or {@code CURE_EXPIRED}: a failed sale is retried by the rule that caused it. */
    public String liquidationReason;
    public Long liquidationAt;
    public boolean unconfirmedReported;

    /**
     * Set by {@code LIQUIDATION_EXECUTED} until both the new collateral and the new debt arrive:
     * re-testing the pre-sale (or half-booked) amounts would liquidate the same collateral twice.
     */
    public boolean awaitingAmounts;
    /** The amounts' versions when the sale was executed: both must move on before it is booked. */
    public long executedCollateralVersion = -1;
    public long executedDebtVersion = -1;

    /** A liquidation that would have triggered but is held. */
    public String holdTrigger;
    public String holdReason;
    public Long holdSince;
    public boolean holdEscalated;

    public FacilityState() {}

    /**
     * Gives up what a copy made by deserialization holds once per facility though it need not:
     * the few distinct custodians, pairs, policies and reasons become the JVM's canonical string,
     * and an amount whose unscaled value fits a long loses the {@code BigInteger} that Flink's
     * decimal serializer builds (about 64 bytes an amount). Values are unchanged.
     */
    public void compact() {
        custodian = intern(custodian);
        pair = intern(pair);
        policy = intern(policy);
        liquidationReason = intern(liquidationReason);
        holdTrigger = intern(holdTrigger);
        holdReason = intern(holdReason);
        collateral = compact(collateral);
        outstanding = compact(outstanding);
    }

    private static String intern(String s) {
        return s == null ? null : s.intern();
    }

    private static BigDecimal compact(BigDecimal d) {
        if (d == null || d.unscaledValue().bitLength() > 63) {
            return d;
        }
        return BigDecimal.valueOf(d.unscaledValue().longValue(), d.scale());
    }

    public boolean amountsKnown() {
        return collateral != null && outstanding != null;
    }

    public boolean liquidationPending() {
        return liquidationId != null;
    }

    public boolean held() {
        return holdTrigger != null;
    }

    /** The event-time instants at which this facility needs to be woken, derived from its state. */
    public long nextTimer(long confirmTimeoutMs, long holdEscalateAfterMs) {
        long next = Long.MAX_VALUE;
        if (cureDeadline != null) {
            next = Math.min(next, cureDeadline);
        }
        if (liquidationAt != null && !unconfirmedReported) {
            next = Math.min(next, liquidationAt + confirmTimeoutMs);
        }
        if (holdSince != null && !holdEscalated) {
            next = Math.min(next, holdSince + holdEscalateAfterMs);
        }
        return next;
    }
}
