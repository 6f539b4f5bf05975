package io.collateralrisk.ltv.liquidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LifecycleExplainer;
import io.collateralrisk.ltv.lifecycle.LifecycleRules;
import io.collateralrisk.ltv.lifecycle.LiquidationSizer;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pair-wide breaker and its holds, on triggers made by the real lifecycle rules: facilities of
 * 1 BTC against 50,000 USD (standard policy), so the LTV is 50,000 / P: 55,000 is 0.909 (due), 60,000
 * is 0.833 (in margin call, not due). The breaker allows 3 triggers within 15 minutes.
 */
class CircuitBreakerRulesTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("lifecycle: {circuitBreaker: {maxLiquidations: 3, window: 15m}}");
    private static final long MINUTE = 60_000L;
    private static final long T0 = Instant.parse("2024-03-11T09:00:00Z").toEpochMilli();
    private static final String DUE = "55000";
    private static final String NOT_DUE = "60000";

    private final CircuitBreakerRules breaker = new CircuitBreakerRules(CONFIG, "test");
    private final List<Long> window = new ArrayList<>();

    @Test
    void atMostMaxLiquidationsWithinAnySlidingWindowAtTheSameInstantAndAfter() {
        assertThat(breaker.admit(window, T0)).isTrue();
        assertThat(breaker.admit(window, T0)).isTrue();
        assertThat(breaker.admit(window, T0 + 10 * MINUTE)).isTrue();
        assertThat(breaker.open(window, T0 + 10 * MINUTE)).isTrue();
        assertThat(breaker.admit(window, T0 + 10 * MINUTE)).isFalse();
        // The window is (t - 15m, t]: the two at T0 leave it exactly 15 minutes later.
        assertThat(breaker.admit(window, T0 + 15 * MINUTE - 1)).isFalse();
        assertThat(breaker.open(window, T0 + 15 * MINUTE)).isFalse();
        assertThat(breaker.admit(window, T0 + 15 * MINUTE)).isTrue();
        assertThat(breaker.admit(window, T0 + 15 * MINUTE)).isTrue();
        assertThat(breaker.admit(window, T0 + 15 * MINUTE)).isFalse();
        assertThat(window).containsExactly(T0 + 10 * MINUTE, T0 + 15 * MINUTE, T0 + 15 * MINUTE);
    }

    @Test
    void aRefusedTriggerBecomesTheHoldTheLtvStageWouldHaveMadeAndKeepsItsLiquidationId() {
        LifecycleEvent trigger = trigger("F-1", T0, DUE);
        CircuitBreakerRules.Refused refused = breaker.refuse(trigger);
        LifecycleEvent held = refused.held();

        assertThat(held.type()).isEqualTo(Decision.LIQUIDATION_HELD);
        assertThat(held.holdReason()).isEqualTo(Decision.HOLD_CIRCUIT_BREAKER);
        assertThat(held.reason()).isEqualTo(Decision.THRESHOLD);
        assertThat(held.liquidationId()).isNull();
        assertThat(held.liquidateCollateral()).isNull();
        assertThat(held.eventTime()).isEqualTo(trigger.eventTime());
        assertThat(held.evaluationId()).isEqualTo(trigger.evaluationId());
        assertThat(held.ltv()).isEqualTo(trigger.ltv());
        assertThat(held.bandBefore()).isEqualTo(trigger.bandBefore());
        assertThat(held.bandAfter()).isEqualTo("LIQUIDATION");
        assertThat(held.eventId()).isEqualTo(EventIds.of(Decision.LIQUIDATION_HELD, "F-1", T0,
                trigger.evaluationId() + "||" + trigger.collateralVersion() + '|' + trigger.debtVersion()));
        assertThat(refused.hold().liquidationId).isEqualTo(trigger.liquidationId());
        assertThat(refused.hold().heldBy(Decision.HOLD_CIRCUIT_BREAKER)).isTrue();
        assertThat(refused.hold().nextTimer(30 * MINUTE, 30 * MINUTE)).isEqualTo(T0 + 30 * MINUTE);
    }

    @Test
    void aReleasedHoldStillDueTriggersUnderItsOriginalIdAtTheLatestPriceAndIsNotCountedAgain() {
        fill(T0);
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        PriceView latest = price(T0 + 5 * MINUTE, "54000", true, false);

        List<LifecycleEvent> out = breaker.release(h, latest, T0 + 6 * MINUTE, false, window);

        assertThat(out).extracting(LifecycleEvent::type).containsExactly(Decision.LIQUIDATION_TRIGGERED);
        LifecycleEvent t = out.get(0);
        assertThat(t.liquidationId()).isEqualTo(h.liquidationId);
        assertThat(t.eventTime()).isEqualTo(T0 + 6 * MINUTE);
        assertThat(t.evaluationId()).isEqualTo(latest.evaluationId());
        assertThat(t.liquidateCollateral()).isEqualByComparingTo(LiquidationSizer.size(new BigDecimal("50000.00"),
                new BigDecimal("1.00000000"), new BigDecimal("54000"), new BigDecimal("0.60"), 8, 2).liquidateCollateral());
        assertThat(window).hasSize(3); // the breaker is still full: a released trigger is not counted again
        assertThat(h.status).isEqualTo(BreakerHold.TRIGGERED);

        // Unconfirmed by the custodian confirmTimeout after this trigger, once.
        assertThat(breaker.onTimer(h, T0 + 36 * MINUTE - 1, latest)).isEmpty();
        assertThat(breaker.onTimer(h, T0 + 36 * MINUTE, latest)).extracting(LifecycleEvent::type, LifecycleEvent::liquidationId,
                        LifecycleEvent::eventTime)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_UNCONFIRMED, h.liquidationId, T0 + 36 * MINUTE));
        assertThat(breaker.onTimer(h, T0 + 40 * MINUTE, latest)).isEmpty();
    }

    @Test
    void aCureExpiredHoldIsReTestedAgainstTheCureLevel() {
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        h.trigger = Decision.CURE_EXPIRED;
        // LTV 0.833: below liquidation, still above the cure level (0.79): the expired call is still uncured.
        assertThat(breaker.release(h, price(T0, NOT_DUE, true, false), T0 + MINUTE, false, window))
                .extracting(LifecycleEvent::type, LifecycleEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_TRIGGERED, Decision.CURE_EXPIRED));
    }

    @Test
    void aReleasedHoldNoLongerDueIsReleasedThenWatchedAndTriggersAsANewCountedLiquidationWhenDueAgain() {
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        List<LifecycleEvent> out = breaker.release(h, price(T0 + MINUTE, NOT_DUE, true, false), T0 + 2 * MINUTE, false, window);
        assertThat(out).extracting(LifecycleEvent::type).containsExactly(Decision.LIQUIDATION_RELEASED);
        assertThat(out.get(0).bandBefore()).isEqualTo("LIQUIDATION");
        assertThat(out.get(0).bandAfter()).as("the LTV stage keeps the band while the id is pending").isEqualTo("LIQUIDATION");
        assertThat(h.status).isEqualTo(BreakerHold.WATCHED);

        assertThat(breaker.onEvaluation(h, price(T0 + 3 * MINUTE, "58000", true, false), window)).isEmpty();
        fill(T0 + 4 * MINUTE);
        // Due again while the breaker is full: held again, by the breaker.
        assertThat(breaker.onEvaluation(h, price(T0 + 5 * MINUTE, DUE, true, false), window))
                .extracting(LifecycleEvent::type, LifecycleEvent::holdReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_HELD, Decision.HOLD_CIRCUIT_BREAKER));
        // Released again with room in the window: triggered under the same id.
        List<LifecycleEvent> again = breaker.release(h, price(T0 + 30 * MINUTE, DUE, true, false), T0 + 30 * MINUTE, false, window);
        assertThat(again).extracting(LifecycleEvent::type).containsExactly(Decision.LIQUIDATION_TRIGGERED);
        assertThat(again.get(0).liquidationId()).isEqualTo(h.liquidationId);
    }

    @Test
    void aReleaseWhileThePriceIsUnavailableHoldsAgainAndTheHoldEndsWhenThePriceReturns() {
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        List<LifecycleEvent> out = breaker.release(h, price(T0 + MINUTE, null, false, false), T0 + 2 * MINUTE, false, window);
        assertThat(out).extracting(LifecycleEvent::type, LifecycleEvent::holdReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_HELD, Decision.HOLD_PRICE_UNAVAILABLE));
        assertThat(h.holdSince).isEqualTo(T0 + 2 * MINUTE);
        // Still unavailable: nothing; an operator's second release does not touch a price hold.
        assertThat(breaker.onEvaluation(h, price(T0 + 3 * MINUTE, null, false, false), window)).isEmpty();
        assertThat(breaker.release(h, price(T0 + 3 * MINUTE, DUE, true, false), T0 + 4 * MINUTE, false, window)).isEmpty();
        // Escalated holdEscalateAfter after the new hold began.
        assertThat(breaker.onTimer(h, T0 + 32 * MINUTE, null)).extracting(LifecycleEvent::type, LifecycleEvent::holdReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_HOLD_ESCALATED, Decision.HOLD_PRICE_UNAVAILABLE));
        fill(T0 + 33 * MINUTE);
        assertThat(breaker.onEvaluation(h, price(T0 + 34 * MINUTE, DUE, true, false), window))
                .extracting(LifecycleEvent::type).containsExactly(Decision.LIQUIDATION_TRIGGERED);
        assertThat(window).as("a released hold's trigger passes a full breaker, uncounted").hasSize(3);
    }

    @Test
    void aReleaseDuringAnIncidentHoldsAgainUntilItClosesThenReleasesWhenNoLongerDue() {
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        assertThat(breaker.release(h, price(T0 + MINUTE, DUE, true, true), T0 + 2 * MINUTE, false, window))
                .extracting(LifecycleEvent::type, LifecycleEvent::holdReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_HELD, Decision.HOLD_DIVERGENCE));
        assertThat(breaker.onEvaluation(h, price(T0 + 3 * MINUTE, DUE, true, true), window)).isEmpty();
        assertThat(breaker.onEvaluation(h, price(T0 + 4 * MINUTE, NOT_DUE, true, false), window))
                .extracting(LifecycleEvent::type).containsExactly(Decision.LIQUIDATION_RELEASED);
    }

    @Test
    void aCircuitBreakerHoldEscalatesOnceAndIsNotEndedByPrices() {
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        assertThat(breaker.onTimer(h, T0 + 30 * MINUTE - 1, null)).isEmpty();
        assertThat(breaker.onEvaluation(h, price(T0 + MINUTE, NOT_DUE, true, false), window)).isEmpty();
        assertThat(breaker.onEvaluation(h, price(T0 + 2 * MINUTE, "40000", true, false), window)).isEmpty();
        List<LifecycleEvent> escalated = breaker.onTimer(h, T0 + 30 * MINUTE, price(T0 + 2 * MINUTE, "40000", true, false));
        assertThat(escalated).extracting(LifecycleEvent::type, LifecycleEvent::holdReason, LifecycleEvent::eventTime)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_HOLD_ESCALATED, Decision.HOLD_CIRCUIT_BREAKER, T0 + 30 * MINUTE));
        assertThat(breaker.onTimer(h, T0 + 60 * MINUTE, null)).isEmpty();
        assertThat(h.nextTimer(30 * MINUTE, 30 * MINUTE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theLtvStageTakesTheFacilityBackOnNewAmountsACloseOrTheCustodiansAnswerToItsId() {
        LifecycleEvent trigger = trigger("F-1", T0, DUE);
        BreakerHold h = breaker.refuse(trigger).hold();
        assertThat(CircuitBreakerRules.takenBack(h, command(FacilityCommand.UPSERT, null))).isTrue();
        assertThat(CircuitBreakerRules.takenBack(h, command(FacilityCommand.CLOSE, null))).isTrue();
        assertThat(CircuitBreakerRules.takenBack(h, command(FacilityCommand.FAILED, h.liquidationId))).isTrue();
        assertThat(CircuitBreakerRules.takenBack(h, command(FacilityCommand.EXECUTED, h.liquidationId))).isTrue();
        assertThat(CircuitBreakerRules.takenBack(h, command(FacilityCommand.EXECUTED, "another"))).isFalse();

        // What the LTV stage says of the liquidation it believes pending does not leave the job.
        LifecycleEvent shortfall = withType(trigger, Decision.LIQUIDATION_SHORTFALL);
        LifecycleEvent unconfirmed = withType(trigger, Decision.LIQUIDATION_UNCONFIRMED);
        assertThat(CircuitBreakerRules.superseded(h, shortfall)).isTrue();
        assertThat(CircuitBreakerRules.superseded(h, unconfirmed)).isTrue();
        assertThat(CircuitBreakerRules.superseded(h, withType(trigger, Decision.LIQUIDATION_HOLD_ESCALATED))).isFalse();
        assertThat(CircuitBreakerRules.superseded(null, unconfirmed)).isFalse();
    }

    @Test
    void aHoldRestoredUnderAConfigurationWithoutItsPolicyDecidesNothing() {
        BreakerHold h = breaker.refuse(trigger("F-1", T0, DUE)).hold();
        // The hold names a policy the configuration in force does not have.
        h.policy = "bespoke";
        CircuitBreakerRules restored = breaker;
        assertThat(restored.configured(h)).isFalse();
        assertThat(restored.release(h, price(T0 + MINUTE, "40000", true, false), T0 + MINUTE, false, window)).isEmpty();
        assertThat(restored.onEvaluation(h, price(T0 + 2 * MINUTE, "40000", true, false), window)).isEmpty();
        assertThat(restored.onTimer(h, T0 + 60 * MINUTE, null)).isEmpty();
        assertThat(h.heldBy(Decision.HOLD_CIRCUIT_BREAKER)).isTrue();
        assertThat(window).isEmpty();
        h.policy = "standard";
        assertThat(restored.configured(h)).isTrue();
    }

    @Test
    void aHoldKeepsTheDeadlineOfACallStillRunningUntilItPasses() {
        LifecycleEvent trigger = trigger("F-1", T0, NOT_DUE, DUE);
        assertThat(trigger.reason()).isEqualTo(Decision.THRESHOLD);
        assertThat(trigger.cureDeadline()).isNotNull();
        BreakerHold h = breaker.refuse(trigger).hold();
        assertThat(h.cureDeadline).isEqualTo(trigger.cureDeadline());
        // The call still runs when the hold escalates: the escalation names its deadline.
        assertThat(breaker.onTimer(h, T0 + 30 * MINUTE, null)).extracting(LifecycleEvent::type, LifecycleEvent::cureDeadline)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Decision.LIQUIDATION_HOLD_ESCALATED, trigger.cureDeadline()));

        // A deadline at the escalation's instant has passed, as in the LTV stage.
        BreakerHold g = breaker.refuse(trigger("F-2", T0, NOT_DUE, DUE)).hold();
        g.cureDeadline = T0 + 30 * MINUTE;
        assertThat(breaker.onTimer(g, T0 + 30 * MINUTE, null)).extracting(LifecycleEvent::cureDeadline).containsExactly((Long) null);
    }

    @Test
    void aHoldOfAnExpiredCallKeepsNoDeadline() {
        FacilityState s = facility("F-1");
        LifecycleRules rules = new LifecycleRules(CONFIG.policies().get("standard"), CONFIG.lifecycle(), 8, 2);
        PriceView p = price(T0, NOT_DUE, true, false);
        rules.onEvaluation(s, p);
        long deadline = s.cureDeadline;
        Decision d = rules.onTimer(s, deadline, p).get(0);
        LifecycleEvent expired = new LifecycleExplainer(CONFIG.configHash(), "test")
                .explain(d, s, "standard", CONFIG.policies().get("standard"), 8, 2, 8, p, false);
        assertThat(expired.reason()).isEqualTo(Decision.CURE_EXPIRED);
        assertThat(expired.cureDeadline()).isEqualTo(deadline);
        assertThat(breaker.refuse(expired).hold().cureDeadline).isNull();
    }

    private void fill(long t) {
        while (breaker.admit(window, t)) {
            // up to the limit
        }
    }

    /** A standard-policy facility on BTC-USD: 1 BTC against 50,000 USD of debt. */
    private static FacilityState facility(String id) {
        FacilityState s = new FacilityState();
        s.facilityId = id;
        s.borrowerId = "B-" + id;
        s.custodian = "bitgo";
        s.pair = "BTC-USD";
        s.policy = "standard";
        s.collateral = new BigDecimal("1.00000000");
        s.collateralVersion = 1;
        s.outstanding = new BigDecimal("50000.00");
        s.debtVersion = 1;
        return s;
    }

    /** A real trigger of the LTV stage: the facility goes from LTV 0.50 to the given price. */
    static LifecycleEvent trigger(String id, long t, String price) {
        return trigger(id, t, "100000", price);
    }

    /** The same from another opening price a minute before (NOT_DUE opens a margin call, whose deadline the trigger carries). */
    static LifecycleEvent trigger(String id, long t, String opening, String price) {
        FacilityState s = facility(id);
        LifecycleRules rules = new LifecycleRules(CONFIG.policies().get("standard"), CONFIG.lifecycle(), 8, 2);
        rules.onEvaluation(s, price(t - MINUTE, opening, true, false));
        PriceView p = price(t, price, true, false);
        Decision d = rules.onEvaluation(s, p).stream().filter(x -> x.type().equals(Decision.LIQUIDATION_TRIGGERED)).findFirst().orElseThrow();
        return new LifecycleExplainer(CONFIG.configHash(), "test").explain(d, s, "standard", CONFIG.policies().get("standard"), 8, 2, 8, p, false);
    }

    static PriceView price(long t, String price, boolean available, boolean incident) {
        return new PriceView(t, "E-" + t, price == null ? null : new BigDecimal(price), available, incident);
    }

    private static FacilityCommand command(String kind, String liquidationId) {
        return new FacilityCommand(kind, T0, "F-1", "B-F-1", "bitgo", "BTC-USD", "standard", null, 1, null, 1, false, liquidationId, false, "c");
    }

    private static LifecycleEvent withType(LifecycleEvent e, String type) {
        return new LifecycleEvent(e.eventId(), type, e.eventTime(), e.facilityId(), e.borrowerId(), e.custodian(), e.pair(), e.ltv(),
                e.ltvInfinite(), e.bandBefore(), e.bandAfter(), e.policy(), e.initialMargin(), e.warning(), e.marginCall(), e.liquidation(),
                e.liquidationTarget(), e.hysteresis(), e.curePeriodMs(), e.collateral(), e.collateralVersion(), e.outstanding(),
                e.debtVersion(), e.ltvPrice(), e.evaluationId(), e.incidentOpen(), e.triggerWarning(), e.triggerMarginCall(),
                e.triggerLiquidation(), e.collateralToCure(), e.debtToCure(), e.cureDeadline(), e.reason(), e.holdReason(),
                e.liquidationId(), e.liquidateCollateral(), e.shortfall(), e.priceDisputed(), e.appliedLate(), e.recipients(),
                e.configHash(), e.codeVersion(), e.ingestedAt());
    }
}
