package io.collateralrisk.ltv.lifecycle;

import static io.collateralrisk.ltv.lifecycle.Band.HEALTHY;
import static io.collateralrisk.ltv.lifecycle.Band.LIQUIDATION;
import static io.collateralrisk.ltv.lifecycle.Band.MARGIN_CALL;
import static io.collateralrisk.ltv.lifecycle.Band.WARNING;
import static io.collateralrisk.ltv.lifecycle.Decision.COLLATERAL_MISSING;
import static io.collateralrisk.ltv.lifecycle.Decision.CURE_EXPIRED;
import static io.collateralrisk.ltv.lifecycle.Decision.HOLD_DIVERGENCE;
import static io.collateralrisk.ltv.lifecycle.Decision.HOLD_PRICE_UNAVAILABLE;
import static io.collateralrisk.ltv.lifecycle.Decision.INITIAL_MARGIN_BREACH;
import static io.collateralrisk.ltv.lifecycle.Decision.LIQUIDATION_HELD;
import static io.collateralrisk.ltv.lifecycle.Decision.LIQUIDATION_HOLD_ESCALATED;
import static io.collateralrisk.ltv.lifecycle.Decision.LIQUIDATION_RELEASED;
import static io.collateralrisk.ltv.lifecycle.Decision.LIQUIDATION_SHORTFALL;
import static io.collateralrisk.ltv.lifecycle.Decision.LIQUIDATION_TRIGGERED;
import static io.collateralrisk.ltv.lifecycle.Decision.LIQUIDATION_UNCONFIRMED;
import static io.collateralrisk.ltv.lifecycle.Decision.LTV_HEALTHY;
import static io.collateralrisk.ltv.lifecycle.Decision.LTV_WARNING;
import static io.collateralrisk.ltv.lifecycle.Decision.MARGIN_CALL_CURED;
import static io.collateralrisk.ltv.lifecycle.Decision.MARGIN_CALL_ISSUED;
import static io.collateralrisk.ltv.lifecycle.Decision.THRESHOLD;
import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.config.LifecycleConfig;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle rules, one row of the transition table at a time, on a facility of 1 BTC against
 * 50,000 USD: the LTV is 50,000 / P, so prices pick exact LTVs (P = 62,500 is 0.80; 55,555.55 is
 * just at or above 0.90, 55,555.56 just below). Sequences of decision types are asserted exactly, so
 * an extra or a missing event fails.
 */
class LifecycleRulesTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final PolicyConfig STANDARD = CONFIG.policies().get("standard");
    private static final LifecycleConfig LIFECYCLE = CONFIG.lifecycle();
    private static final int BTC = 8;
    private static final int USD = 2;
    private static final String PAIR = "BTC-USD";

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long CURE_PERIOD = 48 * HOUR;
    private static final long CONFIRM = 30 * MINUTE;
    private static final long ESCALATE = 30 * MINUTE;

    // Named instants: T0 is the first evaluation; the others are offsets from it.
    private static final long T0 = Instant.parse("2024-03-11T09:00:00Z").toEpochMilli();
    private static final long T1 = T0 + HOUR;
    private static final long T2 = T0 + 2 * HOUR;
    private static final long T3 = T0 + 3 * HOUR;

    // Prices for the 1 BTC / 50,000 USD facility and the LTV each gives.
    private static final String LTV_050 = "100000"; // 0.50
    private static final String LTV_0625 = "80000"; // 0.625: above IM, below warning
    private static final String LTV_070 = "71428.57"; // 0.70000001
    private static final String LTV_075 = "66666.67"; // 0.74999996
    private static final String LTV_080 = "62500"; // 0.80 exactly
    private static final String LTV_0795 = "62893.08"; // 0.79500002: inside the hysteresis band
    private static final String LTV_0801 = "62421.97"; // 0.80100003
    private static final String LTV_0790 = "63291.13"; // 0.79000012: still at or above 0.79
    private static final String LTV_BELOW_0790 = "63291.14"; // 0.78999999: below 0.79, cures
    private static final String LTV_078 = "64102.56"; // 0.78000005
    private static final String LTV_0806 = "62000"; // 0.80645161
    private static final String LTV_0862 = "58000"; // 0.86206897
    private static final String LTV_090 = "55555.55"; // 0.90000009: the highest price at liquidation
    private static final String LTV_BELOW_090 = "55555.56"; // 0.89999993
    private static final String LTV_0909 = "55000"; // 0.90909091
    private static final String LTV_0926 = "54000"; // 0.92592593
    private static final String LTV_120 = "41666.67"; // 1.19999990: the collateral cannot cover the debt


    private final LifecycleRules rules = new LifecycleRules(STANDARD, LIFECYCLE, BTC, USD);
    private FacilityState s;
    /** The pair's last evaluation, as the operator would keep it for timers and amount changes. */
    private PriceView last;

    @BeforeEach
    void freshFacility() {
        s = facility("1", "50000");
        last = null;
    }

    @Test
    void configurationIsTheOneTheseTestsAssume() {
        assertThat(STANDARD.initialMargin()).isEqualByComparingTo("0.60");
        assertThat(STANDARD.warning()).isEqualByComparingTo("0.70");
        assertThat(STANDARD.marginCall()).isEqualByComparingTo("0.80");
        assertThat(STANDARD.liquidation()).isEqualByComparingTo("0.90");
        assertThat(STANDARD.curePeriodMs()).isEqualTo(CURE_PERIOD);
        assertThat(STANDARD.liquidationTarget()).isEqualByComparingTo("0.60");
        assertThat(STANDARD.hysteresis()).isEqualByComparingTo("0.01");
        assertThat(LIFECYCLE.confirmTimeoutMs()).isEqualTo(CONFIRM);
        assertThat(LIFECYCLE.holdEscalateAfterMs()).isEqualTo(ESCALATE);
        assertThat(CONFIG.scale("BTC")).isEqualTo(BTC);
        assertThat(CONFIG.scale("USD")).isEqualTo(USD);
    }

    @Nested
    class FirstEvaluation {

        @Test
        void belowInitialMarginIsSilentAndHealthy() {
            assertThat(eval(T0, LTV_050)).isEmpty();
            assertThat(s.band).isEqualTo(HEALTHY);
        }

        @Test
        void atOrAboveInitialMarginIsABreachForReviewOnly() {
            Decision d = only(eval(T0, LTV_0625), INITIAL_MARGIN_BREACH);
            assertThat(d.bandBefore()).isEqualTo(HEALTHY);
            assertThat(d.bandAfter()).isEqualTo(HEALTHY);
            assertThat(d.eventTime()).isEqualTo(T0);
            assertThat(s.cureDeadline).isNull();
            assertThat(s.liquidationPending()).isFalse();
        }

        @Test
        void exactlyAtInitialMarginIsABreachAndOneCentLessIsNot() {
            // 37,500 / 62,500 = 0.60 exactly.
            s = facility("1", "37500");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH);

            s = facility("1", "37499.99");
            assertThat(eval(T0, LTV_080)).isEmpty();
        }

        @Test
        void alreadyInWarning() {
            List<Decision> out = eval(T0, LTV_070);
            assertThat(types(out)).containsExactly(INITIAL_MARGIN_BREACH, LTV_WARNING);
            assertBands(out.get(1), HEALTHY, WARNING);
            assertThat(s.band).isEqualTo(WARNING);
        }

        @Test
        void alreadyInMarginCall() {
            List<Decision> out = eval(T0, LTV_080);
            assertThat(types(out)).containsExactly(INITIAL_MARGIN_BREACH, MARGIN_CALL_ISSUED);
            assertBands(out.get(0), HEALTHY, MARGIN_CALL);
            assertBands(out.get(1), HEALTHY, MARGIN_CALL);
            assertThat(out.get(1).cureDeadline()).isEqualTo(T0 + CURE_PERIOD);
            assertThat(s.cureDeadline).isEqualTo(T0 + CURE_PERIOD);
        }

        @Test
        void alreadyInLiquidationTriggersWithoutAMarginCall() {
            // A move across several bands emits the event of the band entered only.
            List<Decision> out = eval(T0, LTV_0909);
            assertThat(types(out)).containsExactly(INITIAL_MARGIN_BREACH, LIQUIDATION_TRIGGERED);
            Decision t = out.get(1);
            assertBands(t, HEALTHY, LIQUIDATION);
            assertThat(t.reason()).isEqualTo(THRESHOLD);
            assertThat(t.liquidateCollateral()).isEqualTo(sized("50000", "1", LTV_0909));
            assertThat(s.cureDeadline).isNull();
        }

        @Test
        void nothingIsDecidedBeforeBothAmountsAreKnown() {
            s = facility(null, "50000");
            assertThat(eval(T0, LTV_0909)).isEmpty();
            assertThat(s.band).isNull();

            s = facility("1", null);
            assertThat(eval(T0, LTV_0909)).isEmpty();
            assertThat(s.band).isNull();
        }
    }

    @Nested
    class Thresholds {

        @Test
        void ltvExactlyAtEachThresholdEntersTheBand() {
            // At P = 62,500 with 1 BTC, these debts are exactly 0.70, 0.80 and 0.90.
            s = facility("1", "43750");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH, LTV_WARNING);
            s = facility("1", "43749.99");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH);
            assertThat(s.band).isEqualTo(HEALTHY);

            s = facility("1", "50000");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH, MARGIN_CALL_ISSUED);
            s = facility("1", "49999.99");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH, LTV_WARNING);

            s = facility("1", "56250");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH, LIQUIDATION_TRIGGERED);
            s = facility("1", "56249.99");
            assertThat(types(eval(T0, LTV_080))).containsExactly(INITIAL_MARGIN_BREACH, MARGIN_CALL_ISSUED);
        }

        @Test
        void movingUpEntersEachBandAtItsThreshold() {
            eval(T0, LTV_050);
            Decision w = only(eval(T1, LTV_070), LTV_WARNING);
            assertBands(w, HEALTHY, WARNING);
            Decision mc = only(eval(T2, LTV_080), MARGIN_CALL_ISSUED);
            assertBands(mc, WARNING, MARGIN_CALL);
            assertThat(mc.cureDeadline()).isEqualTo(T2 + CURE_PERIOD);
            // One cent above the liquidation trigger price is not enough; at it, it is.
            assertThat(eval(T3, LTV_BELOW_090)).isEmpty();
            Decision liq = only(eval(T3 + MINUTE, LTV_090), LIQUIDATION_TRIGGERED);
            assertBands(liq, MARGIN_CALL, LIQUIDATION);
            assertThat(liq.reason()).isEqualTo(THRESHOLD);
        }

        @Test
        void jumpingSeveralBandsNamesTheBandLeft() {
            eval(T0, LTV_050);
            Decision mc = only(eval(T1, LTV_080), MARGIN_CALL_ISSUED);
            assertBands(mc, HEALTHY, MARGIN_CALL);
        }

        @Test
        void priceWobblingAcrossMarginCallIssuesOneCallAndDoesNotFlap() {
            eval(T0, LTV_050);
            assertThat(types(eval(T0 + HOUR, LTV_080))).containsExactly(MARGIN_CALL_ISSUED);
            long deadline = s.cureDeadline;
            assertThat(eval(T0 + 2 * HOUR, LTV_0795)).isEmpty();
            assertThat(eval(T0 + 3 * HOUR, LTV_0801)).isEmpty();
            assertThat(eval(T0 + 4 * HOUR, LTV_0795)).isEmpty();
            // Exactly at the cure level is not below it.
            assertThat(eval(T0 + 5 * HOUR, LTV_0790)).isEmpty();
            assertThat(s.band).isEqualTo(MARGIN_CALL);
            assertThat(s.cureDeadline).isEqualTo(deadline);

            Decision cured = only(eval(T0 + 6 * HOUR, LTV_BELOW_0790), MARGIN_CALL_CURED);
            assertBands(cured, MARGIN_CALL, WARNING);
            assertThat(s.cureDeadline).isNull();
        }

        @Test
        void warningHasHysteresisToo() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_070), LTV_WARNING);
            assertThat(eval(T1 + MINUTE, "72463.76")).isEmpty(); // 0.69000008: not below 0.69
            assertThat(eval(T1 + 2 * MINUTE, LTV_070)).isEmpty(); // back up: already in WARNING
            Decision h = only(eval(T1 + 3 * MINUTE, "72463.77"), LTV_HEALTHY); // 0.68999998
            assertBands(h, WARNING, HEALTHY);
        }

        @Test
        void leavingTheLiquidationBandWithoutACallEntersWarningFromAbove() {
            // Direct entry into LIQUIDATION runs no margin call, so the way down is not a cure.
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String id = s.liquidationId;
            assertThat(rules.onLiquidationExecuted(s, id)).isTrue();
            // 40,000 / 55,000 = 0.7273: below 0.89 and 0.79, not below 0.69.
            Decision w = only(amounts("1", "40000", false, T2), LTV_WARNING);
            assertBands(w, LIQUIDATION, WARNING);
            assertThat(w.eventTime()).isEqualTo(T2);
            // 30,000 / 55,000 = 0.5455.
            assertBands(only(amounts("1", "30000", false, T3), LTV_HEALTHY), WARNING, HEALTHY);
        }

        @Test
        void calledFacilityFallingStraightToHealthyIsCuredNotReportedHealthy() {
            eval(T0, LTV_080);
            Decision cured = only(eval(T1, LTV_050), MARGIN_CALL_CURED);
            assertBands(cured, MARGIN_CALL, HEALTHY);
        }
    }

    @Nested
    class MarginCall {

        @Test
        void curedBeforeTheDeadline() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            Decision cured = only(eval(T0 + 10 * HOUR, LTV_0625), MARGIN_CALL_CURED);
            assertThat(cured.eventTime()).isEqualTo(T0 + 10 * HOUR);
            assertThat(s.cureDeadline).isNull();
            assertThat(timer(deadline)).isEmpty();
            assertThat(s.liquidationPending()).isFalse();
        }

        @Test
        void cureAtTheDeadlinesInstantWins() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            assertThat(eval(deadline - HOUR, LTV_0806)).isEmpty();
            Decision cured = only(eval(deadline, LTV_078), MARGIN_CALL_CURED);
            assertThat(cured.eventTime()).isEqualTo(deadline);
            assertThat(timer(deadline)).isEmpty();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.held()).isFalse();
        }

        @Test
        void uncuredCallLiquidatesAtTheDeadlineAtTheLastEvaluation() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            PriceView lastBefore = view(deadline - HOUR, LTV_0806);
            assertThat(eval(lastBefore)).isEmpty();
            assertThat(timer(deadline - 1)).isEmpty();

            Decision t = only(timer(deadline), LIQUIDATION_TRIGGERED);
            assertThat(t.reason()).isEqualTo(CURE_EXPIRED);
            assertThat(t.eventTime()).isEqualTo(deadline);
            assertThat(t.price()).isEqualTo(lastBefore);
            assertBands(t, MARGIN_CALL, MARGIN_CALL);
            assertThat(t.liquidationId()).isNotNull().isEqualTo(s.liquidationId);
            // (50,000 - 0.6 x 62,000) / (62,000 x 0.4) = 0.516129032..., rounded up.
            assertThat(t.liquidateCollateral()).isEqualTo(sized("50000", "1", LTV_0806)).isEqualTo(dec("0.51612904"));
            assertThat(t.shortfall()).isNull();
            assertThat(s.cureDeadline).isNull();
            assertThat(s.liquidationAt).isEqualTo(deadline);
        }

        @Test
        void newMarginCallAfterACureGetsANewDeadline() {
            eval(T0, LTV_080);
            only(eval(T1, LTV_078), MARGIN_CALL_CURED);
            Decision again = only(eval(T0 + 5 * HOUR, LTV_0801), MARGIN_CALL_ISSUED);
            assertBands(again, WARNING, MARGIN_CALL);
            long newDeadline = T0 + 5 * HOUR + CURE_PERIOD;
            assertThat(again.cureDeadline()).isEqualTo(newDeadline);
            // The first call's deadline is gone: nothing happens there.
            assertThat(timer(T0 + CURE_PERIOD)).isEmpty();
            assertThat(only(timer(newDeadline), LIQUIDATION_TRIGGERED).reason()).isEqualTo(CURE_EXPIRED);
        }

        @Test
        void collateralAddedDuringTheCurePeriodCures() {
            eval(T0, LTV_080);
            // 50,000 / (1.1 x 62,500) = 0.7273.
            Decision cured = only(amounts("1.1", "50000", false, T2), MARGIN_CALL_CURED);
            assertBands(cured, MARGIN_CALL, WARNING);
            assertThat(cured.eventTime()).isEqualTo(T2);
            assertThat(s.cureDeadline).isNull();
            assertThat(timer(T0 + CURE_PERIOD)).isEmpty();
        }

        @Test
        void debtRepaidToZeroCures() {
            eval(T0, LTV_080);
            Decision cured = only(amounts("1", "0", false, T1), MARGIN_CALL_CURED);
            assertBands(cured, MARGIN_CALL, HEALTHY);
        }
    }

    @Nested
    class Liquidation {

        @Test
        void thresholdTriggerIsSizedToTheTarget() {
            eval(T0, LTV_050);
            PriceView p = view(T1, LTV_0909);
            Decision t = only(eval(p), LIQUIDATION_TRIGGERED);
            assertThat(t.reason()).isEqualTo(THRESHOLD);
            assertThat(t.eventTime()).isEqualTo(T1);
            assertThat(t.price()).isEqualTo(p);
            assertThat(t.holdReason()).isNull();
            // (50,000 - 0.6 x 55,000) / (55,000 x 0.4) = 0.772727..., rounded up to the satoshi.
            assertThat(t.liquidateCollateral()).isEqualTo(sized("50000", "1", LTV_0909)).isEqualTo(dec("0.77272728"));
            // Selling it leaves the LTV at or just below the target.
            BigDecimal x = t.liquidateCollateral();
            BigDecimal p55 = dec(LTV_0909);
            assertThat(LtvMath.ltv(dec("50000").subtract(x.multiply(p55)), BigDecimal.ONE.subtract(x), p55))
                    .isLessThanOrEqualTo(dec("0.600000"))
                    .isGreaterThan(dec("0.599990"));
            assertThat(s.liquidationPending()).isTrue();
            assertThat(s.liquidationId).isEqualTo(t.liquidationId());
            assertThat(s.liquidationAt).isEqualTo(T1);
        }

        @Test
        void noSecondTriggerWhilePendingEvenIfThePriceDropsFurther() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String id = s.liquidationId;
            assertThat(eval(T1 + MINUTE, LTV_0926)).isEmpty();
            assertThat(eval(T1 + 2 * MINUTE, "45000")).isEmpty();
            assertThat(s.liquidationId).isEqualTo(id);
        }

        @Test
        void unconfirmedOnceAtTriggerPlusConfirmTimeout() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String id = s.liquidationId;
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T1 + CONFIRM);
            assertThat(timer(T1 + CONFIRM - 1)).isEmpty();

            Decision u = only(timer(T1 + CONFIRM), LIQUIDATION_UNCONFIRMED);
            assertThat(u.eventTime()).isEqualTo(T1 + CONFIRM);
            assertThat(u.liquidationId()).isEqualTo(id);
            assertThat(timer(T1 + 2 * HOUR)).isEmpty();
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
            // Still pending: an answer may yet come, and nothing re-triggers meanwhile.
            assertThat(s.liquidationId).isEqualTo(id);
            assertThat(eval(T2, LTV_0926)).isEmpty();
        }

        @Test
        void executedWithTheMatchingIdEndsPendingWithoutRetriggerUntilAmountsChange() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String first = s.liquidationId;
            assertThat(rules.onLiquidationExecuted(s, first)).isTrue();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
            // The pre-sale amounts would liquidate the same collateral twice.
            assertThat(eval(T1 + MINUTE, LTV_0909)).isEmpty();
            assertThat(eval(T1 + 2 * MINUTE, LTV_0926)).isEmpty();
            assertThat(timer(T1 + CONFIRM)).isEmpty();

            // New amounts still above liquidation at the last price: 45,000 / (0.9 x 54,000) = 0.9259,
            // so a new trigger; the collateral decrease is the sale itself, not an initial-margin breach.
            List<Decision> out = amounts("0.9", "45000", true, T2);
            assertThat(types(out)).containsExactly(LIQUIDATION_TRIGGERED);
            Decision t = out.get(0);
            assertThat(t.reason()).isEqualTo(THRESHOLD);
            assertThat(t.eventTime()).isEqualTo(T2);
            assertThat(t.liquidationId()).isNotEqualTo(first);
            assertThat(t.liquidateCollateral()).isEqualTo(sized("45000", "0.9", LTV_0926));
        }

        @Test
        void executedThenAmountsBelowLiquidationDoNotRetrigger() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            assertThat(rules.onLiquidationExecuted(s, s.liquidationId)).isTrue();
            // The sale: 0.77272728 BTC for 42,500.00 USD leaves 0.22727272 BTC against 7,499.99 (LTV 0.59999).
            List<Decision> out = amounts("0.22727272", "7499.99", true, T2);
            Decision h = only(out, LTV_HEALTHY);
            assertBands(h, LIQUIDATION, HEALTHY);
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.awaitingAmounts).isFalse();
        }

        @Test
        void aWrongIdIsRefused() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String id = s.liquidationId;
            assertThat(rules.onLiquidationExecuted(s, "not-" + id)).isFalse();
            assertThat(rules.onLiquidationExecuted(s, null)).isFalse();
            assertThat(rules.onLiquidationFailed(s, "not-" + id, T2, last)).isNull();
            assertThat(s.liquidationId).isEqualTo(id);
            assertThat(s.liquidationAt).isEqualTo(T1);
            assertThat(s.awaitingAmounts).isFalse();
            assertThat(only(timer(T1 + CONFIRM), LIQUIDATION_UNCONFIRMED).liquidationId()).isEqualTo(id);
        }

        @Test
        void answersWithNothingPendingAreRefused() {
            eval(T0, LTV_050);
            assertThat(rules.onLiquidationExecuted(s, "any")).isFalse();
            assertThat(rules.onLiquidationFailed(s, "any", T1, last)).isNull();
            assertThat(s.awaitingAmounts).isFalse();
        }

        @Test
        void failedIsRetestedAtOnceAtTheLastPrice() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String first = s.liquidationId;
            PriceView lastPrice = view(T1 + MINUTE, LTV_0926);
            assertThat(eval(lastPrice)).isEmpty();

            List<Decision> out = rules.onLiquidationFailed(s, first, T2, last);
            Decision t = only(out, LIQUIDATION_TRIGGERED);
            assertThat(t.reason()).isEqualTo(THRESHOLD);
            assertThat(t.eventTime()).isEqualTo(T2);
            assertThat(t.price()).isEqualTo(lastPrice);
            assertThat(t.liquidationId()).isNotEqualTo(first).isEqualTo(s.liquidationId);
            assertThat(t.liquidateCollateral()).isEqualTo(sized("50000", "1", LTV_0926));
            assertThat(s.liquidationAt).isEqualTo(T2);
            // The old id is no longer the pending one.
            assertThat(rules.onLiquidationExecuted(s, first)).isFalse();
        }

        @Test
        void failedAfterTheLtvRecoveredEndsPendingWithoutATrigger() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String first = s.liquidationId;
            // LTV falls into margin call while the sale is in progress: the facility stays in liquidation.
            assertThat(eval(T1 + MINUTE, LTV_0862)).isEmpty();
            assertThat(s.band).isEqualTo(Band.LIQUIDATION);
            // The sale failed and LTV is below liquidation: the band catches up and a call is issued.
            Decision call = only(rules.onLiquidationFailed(s, first, T2, last), MARGIN_CALL_ISSUED);
            assertBands(call, LIQUIDATION, MARGIN_CALL);
            assertThat(call.cureDeadline()).isEqualTo(T2 + 48 * HOUR);
            assertThat(s.liquidationPending()).isFalse();
            // Nothing pending any more: the next reach of the threshold triggers.
            assertThat(only(eval(T3, LTV_0909), LIQUIDATION_TRIGGERED).reason()).isEqualTo(THRESHOLD);
        }

        @Test
        void failedWhileThePriceIsUnavailableWaitsForThePrice() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String first = s.liquidationId;
            assertThat(eval(unavailable(T1 + MINUTE))).isEmpty();
            assertThat(rules.onLiquidationFailed(s, first, T2, last)).isEmpty();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(only(eval(T3, LTV_0909), LIQUIDATION_TRIGGERED).reason()).isEqualTo(THRESHOLD);
        }

        @Test
        void anAmountChangeEndsPendingAndReevaluates() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            String first = s.liquidationId;
            // Accrued interest: still above liquidation, so a fresh trigger on the new amounts.
            List<Decision> out = amounts("1", "50010", true, T2);
            assertThat(types(out)).containsExactly(INITIAL_MARGIN_BREACH, LIQUIDATION_TRIGGERED);
            assertThat(out.get(1).liquidationId()).isNotEqualTo(first);
            assertThat(out.get(1).liquidateCollateral()).isEqualTo(sized("50010", "1", LTV_0909));
        }

        @Test
        void debtIncreaseBreachesTheInitialMarginAgain() {
            s = facility("1", "40000");
            assertThat(eval(T0, LTV_0625)).isEmpty(); // 0.50
            assertThat(amounts("1", "47999.99", true, T1)).isEmpty();
            Decision im = only(amounts("1", "48000", true, T2), INITIAL_MARGIN_BREACH); // 0.60 exactly
            assertBands(im, HEALTHY, HEALTHY);
            assertThat(im.eventTime()).isEqualTo(T2);
            // A decrease in risk is not re-checked, even at or above the IM.
            assertThat(amounts("1", "49000", false, T3)).isEmpty();
            assertThat(types(amounts("1", "49500", true, T3 + MINUTE))).containsExactly(INITIAL_MARGIN_BREACH);
            // A collateral decrease counts as a risk increase too.
            assertThat(types(amounts("0.99", "49500", true, T3 + 2 * MINUTE))).containsExactly(INITIAL_MARGIN_BREACH);
        }

        @Test
        void shortfallWhenTheCollateralCannotCoverTheDebt() {
            eval(T0, LTV_050);
            List<Decision> out = eval(T1, LTV_120);
            assertThat(types(out)).containsExactly(LIQUIDATION_TRIGGERED, LIQUIDATION_SHORTFALL);
            Decision t = out.get(0);
            Decision sf = out.get(1);
            assertThat(t.liquidateCollateral()).isEqualTo(dec("1.00000000"));
            assertThat(t.shortfall()).isNull();
            // 50,000 - 1 x 41,666.67 = 8,333.33.
            assertThat(sf.shortfall()).isEqualTo(dec("8333.33"));
            assertThat(sf.liquidationId()).isEqualTo(t.liquidationId());
            assertThat(sf.reason()).isEqualTo(THRESHOLD);
            assertBands(sf, HEALTHY, LIQUIDATION);
        }

        @Test
        void deadlineAfterAnExecutedSaleDoesNotLiquidateThePreSaleAmountsAgain() {
            eval(T0, LTV_080);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            assertThat(rules.onLiquidationExecuted(s, s.liquidationId)).isTrue();
            // The new amounts are late: the call's deadline passes first.
            assertThat(timer(T0 + CURE_PERIOD)).isEmpty();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.held()).isFalse();
            assertThat(only(amounts("0.22727272", "7499.99", true, T0 + CURE_PERIOD + MINUTE), LTV_HEALTHY).bandAfter())
                    .isEqualTo(HEALTHY);
        }
    }

    @Nested
    class Holds {

        @Test
        void deadlineWhileThePriceIsUnavailableIsHeldThenTriggersIfStillUncured() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            PriceView gone = unavailable(deadline - HOUR);
            assertThat(eval(gone)).isEmpty();

            Decision h = only(timer(deadline), LIQUIDATION_HELD);
            assertThat(h.reason()).isEqualTo(CURE_EXPIRED);
            assertThat(h.holdReason()).isEqualTo(HOLD_PRICE_UNAVAILABLE);
            assertThat(h.eventTime()).isEqualTo(deadline);
            assertThat(h.liquidationId()).isNull();
            assertThat(s.held()).isTrue();
            assertThat(s.holdSince).isEqualTo(deadline);
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(deadline + ESCALATE);

            // Still unavailable: nothing.
            assertThat(eval(unavailable(deadline + MINUTE))).isEmpty();
            PriceView back = view(deadline + 10 * MINUTE, LTV_080);
            Decision t = only(eval(back), LIQUIDATION_TRIGGERED);
            assertThat(t.reason()).isEqualTo(CURE_EXPIRED);
            assertThat(t.eventTime()).isEqualTo(deadline + 10 * MINUTE);
            assertThat(t.price()).isEqualTo(back);
            assertBands(t, MARGIN_CALL, MARGIN_CALL);
            // (50,000 - 37,500) / 25,000 = 0.5 exactly.
            assertThat(t.liquidateCollateral()).isEqualTo(dec("0.50000000"));
            assertThat(s.held()).isFalse();
            assertThat(s.liquidationPending()).isTrue();
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(deadline + 10 * MINUTE + CONFIRM);
        }

        @Test
        void deadlineHoldIsReleasedWhenThePriceReturnsCured() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            eval(unavailable(deadline - HOUR));
            only(timer(deadline), LIQUIDATION_HELD);

            List<Decision> out = eval(deadline + 10 * MINUTE, LTV_075);
            // The release names the band the facility is back in: one event, no separate warning.
            assertThat(types(out)).containsExactly(LIQUIDATION_RELEASED);
            assertThat(out.get(0).reason()).isEqualTo(CURE_EXPIRED);
            assertThat(out.get(0).liquidationId()).isNull();
            assertBands(out.get(0), MARGIN_CALL, WARNING);
            assertThat(s.held()).isFalse();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void noBandMovesWhileThePriceIsUnavailable() {
            eval(T0, LTV_080);
            long deadline = s.cureDeadline;
            assertThat(eval(unavailable(T1))).isEmpty();
            // Unavailable with a stale price attached: still nothing.
            assertThat(eval(new PriceView(T2, evaluationId(T2), dec(LTV_050), false, false))).isEmpty();
            assertThat(eval(new PriceView(T3, evaluationId(T3), dec(LTV_0909), false, false))).isEmpty();
            assertThat(s.band).isEqualTo(MARGIN_CALL);
            assertThat(s.cureDeadline).isEqualTo(deadline);
            assertThat(s.liquidationPending()).isFalse();
            // An amount change does not evaluate without a price either.
            assertThat(amounts("2", "50000", false, T3 + MINUTE)).isEmpty();
            assertThat(s.band).isEqualTo(MARGIN_CALL);
        }

        @Test
        void openIncidentHoldsAThresholdLiquidationAndTheCloseRetestsAtTheNormalPrice() {
            eval(T0, LTV_050);
            // The conservative price during the incident says liquidation; the normal one does too.
            Decision h = only(eval(incident(T1, LTV_0909)), LIQUIDATION_HELD);
            assertThat(h.reason()).isEqualTo(THRESHOLD);
            assertThat(h.holdReason()).isEqualTo(HOLD_DIVERGENCE);
            assertBands(h, HEALTHY, LIQUIDATION);
            assertThat(s.holdSince).isEqualTo(T1);
            assertThat(eval(incident(T1 + MINUTE, LTV_0926))).isEmpty();

            PriceView closed = view(T1 + 10 * MINUTE, LTV_090);
            Decision t = only(eval(closed), LIQUIDATION_TRIGGERED);
            assertThat(t.reason()).isEqualTo(THRESHOLD);
            assertThat(t.price()).isEqualTo(closed);
            assertThat(t.liquidateCollateral()).isEqualTo(sized("50000", "1", LTV_090));
            assertThat(s.held()).isFalse();
        }

        @Test
        void incidentHoldIsReleasedWhenTheNormalPriceIsBelowLiquidation() {
            eval(T0, LTV_080);
            only(eval(incident(T1, LTV_0909)), LIQUIDATION_HELD);
            // Below 0.90 but inside the liquidation band's hysteresis: released, band stays, call keeps running.
            Decision r = only(eval(T2, LTV_BELOW_090), LIQUIDATION_RELEASED);
            assertThat(r.reason()).isEqualTo(THRESHOLD);
            assertThat(s.held()).isFalse();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.cureDeadline).isEqualTo(T0 + CURE_PERIOD);
            // The threshold reached again without an incident triggers.
            assertThat(only(eval(T3, LTV_090), LIQUIDATION_TRIGGERED).reason()).isEqualTo(THRESHOLD);
        }

        @Test
        void heldLiquidationEscalatesOnceAfterHoldEscalateAfter() {
            eval(T0, LTV_050);
            only(eval(incident(T1, LTV_0909)), LIQUIDATION_HELD);
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T1 + ESCALATE);
            assertThat(timer(T1 + ESCALATE - 1)).isEmpty();
            Decision e = only(timer(T1 + ESCALATE), LIQUIDATION_HOLD_ESCALATED);
            assertThat(e.eventTime()).isEqualTo(T1 + ESCALATE);
            assertThat(e.reason()).isEqualTo(THRESHOLD);
            assertThat(e.holdReason()).isEqualTo(HOLD_DIVERGENCE);
            assertThat(timer(T1 + 3 * ESCALATE)).isEmpty();
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
            assertThat(s.held()).isTrue();
        }

        @Test
        void deadlineDuringAnIncidentIsHeldAsDivergence() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            assertThat(eval(incident(deadline - HOUR, LTV_0806))).isEmpty();
            Decision h = only(timer(deadline), LIQUIDATION_HELD);
            assertThat(h.reason()).isEqualTo(CURE_EXPIRED);
            assertThat(h.holdReason()).isEqualTo(HOLD_DIVERGENCE);
            assertThat(only(eval(deadline + MINUTE, LTV_0795), LIQUIDATION_TRIGGERED).reason()).isEqualTo(CURE_EXPIRED);
        }

        @Test
        void aCircuitBreakerHoldFromStateKeptBeforeThePairWideBreakerIsReTestedAtTheNextPrice() {
            eval(T0, LTV_050);
            eval(T1, LTV_0862);
            s.band = Band.LIQUIDATION;
            s.holdTrigger = THRESHOLD;
            s.holdReason = Decision.HOLD_CIRCUIT_BREAKER;
            s.holdSince = T1;
            // Its trigger goes to the pair-wide breaker as any other candidate.
            assertThat(only(eval(T2, LTV_0909), LIQUIDATION_TRIGGERED).reason()).isEqualTo(THRESHOLD);
            assertThat(s.held()).isFalse();
        }

        @Test
        void everyDueLiquidationTriggersHereTheBreakerBeingPairWideDownstream() {
            // No shard can count the pair: the pair-wide breaker (CircuitBreakerRules) decides after
            // this trigger, and a trigger it holds stays pending here under its liquidation id.
            eval(T0, LTV_050);
            Decision t = only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            assertThat(s.liquidationPending()).isTrue();
            assertThat(s.liquidationId).isEqualTo(t.liquidationId());
            // Neither a deeper price nor a recovery triggers, cures or clears it while it is pending.
            assertThat(eval(T1 + MINUTE, LTV_0926)).isEmpty();
            assertThat(eval(T1 + 2 * MINUTE, LTV_BELOW_090)).isEmpty();
            assertThat(s.band).isEqualTo(Band.LIQUIDATION);
            // New amounts end it: the LTV stage takes the facility back and re-tests it.
            assertThat(types(amounts("1", "50010", true, T1 + 4 * MINUTE))).contains(INITIAL_MARGIN_BREACH, LIQUIDATION_TRIGGERED);
        }
    }

    @Nested
    class CollateralMissing {

        @Test
        void zeroCollateralWithDebtIsReportedOnceAndNeverLiquidated() {
            s = facility("0", "50000");
            Decision m = only(eval(T0, LTV_0909), COLLATERAL_MISSING);
            assertThat(m.eventTime()).isEqualTo(T0);
            assertThat(m.liquidationId()).isNull();
            assertThat(LtvMath.ltv(s.outstanding, s.collateral, dec(LTV_0909))).isNull();

            assertThat(eval(T1, LTV_080)).isEmpty();
            assertThat(amounts("0", "60000", true, T2)).isEmpty();
            assertThat(timer(T2 + 100 * HOUR)).isEmpty();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.held()).isFalse();

            // Collateral arrives: the first real LTV is evaluated as a first evaluation.
            List<Decision> out = amounts("1", "50000", false, T3);
            assertThat(types(out)).containsExactly(INITIAL_MARGIN_BREACH, MARGIN_CALL_ISSUED);
            assertBands(out.get(1), HEALTHY, MARGIN_CALL);
            assertThat(s.collateralMissing).isFalse();
        }

        @Test
        void collateralWithdrawnDuringACallNeverLiquidatesAndReportsAgainAfterResolving() {
            eval(T0, LTV_080);
            Decision m = only(amounts("0", "50000", true, T1), COLLATERAL_MISSING);
            assertBands(m, MARGIN_CALL, MARGIN_CALL);
            // The deadline passes: there is nothing to sell.
            assertThat(timer(T0 + CURE_PERIOD)).isEmpty();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.held()).isFalse();

            // Back with collateral (LTV 0.40): the call ended at its deadline, so this is not a cure.
            assertThat(types(amounts("2", "50000", false, T0 + CURE_PERIOD + HOUR))).containsExactly(LTV_HEALTHY);
            assertThat(s.collateralMissing).isFalse();
            assertThat(types(amounts("0", "50000", true, T0 + CURE_PERIOD + 2 * HOUR))).containsExactly(COLLATERAL_MISSING);
        }

        @Test
        void zeroDebtIsHealthy() {
            s = facility("1", "0");
            assertThat(eval(T0, LTV_120)).isEmpty();
            assertThat(s.band).isEqualTo(HEALTHY);

            s = facility("0", "0");
            assertThat(eval(T0, LTV_120)).isEmpty();
            assertThat(s.band).isEqualTo(HEALTHY);
            assertThat(s.collateralMissing).isFalse();
        }
    }

    @Nested
    class Timers {

        @Test
        void nothingRunningIsNoTimer() {
            assertThat(new FacilityState().nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
            eval(T0, LTV_070);
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void nextTimerIsTheEarliestOfDeadlineConfirmationAndEscalation() {
            FacilityState f = new FacilityState();
            f.cureDeadline = T0 + CURE_PERIOD;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T0 + CURE_PERIOD);

            f.liquidationAt = T1;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T1 + CONFIRM);
            f.unconfirmedReported = true;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T0 + CURE_PERIOD);

            f.holdSince = T2;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T2 + ESCALATE);
            f.unconfirmedReported = false;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T1 + CONFIRM);
            f.holdSince = T0;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T0 + ESCALATE);
            f.holdEscalated = true;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T1 + CONFIRM);

            f.cureDeadline = null;
            f.liquidationAt = null;
            assertThat(f.nextTimer(CONFIRM, ESCALATE)).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void aMarginCallRunsItsDeadline() {
            eval(T0, LTV_080);
            assertThat(s.nextTimer(CONFIRM, ESCALATE)).isEqualTo(T0 + CURE_PERIOD);
        }
    }

    @Nested
    class Determinism {

        @Test
        void sameInputsGiveTheSameDecisionsAndIds() {
            List<Decision> a = scenario(facility("1", "50000"));
            List<Decision> b = scenario(facility("1", "50000"));
            assertThat(a).isEqualTo(b);
            List<String> ids = a.stream().map(Decision::liquidationId).filter(id -> id != null).distinct().toList();
            assertThat(ids).hasSize(2);
        }

        @Test
        void theIdDependsOnTheEvaluationAndTheFacility() {
            FacilityState a = facility("1", "50000");
            FacilityState b = facility("1", "50000");
            FacilityState c = facility("1", "50000");
            c.facilityId = "F-2";
            rules.onEvaluation(a, view(T1, LTV_0909));
            rules.onEvaluation(b, view(T1 + 1, LTV_0909));
            rules.onEvaluation(c, view(T1, LTV_0909));
            assertThat(a.liquidationId).isNotNull().isNotEqualTo(b.liquidationId).isNotEqualTo(c.liquidationId);
        }

        /** A trigger, a failure and its re-trigger: two liquidation ids. */
        private List<Decision> scenario(FacilityState f) {
            List<Decision> out = new ArrayList<>();
            out.addAll(rules.onEvaluation(f, view(T0, LTV_080)));
            out.addAll(rules.onEvaluation(f, view(T1, LTV_0909)));
            PriceView p = view(T1 + MINUTE, LTV_0926);
            out.addAll(rules.onEvaluation(f, p));
            out.addAll(rules.onLiquidationFailed(f, f.liquidationId, T2, p));
            out.addAll(rules.onTimer(f, T2 + CONFIRM, p));
            return out;
        }
    }

    @Nested
    class AfterAnExpiredCall {

        @Test
        void theRulesKeepThePolicyTheyWereMadeFor() {
            assertThat(rules.policy()).isSameAs(STANDARD);
        }

        @Test
        void onlyBothSidesOfAnExecutedSaleBookIt() {
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            assertThat(rules.onLiquidationExecuted(s, s.liquidationId)).isTrue();
            // The collateral side alone: the debt side of the sale has not arrived.
            s.collateral = dec("0.22727272");
            s.collateralVersion++;
            assertThat(rules.onAmountsChanged(s, true, last, T2)).isEmpty();
            assertThat(s.awaitingAmounts).isTrue();
            assertThat(s.liquidationPending()).isFalse();

            s = facility("1", "50000");
            eval(T0, LTV_050);
            only(eval(T1, LTV_0909), LIQUIDATION_TRIGGERED);
            assertThat(rules.onLiquidationExecuted(s, s.liquidationId)).isTrue();
            // The debt side alone: the band is kept until the collateral side books the sale.
            s.outstanding = dec("7499.99");
            s.debtVersion++;
            assertThat(rules.onAmountsChanged(s, false, last, T2)).isEmpty();
            assertThat(s.awaitingAmounts).isTrue();
            assertThat(s.band).isEqualTo(LIQUIDATION);
        }

        @Test
        void aFailedCureExpiredSaleIsRetriedWhileTheCallIsStillUncured() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            Decision expired = only(timer(deadline), LIQUIDATION_TRIGGERED);
            assertThat(expired.reason()).isEqualTo(CURE_EXPIRED);
            String first = s.liquidationId;

            List<Decision> out = rules.onLiquidationFailed(s, first, deadline + HOUR, last);
            Decision again = only(out, LIQUIDATION_TRIGGERED);
            assertThat(again.reason()).isEqualTo(CURE_EXPIRED);
            assertThat(again.eventTime()).isEqualTo(deadline + HOUR);
            assertThat(again.liquidationId()).isNotEqualTo(first).isEqualTo(s.liquidationId);
        }

        @Test
        void inMarginCallWithNoCallRunningOnceTheLiquidationEndsANewCallIsIssued() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            only(timer(deadline), LIQUIDATION_TRIGGERED);
            // New amounts end the pending sale; still in margin call (50,010 / 62,500 = 0.80016) and
            // debt up, so an initial-margin breach as well as a new call with a new deadline.
            List<Decision> out = amounts("1", "50010", true, deadline + HOUR);
            assertThat(types(out)).containsExactly(INITIAL_MARGIN_BREACH, MARGIN_CALL_ISSUED);
            Decision call = out.get(1);
            assertBands(call, MARGIN_CALL, MARGIN_CALL);
            assertThat(call.cureDeadline()).isEqualTo(deadline + HOUR + CURE_PERIOD);
            assertThat(s.cureDeadline).isEqualTo(deadline + HOUR + CURE_PERIOD);
        }

        @Test
        void collateralGoneWhileThePriceWasUnavailableIsReportedAtTheDeadlineNotLiquidated() {
            eval(T0, LTV_080);
            long deadline = T0 + CURE_PERIOD;
            eval(unavailable(T1));
            // Not evaluated without a price: nothing is known to be missing yet.
            assertThat(amounts("0", "50000", true, T2)).isEmpty();
            Decision m = only(timer(deadline), COLLATERAL_MISSING);
            assertThat(m.cureDeadline()).isEqualTo(deadline);
            assertThat(s.collateralMissing).isTrue();
            assertThat(s.liquidationPending()).isFalse();
            assertThat(s.held()).isFalse();
        }

        @Test
        void noCollateralAndNoDebtAtTheDeadlineIsNothingToReport() {
            eval(T0, LTV_080);
            eval(unavailable(T1));
            assertThat(amounts("0", "0", false, T2)).isEmpty();
            assertThat(timer(T0 + CURE_PERIOD)).isEmpty();
            assertThat(s.collateralMissing).isFalse();
        }
    }

    // ---- fixture ----

    private static FacilityState facility(String collateral, String outstanding) {
        FacilityState f = new FacilityState();
        f.facilityId = "F-1";
        f.borrowerId = "B-1";
        f.custodian = "bitgo";
        f.pair = PAIR;
        f.policy = "standard";
        f.collateral = collateral == null ? null : dec(collateral);
        f.collateralVersion = collateral == null ? -1 : 1;
        f.outstanding = outstanding == null ? null : dec(outstanding);
        f.debtVersion = outstanding == null ? -1 : 1;
        return f;
    }

    private List<Decision> eval(long t, String price) {
        return eval(view(t, price));
    }

    private List<Decision> eval(PriceView p) {
        last = p;
        return rules.onEvaluation(s, p);
    }

    private List<Decision> timer(long t) {
        return rules.onTimer(s, t, last);
    }

    /** New amounts applied to the state, then the rules told, as the operator does. */
    private List<Decision> amounts(String collateral, String outstanding, boolean riskIncreased, long t) {
        s.collateral = dec(collateral);
        s.collateralVersion++;
        s.outstanding = dec(outstanding);
        s.debtVersion++;
        return rules.onAmountsChanged(s, riskIncreased, last, t);
    }

    private static PriceView view(long t, String price) {
        return new PriceView(t, evaluationId(t), dec(price), true, false);
    }

    private static PriceView incident(long t, String conservativePrice) {
        return new PriceView(t, evaluationId(t), dec(conservativePrice), true, true);
    }

    private static PriceView unavailable(long t) {
        return new PriceView(t, evaluationId(t), null, false, false);
    }

    private static String evaluationId(long t) {
        return EventIds.evaluationId(PAIR, t);
    }

    private static BigDecimal sized(String outstanding, String collateral, String price) {
        return LiquidationSizer.size(dec(outstanding), dec(collateral), dec(price), STANDARD.liquidationTarget(), BTC, USD)
                .liquidateCollateral();
    }

    private static List<String> types(List<Decision> decisions) {
        return decisions.stream().map(Decision::type).toList();
    }

    /** The single decision of {@code decisions}, which must be of {@code type}. */
    private static Decision only(List<Decision> decisions, String type) {
        assertThat(types(decisions)).containsExactly(type);
        return decisions.get(0);
    }

    private static void assertBands(Decision d, Band before, Band after) {
        assertThat(d.bandBefore()).as("%s band before", d.type()).isEqualTo(before);
        assertThat(d.bandAfter()).as("%s band after", d.type()).isEqualTo(after);
    }

    private static BigDecimal dec(String s) {
        return new BigDecimal(s);
    }
}
