package io.collateralrisk.ltv.liquidation;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LifecycleExplainer;
import io.collateralrisk.ltv.lifecycle.LiquidationSizer;
import io.collateralrisk.ltv.lifecycle.LtvMath;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.config.LifecycleConfig;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The pair-wide liquidation circuit breaker and what happens to the liquidations it holds (SPEC.md,
 * lifecycle rule 8), without Flink. The LTV stage triggers every liquidation that comes due; its
 * shards cannot see each other, so the count across the pair is kept here, downstream, and a
 * refused trigger becomes a hold owned here until the LTV stage takes the facility back.
 *
 * <pre>
 * input                        | condition                                    | output, and what the breaker owns after
 * -----------------------------+----------------------------------------------+------------------------------------------
 * LIQUIDATION_TRIGGERED        | fewer than maxLiquidations admitted within   | passed through, counted
 *   (LTV stage)                | the window (t - window, t]                   |
 *                              | otherwise                                    | LIQUIDATION_HELD (CIRCUIT_BREAKER); held
 * HOLDS_RELEASED               | each CIRCUIT_BREAKER hold, facilityId order, | re-test at the latest evaluation (below),
 *                              |                                              | not counted again
 * re-test                      | price unavailable / incident open            | LIQUIDATION_HELD (that reason); held
 *                              | level still reached (THRESHOLD: liquidation, | LIQUIDATION_TRIGGERED (+ SHORTFALL) under the
 *                              | CURE_EXPIRED: margin call - hysteresis)      | held trigger's id; awaiting the custodian
 *                              | otherwise                                    | LIQUIDATION_RELEASED; watched
 * evaluation                   | held for price / incident, both gone         | re-test
 * evaluation                   | watched, LTV &gt;= liquidation                   | a new liquidation coming due: counted,
 *                              |                                              | held on an open incident
 * timer hold + escalate        | still held                                   | LIQUIDATION_HOLD_ESCALATED (once)
 * timer trigger + confirm      | no answer yet                                | LIQUIDATION_UNCONFIRMED (once)
 * command                      | amounts changed, closed, or the custodian    | ownership ends: the LTV stage re-evaluates
 *                              | answered the liquidation id                  |
 * </pre>
 *
 * The LTV stage keeps a facility whose trigger was held as pending under the trigger's
 * liquidation id: its band is kept, and it is neither cured, reported healthy nor triggered again
 * there. A facility released without a trigger stays so until its next collateral or debt change
 * (or close), and meanwhile this stage watches it at every evaluation and triggers it, under the
 * same id, as soon as its liquidation comes due again: it is never liquidated on a guess and never
 * left unwatched.
 */
public final class CircuitBreakerRules {

    private final RiskConfig config;
    private final LifecycleConfig lifecycle;
    private final LifecycleExplainer explainer;

    public CircuitBreakerRules(RiskConfig config, String codeVersion) {
        this.config = config;
        this.lifecycle = config.lifecycle();
        this.explainer = new LifecycleExplainer(config.configHash(), codeVersion);
    }

    /**
     * The breaker itself: drops from {@code admitted} the triggers outside the window ending at
     * {@code t}, then admits (and counts) one more if fewer than {@code maxLiquidations} remain.
     */
    public boolean admit(List<Long> admitted, long t) {
        admitted.removeIf(at -> at <= t - lifecycle.circuitBreakerWindowMs());
        if (admitted.size() >= lifecycle.circuitBreakerMaxLiquidations()) {
            return false;
        }
        admitted.add(t);
        return true;
    }

    /** Whether a trigger at {@code now} would be held. */
    public boolean open(List<Long> admitted, long now) {
        long inWindow = admitted.stream().filter(at -> at > now - lifecycle.circuitBreakerWindowMs() && at <= now).count();
        return inWindow >= lifecycle.circuitBreakerMaxLiquidations();
    }

    /** A trigger the breaker refused, and the hold that replaces it. */
    public record Refused(BreakerHold hold, LifecycleEvent held) {}

