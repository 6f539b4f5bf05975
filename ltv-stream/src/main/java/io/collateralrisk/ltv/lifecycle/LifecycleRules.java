package io.collateralrisk.ltv.lifecycle;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.config.LifecycleConfig;
import io.collateralrisk.model.config.PolicyConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The margin-call lifecycle of one facility (SPEC.md, "LTV and the margin-call lifecycle"),
 * without Flink: each method takes the facility's state and one input, updates the state in place
 * and returns the decisions in order. Timers are not requested here: the operator derives them
 * from the state ({@link FacilityState#nextTimer}).
 *
 * <pre>
 * input                      | condition                                          | decision(s)
 * ---------------------------+----------------------------------------------------+-------------------------------------
 * evaluation / amounts       | first LTV, or debt up / collateral down, >= IM     | INITIAL_MARGIN_BREACH
 * evaluation / amounts       | collateral 0 with debt                             | COLLATERAL_MISSING (once; no liquidation)
 * evaluation / amounts       | enters WARNING (from either side)                  | LTV_WARNING
 * evaluation / amounts       | enters MARGIN_CALL, no call running                | MARGIN_CALL_ISSUED, deadline = t + cure period
 * evaluation / amounts       | leaves MARGIN_CALL+ downwards with a call running  | MARGIN_CALL_CURED (t &lt;= deadline: a cure at the instant wins)
 * evaluation / amounts       | enters HEALTHY otherwise                           | LTV_HEALTHY
 * evaluation / amounts       | LTV &gt;= liquidation, nothing pending or held        | trigger(THRESHOLD)
 * timer = deadline           | call still running, nothing pending                | trigger(CURE_EXPIRED) at the last evaluation
 * trigger(reason)            | price unavailable / incident open                  | LIQUIDATION_HELD (holdReason), hold starts
 * trigger(reason)            | otherwise                                          | LIQUIDATION_TRIGGERED (+ LIQUIDATION_SHORTFALL), pending
 * evaluation                 | hold's cause gone (price back, incident closed)    | re-test: trigger again, or LIQUIDATION_RELEASED
 * timer = trigger + confirm  | still pending                                      | LIQUIDATION_UNCONFIRMED (once)
 * timer = hold + escalate    | still held                                         | LIQUIDATION_HOLD_ESCALATED (once)
 * LIQUIDATION_EXECUTED       | matching id                                        | pending ends; no trigger until new amounts
 * LIQUIDATION_FAILED         | matching id                                        | pending ends; re-test at the last evaluation
 * collateral / debt change   |                                                    | pending ends; re-evaluate at the last evaluation
 * </pre>
 *
 * Bands move up as soon as a threshold is reached and down only below it minus hysteresis; no band
 * moves while the price is unavailable. Every trigger is a candidate for the pair-wide circuit
 * breaker downstream ({@code io.collateralrisk.ltv.liquidation.CircuitBreakerRules}), which no
 * shard can count alone: a trigger it holds stays pending here under its liquidation id (band
 * kept, no cure, no re-trigger) until new amounts, a close or the custodian's answer.
 */
public final class LifecycleRules {

    private final PolicyConfig policy;
    private final LifecycleConfig lifecycle;
    private final int baseScale;
    private final int quoteScale;
    private final BigDecimal cureLevel;

    public LifecycleRules(PolicyConfig policy, LifecycleConfig lifecycle, int baseScale, int quoteScale) {
        this.policy = policy;
        this.lifecycle = lifecycle;
        this.baseScale = baseScale;
        this.quoteScale = quoteScale;
        this.cureLevel = policy.marginCall().subtract(policy.hysteresis());
    }

    public PolicyConfig policy() {
        return policy;
    }

    /** A new evaluation of the pair's price. */
    public List<Decision> onEvaluation(FacilityState s, PriceView p) {
        List<Decision> out = new ArrayList<>();
        if (!s.amountsKnown()) {
            return out;
        }
        endHoldIfResolved(s, p, out);
        if (usable(p)) {
            evaluate(s, p, p.eventTime(), false, out);
        }
        return out;
    }

    /**
     * The facility's amounts changed (already applied to {@code s}).
     *
     * @param riskIncreased debt up or collateral down: the initial margin is checked again
     * @param last the pair's last evaluation, or null if none yet
     */
    public List<Decision> onAmountsChanged(FacilityState s, boolean riskIncreased, PriceView last, long t) {
        List<Decision> out = new ArrayList<>();
        // Less collateral after an executed sale is the sale itself, not a new risk.
        boolean newRisk = riskIncreased && !s.awaitingAmounts;
        s.liquidationId = null;
        s.liquidationReason = null;
        s.liquidationAt = null;
        s.unconfirmedReported = false;
        // A sale is booked when both its collateral and its debt side have arrived; re-testing half
        // of it would sell collateral that is already gone.
        boolean booked = false;
        if (s.awaitingAmounts && s.collateralVersion > s.executedCollateralVersion && s.debtVersion > s.executedDebtVersion) {
            s.awaitingAmounts = false;
            booked = true;
        }
        Band before = s.band;
        if (s.amountsKnown() && usable(last)) {
            evaluate(s, last, t, newRisk, out);
        }
        // A booked sale that left the facility out of margin call meets the call it was running.
        if (booked && s.cureDeadline != null && s.band != null && !s.band.worseThan(Band.WARNING) && t <= s.cureDeadline) {
            s.cureDeadline = null;
            out.add(Decision.simple(Decision.MARGIN_CALL_CURED, t, before, s.band, last));
        }
        return out;
    }

    /** Event time reached {@code t}: cure deadline, confirmation timeout, hold escalation. */
    public List<Decision> onTimer(FacilityState s, long t, PriceView last) {
        List<Decision> out = new ArrayList<>();
        if (s.cureDeadline != null && s.cureDeadline <= t) {
            long deadline = s.cureDeadline;
            s.cureDeadline = null;
            if (!s.liquidationPending()) {
                int first = out.size();
                trigger(s, Decision.CURE_EXPIRED, s.band, last, deadline, out);
                // The expired deadline stays on the record: an auditor sees which call ran out.
                for (int i = first; i < out.size(); i++) {
                    out.set(i, out.get(i).withCureDeadline(deadline));
                }
            }
        }
        if (s.liquidationAt != null && !s.unconfirmedReported && s.liquidationAt + lifecycle.confirmTimeoutMs() <= t) {
            s.unconfirmedReported = true;
            out.add(new Decision(Decision.LIQUIDATION_UNCONFIRMED, s.liquidationAt + lifecycle.confirmTimeoutMs(),
                    s.band, s.band, null, null, s.liquidationId, null, null, null, null));
        }
        if (s.holdSince != null && !s.holdEscalated && s.holdSince + lifecycle.holdEscalateAfterMs() <= t) {
            s.holdEscalated = true;
            out.add(new Decision(Decision.LIQUIDATION_HOLD_ESCALATED, s.holdSince + lifecycle.holdEscalateAfterMs(),
                    s.band, s.band, s.holdTrigger, s.holdReason, null, null, null, null, null));
        }
        return out;
    }

    /** The custodian sold the collateral; false when the id is not the pending liquidation's. */
    public boolean onLiquidationExecuted(FacilityState s, String liquidationId) {
        if (!s.liquidationPending() || !s.liquidationId.equals(liquidationId)) {
            return false;
        }
        s.liquidationId = null;
        s.liquidationReason = null;
        s.liquidationAt = null;
        s.unconfirmedReported = false;
        s.awaitingAmounts = true;
        s.executedCollateralVersion = s.collateralVersion;
        s.executedDebtVersion = s.debtVersion;
        return true;
    }

    /** The custodian could not sell: the facility is re-tested at the last evaluation. Null when the id does not match. */
    public List<Decision> onLiquidationFailed(FacilityState s, String liquidationId, long t, PriceView last) {
        if (!s.liquidationPending() || !s.liquidationId.equals(liquidationId)) {
            return null;
        }
        String reason = s.liquidationReason;
        s.liquidationId = null;
        s.liquidationReason = null;
        s.liquidationAt = null;
        s.unconfirmedReported = false;
        List<Decision> out = new ArrayList<>();
        if (!usable(last)) {
            return out;
        }
        // An expired margin call stays expired: its liquidation is retried while the call is uncured.
        if (Decision.CURE_EXPIRED.equals(reason) && LtvMath.atOrAbove(s.outstanding, s.collateral, last.price(), cureLevel)) {
            trigger(s, Decision.CURE_EXPIRED, s.band, last, t, out);
        } else {
            // Out of liquidation: the band it stayed in catches up, and a due liquidation triggers.
            evaluate(s, last, t, false, out);
        }
        return out;
    }

    private void evaluate(FacilityState s, PriceView p, long t, boolean riskIncreased, List<Decision> out) {
        BigDecimal d = s.outstanding;
        BigDecimal c = s.collateral;
        if (c.signum() == 0 && d.signum() > 0) {
            if (!s.collateralMissing) {
                s.collateralMissing = true;
                out.add(Decision.simple(Decision.COLLATERAL_MISSING, t, s.band, s.band, p));
            }
            return; // nothing to sell, and no LTV to band
        }
        s.collateralMissing = false;

        Band before = s.band;
        boolean first = before == null;
        Band from = first ? Band.HEALTHY : before;
        Band after = LtvMath.band(d, c, p.price(), policy, before);
        if (!first && before.worseThan(after) && !liquidationIdle(s)) {
            // A facility in liquidation stays there until the sale is booked, fails or is released:
            // the borrower hears no cure or all-clear while a sale is outstanding or held.
            after = before;
        }
        if ((first || riskIncreased) && LtvMath.atOrAbove(d, c, p.price(), policy.initialMargin())) {
            out.add(Decision.simple(Decision.INITIAL_MARGIN_BREACH, t, from, after, p));
        }
        s.band = after;

        if (after.worseThan(from)) {
            if (after == Band.WARNING) {
                out.add(Decision.simple(Decision.LTV_WARNING, t, from, after, p));
            } else if (after == Band.MARGIN_CALL) {
                issueMarginCall(s, from, t, p, out);
            }
            // Entering LIQUIDATION is reported by the trigger (or hold) below.
        } else if (from.worseThan(after)) {
            if (s.cureDeadline != null && !after.worseThan(Band.WARNING) && t <= s.cureDeadline) {
                s.cureDeadline = null;
                out.add(Decision.simple(Decision.MARGIN_CALL_CURED, t, from, after, p));
            } else if (after == Band.HEALTHY) {
                out.add(Decision.simple(Decision.LTV_HEALTHY, t, from, after, p));
            } else if (after == Band.WARNING) {
                out.add(Decision.simple(Decision.LTV_WARNING, t, from, after, p));
            } else if (after == Band.MARGIN_CALL) {
                issueMarginCall(s, from, t, p, out);
            }
        }

        if (liquidationDue(s, p)) {
            trigger(s, Decision.THRESHOLD, from, p, t, out);
        }
        // In MARGIN_CALL with no call running once a liquidation is no longer in progress (its
        // amounts arrived, it was released): the borrower gets a new call and a new deadline.
        if (s.band == Band.MARGIN_CALL && s.cureDeadline == null && liquidationIdle(s) && out.stream().noneMatch(
                decision -> Decision.MARGIN_CALL_ISSUED.equals(decision.type()))) {
            issueMarginCall(s, s.band, t, p, out);
        }
    }

    /** No liquidation triggered, held or awaiting its new amounts. */
    private static boolean liquidationIdle(FacilityState s) {
        return !s.liquidationPending() && !s.held() && !s.awaitingAmounts;
    }

    private boolean liquidationDue(FacilityState s, PriceView p) {
        return !s.liquidationPending() && !s.held() && !s.awaitingAmounts
                && s.collateral.signum() > 0
                && LtvMath.atOrAbove(s.outstanding, s.collateral, p.price(), policy.liquidation());
    }

    private void issueMarginCall(FacilityState s, Band from, long t, PriceView p, List<Decision> out) {
        if (s.cureDeadline != null || !liquidationIdle(s)) {
            return; // the running call keeps its deadline; a liquidation in progress is not called again
        }
        s.cureDeadline = t + policy.curePeriodMs();
        out.add(new Decision(Decision.MARGIN_CALL_ISSUED, t, from, Band.MARGIN_CALL, null, null, null, null, null, s.cureDeadline, p));
    }

    private void trigger(FacilityState s, String reason, Band from, PriceView p, long t, List<Decision> out) {
        if (s.liquidationPending() || s.awaitingAmounts) {
            return; // a sold facility is not liquidated again on its pre-sale amounts
        }
        if (s.collateral.signum() == 0) {
            if (!s.collateralMissing && s.outstanding.signum() > 0) {
                s.collateralMissing = true;
                out.add(Decision.simple(Decision.COLLATERAL_MISSING, t, from, s.band, p));
            }
            return;
        }
        String holdReason = null;
        if (!usable(p)) {
            holdReason = Decision.HOLD_PRICE_UNAVAILABLE;
        } else if (p.incidentOpen()) {
            holdReason = Decision.HOLD_DIVERGENCE;
        }
        if (holdReason != null) {
            if (!s.held()) {
                s.holdTrigger = reason;
                s.holdReason = holdReason;
                s.holdSince = t;
                s.holdEscalated = false;
                out.add(new Decision(Decision.LIQUIDATION_HELD, t, from, s.band, reason, holdReason, null, null, null, null, p));
            }
            return;
        }
        LiquidationSizer.Sizing size =
                LiquidationSizer.size(s.outstanding, s.collateral, p.price(), policy.liquidationTarget(), baseScale, quoteScale);
        // The amounts' versions make a re-trigger at the same instant after an amount change a new liquidation.
        s.liquidationId = EventIds.of("LIQUIDATION", s.facilityId, t,
                reason + '|' + p.evaluationId() + '|' + s.collateralVersion + '|' + s.debtVersion);
        s.liquidationReason = reason;
        s.liquidationAt = t;
        s.unconfirmedReported = false;
        out.add(new Decision(Decision.LIQUIDATION_TRIGGERED, t, from, s.band, reason, null, s.liquidationId,
                size.liquidateCollateral(), null, null, p));
        if (size.shortfall() != null) {
            out.add(new Decision(Decision.LIQUIDATION_SHORTFALL, t, from, s.band, reason, null, s.liquidationId,
                    size.liquidateCollateral(), size.shortfall(), null, p));
        }
    }

    private void endHoldIfResolved(FacilityState s, PriceView p, List<Decision> out) {
        // A CIRCUIT_BREAKER hold here can only come from state kept before the breaker moved to its
        // pair-wide stage: it is re-tested like the others, its trigger a candidate for that stage.
        if (!s.held() || !usable(p) || p.incidentOpen()) {
            return;
        }
        String heldTrigger = s.holdTrigger;
        Band band = s.band;
        s.holdTrigger = null;
        s.holdReason = null;
        s.holdSince = null;
        s.holdEscalated = false;
        BigDecimal level = Decision.THRESHOLD.equals(heldTrigger) ? policy.liquidation() : cureLevel;
        if (LtvMath.atOrAbove(s.outstanding, s.collateral, p.price(), level)) {
            trigger(s, heldTrigger, band, p, p.eventTime(), out);
        } else {
            // Out of liquidation: the band it was held in catches up at the normal price.
            Band after = LtvMath.band(s.outstanding, s.collateral, p.price(), policy, band);
            s.band = after;
            out.add(new Decision(Decision.LIQUIDATION_RELEASED, p.eventTime(), band, after, heldTrigger, null, null, null, null, null, p));
        }
    }

    private static boolean usable(PriceView p) {
        return p != null && p.available() && p.price() != null;
    }
}