    /**
     * Refuses the LTV stage's {@code trigger}: the facility's record and the trigger's liquidation id
     * are kept, and the {@code LIQUIDATION_HELD} is what the LTV stage would have said had it held
     * the liquidation itself (same price, band move, amounts; no size).
     */
    public Refused refuse(LifecycleEvent trigger) {
        BreakerHold h = new BreakerHold();
        h.facilityId = trigger.facilityId();
        h.borrowerId = trigger.borrowerId();
        h.custodian = trigger.custodian();
        h.pair = trigger.pair();
        h.policy = trigger.policy();
        h.collateral = trigger.collateral();
        h.collateralVersion = trigger.collateralVersion();
        h.outstanding = trigger.outstanding();
        h.debtVersion = trigger.debtVersion();
        h.band = trigger.bandAfter();
        h.cureDeadline = Decision.CURE_EXPIRED.equals(trigger.reason()) ? null : trigger.cureDeadline();
        h.liquidationId = trigger.liquidationId();
        h.trigger = trigger.reason();
        h.counted = true;
        startHold(h, Decision.HOLD_CIRCUIT_BREAKER, trigger.eventTime());
        PriceView p = new PriceView(trigger.eventTime(), trigger.evaluationId(), trigger.ltvPrice(), true, trigger.incidentOpen(),
                trigger.ingestedAt());
        Decision d = new Decision(Decision.LIQUIDATION_HELD, trigger.eventTime(), band(trigger.bandBefore()), band(trigger.bandAfter()),
                trigger.reason(), Decision.HOLD_CIRCUIT_BREAKER, null, null, null, trigger.cureDeadline(), p);
        return new Refused(h, explain(h, d, p, trigger.appliedLate(), trigger.ingestedAt()));
    }

    /** An operator released the pair's circuit-breaker holds: this one is re-tested at {@code last} as coming due at {@code t}. */
    public List<LifecycleEvent> release(BreakerHold h, PriceView last, long t, boolean late, List<Long> admitted) {
        List<LifecycleEvent> out = new ArrayList<>();
        if (!h.heldBy(Decision.HOLD_CIRCUIT_BREAKER) || !configured(h)) {
            return out;
        }
        h.counted = false; // counted when it first came due
        retest(h, last, t, late, admitted, out);
        return out;
    }

    /** A new evaluation of the pair: ends a price or incident hold, or finds a watched facility due again. */
    public List<LifecycleEvent> onEvaluation(BreakerHold h, PriceView p, List<Long> admitted) {
        List<LifecycleEvent> out = new ArrayList<>();
        if (!usable(p) || !configured(h)) {
            return out; // no band moves and no hold ends while the price is unavailable
        }
        if (BreakerHold.HELD.equals(h.status) && !Decision.HOLD_CIRCUIT_BREAKER.equals(h.holdReason) && !p.incidentOpen()) {
            retest(h, p, p.eventTime(), false, admitted, out);
        } else if (BreakerHold.WATCHED.equals(h.status) && reached(h, p, Decision.THRESHOLD)) {
            h.trigger = Decision.THRESHOLD;
            h.counted = true; // a new liquidation coming due
            retest(h, p, p.eventTime(), false, admitted, out);
        }
        return out;
    }

    /** Event time reached {@code t}: hold escalation, confirmation timeout of a trigger made here. */
    public List<LifecycleEvent> onTimer(BreakerHold h, long t, PriceView last) {
        List<LifecycleEvent> out = new ArrayList<>();
        if (!configured(h)) {
            return out;
        }
        Band band = band(h.band);
        if (BreakerHold.HELD.equals(h.status) && h.holdSince != null && !h.holdEscalated
                && h.holdSince + lifecycle.holdEscalateAfterMs() <= t) {
            h.holdEscalated = true;
            out.add(explain(h, new Decision(Decision.LIQUIDATION_HOLD_ESCALATED, h.holdSince + lifecycle.holdEscalateAfterMs(),
                    band, band, h.trigger, h.holdReason, null, null, null, null, null), last, false, 0));
        }
        if (BreakerHold.TRIGGERED.equals(h.status) && h.triggeredAt != null && !h.unconfirmedReported
                && h.triggeredAt + lifecycle.confirmTimeoutMs() <= t) {
            h.unconfirmedReported = true;
            out.add(explain(h, new Decision(Decision.LIQUIDATION_UNCONFIRMED, h.triggeredAt + lifecycle.confirmTimeoutMs(),
                    band, band, null, null, h.liquidationId, null, null, null, null), last, false, 0));
        }
        return out;
    }

    /**
     * Whether {@code c} gives the facility back to the LTV stage, which re-evaluates it there: new
     * amounts, a close, or the custodian's answer to the liquidation id it holds as pending.
     */
    public static boolean takenBack(BreakerHold h, FacilityCommand c) {
        return switch (c.kind()) {
            case FacilityCommand.UPSERT, FacilityCommand.CLOSE -> true;
            default -> h.liquidationId != null && h.liquidationId.equals(c.liquidationId());
        };
    }

    /**
     * Whether the LTV stage's {@code e} is about a liquidation owned here and must not leave: the
     * shortfall of a refused trigger, the confirmation timeout of a liquidation never sent (or
     * sent later, from here).
     */
    public static boolean superseded(BreakerHold h, LifecycleEvent e) {
        return h != null && h.liquidationId != null && h.liquidationId.equals(e.liquidationId())
                && (Decision.LIQUIDATION_SHORTFALL.equals(e.type()) || Decision.LIQUIDATION_UNCONFIRMED.equals(e.type()));
    }

    private void retest(BreakerHold h, PriceView p, long t, boolean late, List<Long> admitted, List<LifecycleEvent> out) {
        Band band = band(h.band);
        if (!usable(p)) {
            holdAgain(h, Decision.HOLD_PRICE_UNAVAILABLE, t, p, late, out);
        } else if (p.incidentOpen()) {
            holdAgain(h, Decision.HOLD_DIVERGENCE, t, p, late, out);
        } else if (reached(h, p, h.trigger)) {
            if (h.counted && !admit(admitted, t)) {
                holdAgain(h, Decision.HOLD_CIRCUIT_BREAKER, t, p, late, out);
                return;
            }
            PolicyConfig policy = policy(h);
            PairConfig pair = config.pair(h.pair);
            LiquidationSizer.Sizing size = LiquidationSizer.size(h.outstanding, h.collateral, p.price(), policy.liquidationTarget(),
                    config.scale(pair.base()), config.scale(pair.quote()));
            h.status = BreakerHold.TRIGGERED;
            h.holdReason = null;
            h.holdSince = null;
            h.holdEscalated = false;
            h.triggeredAt = t;
            h.unconfirmedReported = false;
            out.add(explain(h, new Decision(Decision.LIQUIDATION_TRIGGERED, t, band, band, h.trigger, null, h.liquidationId,
                    size.liquidateCollateral(), null, null, p), p, late, 0));
            if (size.shortfall() != null) {
                out.add(explain(h, new Decision(Decision.LIQUIDATION_SHORTFALL, t, band, band, h.trigger, null, h.liquidationId,
                        size.liquidateCollateral(), size.shortfall(), null, p), p, late, 0));
            }
        } else {
            h.status = BreakerHold.WATCHED;
            h.holdReason = null;
            h.holdSince = null;
            h.holdEscalated = false;
            out.add(explain(h, new Decision(Decision.LIQUIDATION_RELEASED, t, band, band, h.trigger, null, null, null, null, null, p),
                    p, late, 0));
        }
    }

    private void holdAgain(BreakerHold h, String reason, long t, PriceView p, boolean late, List<LifecycleEvent> out) {
        startHold(h, reason, t);
        Band band = band(h.band);
        out.add(explain(h, new Decision(Decision.LIQUIDATION_HELD, t, band, band, h.trigger, reason, null, null, null, null, p),
                p, late, 0));
    }

    private static void startHold(BreakerHold h, String reason, long t) {
        h.status = BreakerHold.HELD;
        h.holdReason = reason;
        h.holdSince = t;
        h.holdEscalated = false;
        h.triggeredAt = null;
        h.unconfirmedReported = false;
    }

    /** Whether the level of {@code trigger} is reached at {@code p}: the liquidation threshold, or for an expired call the cure level. */
    private boolean reached(BreakerHold h, PriceView p, String trigger) {
        PolicyConfig policy = policy(h);
        BigDecimal level = Decision.CURE_EXPIRED.equals(trigger) ? policy.marginCall().subtract(policy.hysteresis()) : policy.liquidation();
        return h.collateral.signum() > 0 && LtvMath.atOrAbove(h.outstanding, h.collateral, p.price(), level);
    }

    private LifecycleEvent explain(BreakerHold h, Decision d, PriceView p, boolean late, long ingestedAt) {
        PairConfig pair = config.pair(h.pair);
        return explainer.explain(d, state(h, d.eventTime()), h.policy, policy(h), config.scale(pair.base()), config.scale(pair.quote()),
                pair.priceScale(), p, late, ingestedAt);
    }

    /**
     * Whether the configuration in force still has the hold's pair and policy. A hold restored under
     * one that lost them stays held and decides nothing (no release, no trigger, no escalation): the
     * LTV stage reports such facilities as {@code STATE_WITHOUT_CONFIG}.
     */
    public boolean configured(BreakerHold h) {
        return config.pair(h.pair) != null && config.policies().containsKey(h.policy);
    }

    private PolicyConfig policy(BreakerHold h) {
        return config.policies().get(h.policy);
    }

    /** The facility as the LTV stage keeps it at {@code t} while the liquidation is owned here (a passed deadline is gone there). */
    private static FacilityState state(BreakerHold h, long t) {
        FacilityState s = new FacilityState();
        s.facilityId = h.facilityId;
        s.borrowerId = h.borrowerId;
        s.custodian = h.custodian;
        s.pair = h.pair;
        s.policy = h.policy;
        s.collateral = h.collateral;
        s.collateralVersion = h.collateralVersion;
        s.outstanding = h.outstanding;
        s.debtVersion = h.debtVersion;
        s.band = band(h.band);
        s.cureDeadline = h.cureDeadline != null && h.cureDeadline > t ? h.cureDeadline : null;
        return s;
    }

    private static Band band(String name) {
        return name == null ? null : Band.valueOf(name);
    }

    private static boolean usable(PriceView p) {
        return p != null && p.available() && p.price() != null;
    }
}
