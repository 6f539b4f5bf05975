package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.lifecycle.LtvMath;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The LTV stage in event time, through its operator: margin calls cured and expired, cures at the
 * deadline's instant, hysteresis, custodian answers, holds while the price is unavailable, closed
 * facilities, snapshot and restore, the work one price update costs, determinism, side outputs.
 *
 * <p>Standard policy throughout: warning 0.70, margin call 0.80, liquidation 0.90 (hysteresis 0.01,
 * so a call is cured below 0.79), cure period 48 h, liquidation target 0.60. Most facilities hold
 * 1 BTC against 80,000 USD: healthy at {@value #CALM}, in margin call at or below 100,000, cured
 * above 101,265.82, liquidated at or below 88,888.88.
 */
class LtvFunctionTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final PolicyConfig STANDARD = CONFIG.policies().get("standard");
    private static final String PAIR = "BTC-USD";

    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long CURE_PERIOD = Duration.ofHours(48).toMillis();
    private static final long CONFIRM_TIMEOUT = Duration.ofMinutes(30).toMillis();
    private static final long HOLD_ESCALATE_AFTER = Duration.ofMinutes(30).toMillis();

    private static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    /** The price falls into margin call. */
    private static final long CALL = T0 + HOUR;
    private static final long DEADLINE = CALL + CURE_PERIOD;
    /** The price falls to liquidation (facilities that never saw a margin call). */
    private static final long CRASH = T0 + 2 * HOUR;

    /** LTV 0.571 for 80,000 against 1 BTC: healthy, and under the initial margin. */
    private static final String CALM = "140000";

    // --- margin call cured in time

    @Test
    void marginCallCuredByPostingCollateral() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));

            stage.price(CALL, "98000.00");
            stage.watermark(CALL);
            List<LifecycleEvent> issued = stage.events();
            // From HEALTHY straight into MARGIN_CALL: only the event of the band entered, naming the band left.
            assertThat(issued).extracting(LifecycleEvent::type, LifecycleEvent::bandBefore, LifecycleEvent::bandAfter)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", "HEALTHY", "MARGIN_CALL"));
            LifecycleEvent call = issued.get(0);
            assertThat(call.eventTime()).isEqualTo(CALL);
            assertThat(call.cureDeadline()).isEqualTo(DEADLINE);
            assertThat(call.ltv()).isEqualTo(new BigDecimal("0.816327"));
            assertThat(call.ltvPrice()).isEqualByComparingTo("98000");
            assertThat(call.evaluationId()).isEqualTo(evaluationId(CALL));
            // Below 0.79 at 98,000: 80,000 < 0.79 x (1 + x) x 98,000, or a repayment of more than 2,580.
            assertThat(call.collateralToCure()).isEqualTo(new BigDecimal("0.03332473"));
            assertThat(call.debtToCure()).isEqualTo(new BigDecimal("2580.01"));
            assertThat(call.recipients()).containsExactly("borrower", "lender");

            long posted = CALL + 6 * HOUR;
            stage.send(f.collateralAt(posted, "1.10000000"));
            stage.watermark(posted);
            List<LifecycleEvent> cured = stage.events();
            // 0.742 at 98,000: below 0.79 (cured), not below 0.69 (still WARNING).
            assertThat(cured).extracting(LifecycleEvent::type, LifecycleEvent::bandBefore, LifecycleEvent::bandAfter,
                    LifecycleEvent::eventTime, LifecycleEvent::collateralVersion)
                    .containsExactly(tuple("MARGIN_CALL_CURED", "MARGIN_CALL", "WARNING", posted, 2L));

            stage.watermark(DEADLINE + HOUR);
            assertThat(stage.events()).isEmpty();
            assertThat(stage.harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void marginCallCuredByPriceRecoveryAndANewCallGetsANewDeadline() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));

            stage.price(CALL, "98000.00");
            stage.price(CALL + HOUR, "99500.00"); // 0.804: still in the call
            stage.price(CALL + 2 * HOUR, "102000.00"); // 0.784: cured
            stage.price(CALL + 3 * HOUR, "120000.00"); // 0.667: healthy
            long secondCall = CALL + 4 * HOUR;
            stage.price(secondCall, "98000.00");
            stage.watermark(secondCall);

            assertThat(stage.events())
                    .extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::bandBefore,
                            LifecycleEvent::bandAfter, LifecycleEvent::cureDeadline)
                    .containsExactly(
                            tuple("MARGIN_CALL_ISSUED", CALL, "HEALTHY", "MARGIN_CALL", DEADLINE),
                            tuple("MARGIN_CALL_CURED", CALL + 2 * HOUR, "MARGIN_CALL", "WARNING", null),
                            tuple("LTV_HEALTHY", CALL + 3 * HOUR, "WARNING", "HEALTHY", null),
                            tuple("MARGIN_CALL_ISSUED", secondCall, "HEALTHY", "MARGIN_CALL", secondCall + CURE_PERIOD));

            // The first call's deadline passes: it was cured, and must not expire the second call early.
            stage.watermark(DEADLINE + HOUR);
            assertThat(stage.events()).isEmpty();

            stage.watermark(secondCall + CURE_PERIOD);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::reason, LifecycleEvent::eventTime)
                    .containsExactly(tuple("LIQUIDATION_TRIGGERED", "CURE_EXPIRED", secondCall + CURE_PERIOD));
        }
    }

    // --- margin call not cured

    @Test
    void uncuredCallIsLiquidatedWhenTheWatermarkPassesTheDeadlineAtTheLastPriceBeforeIt() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            long lastBefore = DEADLINE - HOUR;
            stage.price(lastBefore, "99000.00"); // 0.808: still uncured
            stage.watermark(DEADLINE - 1);
            assertThat(stage.events()).extracting(LifecycleEvent::type).containsExactly("MARGIN_CALL_ISSUED");

            // The next evaluation comes after the deadline, and the watermark passes both in one step:
            // the deadline still sees only what was known at it.
            long after = DEADLINE + 1_000;
            stage.price(after, "85000.00");
            stage.watermark(after);

            List<LifecycleEvent> events = stage.events();
            assertThat(events).extracting(LifecycleEvent::type, LifecycleEvent::reason, LifecycleEvent::eventTime,
                    LifecycleEvent::bandBefore, LifecycleEvent::bandAfter)
                    .containsExactly(tuple("LIQUIDATION_TRIGGERED", "CURE_EXPIRED", DEADLINE, "MARGIN_CALL", "MARGIN_CALL"));
            LifecycleEvent trigger = events.get(0);
            assertThat(trigger.ltvPrice()).isEqualByComparingTo("99000");
            assertThat(trigger.evaluationId()).isEqualTo(evaluationId(lastBefore));
            assertThat(trigger.cureDeadline()).as("the deadline that ran out").isEqualTo(DEADLINE);
            // x = (80,000 - 0.6 x 99,000) / (99,000 x 0.4) = 0.520202..., rounded up to the satoshi.
            assertThat(trigger.liquidateCollateral()).isEqualTo(new BigDecimal("0.52020203"));
            assertThat(trigger.shortfall()).isNull();
            assertThat(trigger.liquidationId()).isNotBlank();
            assertThat(trigger.recipients()).containsExactly("borrower", "lender", "custodian");

            // Pending: the fall to 85,000 (LIQUIDATION) does not trigger a second sale.
            stage.price(after + MINUTE, "84000.00");
            stage.watermark(after + MINUTE);
            assertThat(stage.events()).isEmpty();
        }
    }

    @Test
    void aCureAtTheDeadlinesInstantWinsAndAnEvaluationAtItPricesTheExpiry() throws Exception {
        List<String> ids = sameShardIds(3);
        Loan byCollateral = new Loan(ids.get(0));
        Loan uncured = new Loan(ids.get(1));
        Loan byPrice = new Loan(ids.get(2));
        try (Stage stage = open()) {
            stage.calm(
                    byCollateral.openedAt(T0, "1.00000000", "80000.00"),
                    uncured.openedAt(T0, "1.00000000", "80000.00"),
                    byPrice.openedAt(T0, "1.00000000", "78400.00"));
            stage.price(CALL, "98000.00"); // 78,400 / 98,000 = 0.80 exactly: reaching the threshold enters it
            stage.watermark(DEADLINE - 1);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::cureDeadline)
                    .containsOnly(tuple("MARGIN_CALL_ISSUED", DEADLINE))
                    .hasSize(3);

            // Collateral posted and a price evaluated at the deadline's very instant.
            stage.send(byCollateral.collateralAt(DEADLINE, "1.20000000"));
            stage.price(DEADLINE, "99300.00"); // 78,400: 0.7895, cured; 80,000: 0.8056, not
            stage.watermark(DEADLINE);

            List<LifecycleEvent> events = stage.events();
            assertThat(events).extracting(LifecycleEvent::facilityId, LifecycleEvent::type, LifecycleEvent::eventTime)
                    .containsExactly(
                            tuple(byCollateral.id, "MARGIN_CALL_CURED", DEADLINE),
                            tuple(byPrice.id, "MARGIN_CALL_CURED", DEADLINE),
                            tuple(uncured.id, "LIQUIDATION_TRIGGERED", DEADLINE));
            LifecycleEvent expired = events.get(2);
            assertThat(expired.reason()).isEqualTo("CURE_EXPIRED");
            // The last evaluation at or before the deadline is the one at it.
            assertThat(expired.evaluationId()).isEqualTo(evaluationId(DEADLINE));
            assertThat(expired.liquidateCollateral()).isEqualTo(new BigDecimal("0.51409870"));

            stage.watermark(DEADLINE + HOUR);
            assertThat(stage.events()).extracting(LifecycleEvent::type).containsExactly("LIQUIDATION_UNCONFIRMED");
        }
    }

    // --- hysteresis

    @Test
    void aPriceWobblingAcrossAThresholdDoesNotFlap() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            Map<String, Long> at = new LinkedHashMap<>();
            // Warning at 0.70 (114,285.71 and below); back to healthy only below 0.69 (above 115,942.02).
            long t = wobble(stage, T0, at, "114000", "115000", "114200", "115900", "114285.71", "116000", "115000", "114300");
            // Margin call at 0.80 (100,000 and below); cured only below 0.79 (above 101,265.82).
            t = wobble(stage, t, at, "100000", "100500", "99900", "101265", "100000", "101000");
            // Collateral posted while the price sits between the two: 0.7913 is not below 0.79 either.
            t += MINUTE;
            stage.send(f.collateralAt(t, "1.00100000"));
            t = wobble(stage, t, at, "101300"); // 0.7890
            stage.watermark(t);

            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::eventTime)
                    .containsExactly(
                            tuple("LTV_WARNING", at.get("114000")),
                            tuple("LTV_HEALTHY", at.get("116000")),
                            tuple("MARGIN_CALL_ISSUED", at.get("100000")),
                            tuple("MARGIN_CALL_CURED", at.get("101300")));
            assertThat(stage.bandChanges()).extracting(BandChange::from, BandChange::to)
                    .containsExactly(
                            tuple(Band.HEALTHY, Band.WARNING),
                            tuple(Band.WARNING, Band.HEALTHY),
                            tuple(Band.HEALTHY, Band.MARGIN_CALL),
                            tuple(Band.MARGIN_CALL, Band.WARNING));
        }
    }

    /** Prices a minute apart after {@code t}; {@code at} records when each price was first seen. */
    private static long wobble(Stage stage, long t, Map<String, Long> at, String... prices) {
        for (String p : prices) {
            t += MINUTE;
            stage.price(t, p);
            at.putIfAbsent(p, t);
        }
        return t;
    }

    // --- custodian answers

    @Test
    void anExecutedLiquidationEndsThePendingSaleAndTheNewAmountsAreEvaluated() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CRASH, "88000.00");
            stage.watermark(CRASH);

            List<LifecycleEvent> triggered = stage.events();
            assertThat(triggered).extracting(LifecycleEvent::type, LifecycleEvent::reason, LifecycleEvent::bandBefore,
                    LifecycleEvent::bandAfter, LifecycleEvent::liquidateCollateral)
                    .containsExactly(tuple("LIQUIDATION_TRIGGERED", "THRESHOLD", "HEALTHY", "LIQUIDATION", new BigDecimal("0.77272728")));
            String sale = triggered.get(0).liquidationId();

            stage.send(f.executedAt(CRASH + 10 * MINUTE, sale));
            // Before the new amounts: the pre-sale amounts are not sold again, whatever the price.
            stage.price(CRASH + 15 * MINUTE, "87000.00");
            stage.price(CRASH + 18 * MINUTE, "88000.00");
            stage.watermark(CRASH + 18 * MINUTE);
            assertThat(stage.events()).isEmpty();

            // 0.77272728 BTC sold at 88,000 repays 68,000.01 (the lending core rounds in the borrower's favour).
            long booked = CRASH + 20 * MINUTE;
            stage.send(f.debtAt(booked, "11999.99"), f.collateralAt(booked, "0.22727272"));
            stage.watermark(CRASH + CONFIRM_TIMEOUT + HOUR);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::bandBefore,
                    LifecycleEvent::bandAfter, LifecycleEvent::outstanding)
                    // No LIQUIDATION_UNCONFIRMED at the confirm timeout; 0.59999995 after the sale: no initial-margin breach.
                    .containsExactly(tuple("LTV_HEALTHY", booked, "LIQUIDATION", "HEALTHY", new BigDecimal("11999.99")));

            // The facility is live again: a later fall is a new liquidation.
            long later = CRASH + 3 * HOUR;
            stage.price(later, "60000.00"); // 11,999.99 / (0.22727272 x 60,000) = 0.880: MARGIN_CALL
            stage.price(later + MINUTE, "58000.00"); // 0.910
            stage.watermark(later + MINUTE);
            List<LifecycleEvent> again = stage.events();
            assertThat(again).extracting(LifecycleEvent::type, LifecycleEvent::reason)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", null), tuple("LIQUIDATION_TRIGGERED", "THRESHOLD"));
            assertThat(again.get(1).liquidationId()).isNotEqualTo(sale);
        }
    }

    @Test
    void aFailedLiquidationIsTriggeredAgainAndOnlyTheNewOneTimesOut() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CRASH, "88000.00");
            stage.watermark(CRASH);
            String first = liquidationId(stage.events(), f.id);

            long failedAt = CRASH + 10 * MINUTE;
            stage.send(f.failedAt(failedAt, first));
            stage.send(f.failedAt(failedAt + MINUTE, "an-unknown-liquidation"));
            stage.watermark(failedAt + MINUTE);
            List<LifecycleEvent> retried = stage.events();
            assertThat(retried).extracting(LifecycleEvent::type, LifecycleEvent::reason, LifecycleEvent::eventTime,
                    LifecycleEvent::evaluationId, LifecycleEvent::liquidateCollateral)
                    .containsExactly(tuple("LIQUIDATION_TRIGGERED", "THRESHOLD", failedAt, evaluationId(CRASH), new BigDecimal("0.77272728")));
            String second = retried.get(0).liquidationId();
            assertThat(second).isNotEqualTo(first);

            // The first sale's confirmation timer is void; the second's fires.
            stage.watermark(CRASH + CONFIRM_TIMEOUT);
            assertThat(stage.events()).isEmpty();
            stage.watermark(failedAt + CONFIRM_TIMEOUT);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::liquidationId, LifecycleEvent::eventTime)
                    .containsExactly(tuple("LIQUIDATION_UNCONFIRMED", second, failedAt + CONFIRM_TIMEOUT));
        }
    }

    @Test
    void aFailedCureExpiredLiquidationIsRetriedOnlyWhileTheCallIsUncured() throws Exception {
        List<String> ids = sameShardIds(2);
        Loan uncured = new Loan(ids.get(0));
        Loan recovered = new Loan(ids.get(1));
        try (Stage stage = open()) {
            stage.calm(uncured.openedAt(T0, "1.00000000", "80000.00"), recovered.openedAt(T0, "1.00000000", "77500.00"));
            stage.price(CALL, "96000.00");
            stage.watermark(DEADLINE);
            List<LifecycleEvent> expired = stage.events().stream().filter(e -> e.type().equals("LIQUIDATION_TRIGGERED")).toList();
            assertThat(expired).extracting(LifecycleEvent::facilityId, LifecycleEvent::reason)
                    .containsExactly(tuple(uncured.id, "CURE_EXPIRED"), tuple(recovered.id, "CURE_EXPIRED"));

            // 99,000: 80,000 is at 0.808 (uncured), 77,500 at 0.783 (below 0.79).
            stage.price(DEADLINE + 5 * MINUTE, "99000.00");
            long failedAt = DEADLINE + 10 * MINUTE;
            stage.send(uncured.failedAt(failedAt, expired.get(0).liquidationId()),
                    recovered.failedAt(failedAt, expired.get(1).liquidationId()));
            stage.watermark(failedAt);

            assertThat(stage.events()).extracting(LifecycleEvent::facilityId, LifecycleEvent::type, LifecycleEvent::reason,
                    LifecycleEvent::eventTime)
                    // The recovered facility stayed in liquidation while its sale was outstanding; once
                    // the sale failed its band catches up. Same instant, so either order.
                    .containsExactlyInAnyOrder(
                            tuple(recovered.id, "LTV_WARNING", null, failedAt),
                            tuple(uncured.id, "LIQUIDATION_TRIGGERED", "CURE_EXPIRED", failedAt));
        }
    }

    @Test
    void aLiquidationNeverConfirmedIsReportedOnceAtTheConfirmTimeout() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CRASH, "88000.00");
            stage.watermark(CRASH);
            String sale = liquidationId(stage.events(), f.id);

            stage.watermark(CRASH + CONFIRM_TIMEOUT - 1);
            assertThat(stage.events()).isEmpty();
            stage.watermark(CRASH + CONFIRM_TIMEOUT);
            List<LifecycleEvent> unconfirmed = stage.events();
            assertThat(unconfirmed).extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::liquidationId)
                    .containsExactly(tuple("LIQUIDATION_UNCONFIRMED", CRASH + CONFIRM_TIMEOUT, sale));
            assertThat(unconfirmed.get(0).recipients()).containsExactly("borrower", "lender", "custodian");

            // Still pending: a further fall triggers nothing, and the report is not repeated.
            stage.price(CRASH + CONFIRM_TIMEOUT + MINUTE, "70000.00");
            stage.watermark(CRASH + 10 * HOUR);
            assertThat(stage.events()).isEmpty();
        }
    }

    // --- the source read time behind an event, for the tick-to-event latency

    @Test
    void onlyEventsAPriceDecidedCarryItsReadTimeNotThoseOfACommandOrATimer() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));

            stage.price(CALL, "98000.00", 7_000);
            stage.watermark(CALL);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::ingestedAt)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", 7_000L));

            // More debt at the same price (0.918): the command decides, though its events read that price.
            long borrowed = CALL + HOUR;
            stage.send(f.debtAt(borrowed, "90000.00"));
            stage.watermark(borrowed);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::evaluationId, LifecycleEvent::ingestedAt)
                    .containsExactly(
                            tuple("INITIAL_MARGIN_BREACH", evaluationId(CALL), 0L),
                            tuple("LIQUIDATION_TRIGGERED", evaluationId(CALL), 0L));

            // The confirm timeout falls on a price's instant; the price is applied first, and decides
            // nothing: the timeout is the clock's event, even though it reads that price.
            long timeout = borrowed + CONFIRM_TIMEOUT;
            stage.price(timeout, "98000.00", 8_000);
            stage.watermark(timeout);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::evaluationId, LifecycleEvent::ingestedAt)
                    .containsExactly(tuple("LIQUIDATION_UNCONFIRMED", evaluationId(timeout), 0L));
        }
    }

    // --- the metrics sweep's schedule

    @Test
    void eachShardsMetricsSweepIsOneTimerChainThatARestoreKeeps() throws Exception {
        OperatorSubtaskState snapshot;
        try (Stage stage = open()) {
            stage.harness.setProcessingTime(1_000);
            stage.price(T0, CALM);
            stage.watermark(T0); // every shard takes the price and schedules its first sweep, at 10 s
            assertThat(stage.harness.numProcessingTimeTimers()).isEqualTo(LtvStage.SHARDS);
            stage.harness.setProcessingTime(10_000); // the sweeps run and schedule the next, at 20 s
            stage.price(T0 + 1_000, CALM);
            stage.watermark(T0 + 1_000);
            assertThat(stage.harness.numProcessingTimeTimers()).isEqualTo(LtvStage.SHARDS);
            snapshot = stage.harness.snapshot(1L, 10_000);
        }
        try (Stage stage = restore(snapshot)) {
            // The restored chain (20 s) goes on; a price after the restore starts no second one.
            stage.price(T0 + 2_000, CALM);
            stage.watermark(T0 + 2_000);
            assertThat(stage.harness.numProcessingTimeTimers()).isEqualTo(LtvStage.SHARDS);
            stage.harness.setProcessingTime(20_000);
            assertThat(stage.harness.numProcessingTimeTimers()).isEqualTo(LtvStage.SHARDS);
        }
    }

    @Test
    void theSweepsOfASubtaskTakeAtMostATenthOfItsTimeAndItsShardsAreSweptApart() {
        // Quick sweeps keep the 10-second grid; a late timer does not fire again for the intervals it missed.
        assertThat(LtvFunction.sweepAfter(10_000, 10_005, 3_000_000L, 0)).isEqualTo(20_000);
        assertThat(LtvFunction.sweepAfter(10_000, 47_000, 0, 0)).isEqualTo(50_000);
        // Sweeps taking 2.5 s together: the next waits at least 22.5 s, on the grid.
        assertThat(LtvFunction.sweepAfter(10_000, 12_500, 2_500_000_000L, 0)).isEqualTo(40_000);
        // The shards of a pair take their turns across the interval, bit-reversed: shard 1 (0000001)
        // at 64/128 of it, shard 3 (0000011) at 96/128, shard 64 (1000000) at 1/128.
        assertThat(LtvFunction.sweepOffset(KeyGroupKeys.ltvShardKey("BTC-USD", 0))).isZero();
        assertThat(LtvFunction.sweepOffset(KeyGroupKeys.ltvShardKey("BTC-USD", 1))).isEqualTo(5_000);
        assertThat(LtvFunction.sweepOffset(KeyGroupKeys.ltvShardKey("BTC-USD", 3))).isEqualTo(7_500);
        assertThat(LtvFunction.sweepOffset(KeyGroupKeys.ltvShardKey("BTC-USD", 64))).isEqualTo(78);
        // Any run of shards a subtask holds spreads over the interval: 16 neighbours at every 16th of it.
        java.util.TreeSet<Long> run = new java.util.TreeSet<>();
        for (int shard = 32; shard < 48; shard++) {
            run.add(LtvFunction.sweepOffset(KeyGroupKeys.ltvShardKey("BTC-USD", shard)));
        }
        assertThat(run).hasSize(16);
        assertThat(run.first()).isLessThan(625);
        assertThat(run.last()).isGreaterThan(9_375 - 625);
        assertThat(LtvFunction.nextSweep(1_000, 3_750)).isEqualTo(3_750);
        assertThat(LtvFunction.nextSweep(3_750, 3_750)).isEqualTo(13_750);
        assertThat(LtvFunction.sweepAfter(13_750, 13_760, 0, 3_750)).isEqualTo(23_750);
    }

    @Test
    void aBufferedPriceKeepsItsReadTimeAcrossARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00", 7_000);
            snapshot = stage.harness.snapshot(1L, T0);
        }
        try (Stage stage = restore(snapshot)) {
            stage.watermark(CALL);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::ingestedAt)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", 7_000L));
        }
    }

    // --- price unavailable at the deadline

    @Test
    void aDeadlinePassingWhileThePriceIsUnavailableIsHeldEscalatedAndTriggeredWhenThePriceReturns() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            long lost = DEADLINE - HOUR;
            stage.unavailable(lost);
            stage.watermark(DEADLINE);

            List<LifecycleEvent> held = stage.events();
            assertThat(held).extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::reason,
                    LifecycleEvent::holdReason, LifecycleEvent::liquidationId, LifecycleEvent::evaluationId)
                    .containsExactly(
                            tuple("MARGIN_CALL_ISSUED", CALL, null, null, null, evaluationId(CALL)),
                            tuple("LIQUIDATION_HELD", DEADLINE, "CURE_EXPIRED", "PRICE_UNAVAILABLE", null, evaluationId(lost)));
            assertThat(held.get(1).ltv()).isNull();

            stage.watermark(DEADLINE + HOLD_ESCALATE_AFTER);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::reason,
                    LifecycleEvent::holdReason)
                    .containsExactly(tuple("LIQUIDATION_HOLD_ESCALATED", DEADLINE + HOLD_ESCALATE_AFTER, "CURE_EXPIRED", "PRICE_UNAVAILABLE"));

            long back = DEADLINE + 40 * MINUTE;
            stage.price(back, "97000.00"); // 0.825: the call is still uncured
            stage.watermark(back + HOUR);
            List<LifecycleEvent> triggered = stage.events();
            assertThat(triggered).extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::reason,
                    LifecycleEvent::evaluationId, LifecycleEvent::liquidateCollateral)
                    .containsExactly(
                            tuple("LIQUIDATION_TRIGGERED", back, "CURE_EXPIRED", evaluationId(back), new BigDecimal("0.56185568")),
                            tuple("LIQUIDATION_UNCONFIRMED", back + CONFIRM_TIMEOUT, null, evaluationId(back), null));
        }
    }

    @Test
    void aHoldIsReleasedWhenThePriceReturnsBelowTheCureLevel() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            stage.unavailable(DEADLINE - HOUR);
            stage.watermark(DEADLINE);
            assertThat(stage.events()).extracting(LifecycleEvent::type).containsExactly("MARGIN_CALL_ISSUED", "LIQUIDATION_HELD");

            long back = DEADLINE + 10 * MINUTE;
            stage.price(back, "105000.00"); // 0.762: below 0.79
            stage.watermark(DEADLINE + 2 * HOUR);
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::eventTime, LifecycleEvent::reason,
                    LifecycleEvent::bandBefore, LifecycleEvent::bandAfter)
                    // The release names the band the facility is back in.
                    .containsExactly(tuple("LIQUIDATION_RELEASED", back, "CURE_EXPIRED", "MARGIN_CALL", "WARNING"));
        }
    }

    // --- closing

    @Test
    void aFacilityClosedMidLifecycleLeavesATombstoneAndNoStateAndItsTimersDoNothing() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.price(T0, CALM);
            stage.watermark(T0);
            // The pair's last price, the next metrics sweep and the instant processed, per shard.
            int withoutFacility = stateEntries(stage);
            assertThat(withoutFacility).isEqualTo(3 * LtvStage.SHARDS);

            stage.send(f.openedAt(T0 + MINUTE, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            stage.price(CALL + HOUR, "88000.00"); // liquidation pending while the call's deadline runs
            stage.watermark(CALL + HOUR);
            assertThat(stage.drain().events()).extracting(LifecycleEvent::type)
                    .containsExactly("MARGIN_CALL_ISSUED", "LIQUIDATION_TRIGGERED");
            // + the facility (the circuit breaker's window is kept pair-wide, downstream)
            assertThat(stateEntries(stage)).isEqualTo(withoutFacility + 1);

            long closed = CALL + HOUR + 5 * MINUTE;
            stage.send(f.closedAt(closed));
            stage.watermark(closed);
            assertThat(stage.ltv()).extracting(LtvUpdate::facilityId, LtvUpdate::eventTime, LtvUpdate::closed)
                    .containsExactly(tuple(f.id, closed, true));
            assertThat(stateEntries(stage)).isEqualTo(withoutFacility);

            // The confirmation timeout, the deadline, a fall, and late custodian answers: nothing.
            stage.price(closed + MINUTE, "50000.00");
            stage.send(f.executedAt(closed + 2 * MINUTE, "any"), f.failedAt(closed + 3 * MINUTE, "any"));
            stage.watermark(DEADLINE + HOUR);
            assertThat(stage.drain()).isEqualTo(Outputs.NONE);
            assertThat(stage.harness.numEventTimeTimers()).isZero();
            assertThat(stateEntries(stage)).isEqualTo(withoutFacility);
        }
    }

    @Test
    void closingAFacilityInMarginCallRemovesItsDeadlineTimerButNotAnotherFacilitysAtTheSameInstant() throws Exception {
        List<String> ids = sameShardIds(2);
        Loan closed = new Loan(ids.get(0));
        Loan open = new Loan(ids.get(1));
        try (Stage stage = open()) {
            stage.calm(closed.openedAt(T0, "1.00000000", "80000.00"), open.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            stage.watermark(CALL);
            assertThat(stage.harness.numEventTimeTimers()).isEqualTo(1); // the shared deadline

            stage.send(closed.closedAt(CALL + MINUTE));
            stage.watermark(CALL + MINUTE);
            assertThat(stage.harness.numEventTimeTimers()).isEqualTo(1);
            stage.drain();

            stage.watermark(DEADLINE);
            assertThat(stage.events()).extracting(LifecycleEvent::facilityId, LifecycleEvent::type)
                    .containsExactly(tuple(open.id, "LIQUIDATION_TRIGGERED"));

            stage.send(open.closedAt(DEADLINE + MINUTE));
            stage.watermark(DEADLINE + MINUTE);
            assertThat(stage.harness.numEventTimeTimers()).isZero();
        }
    }

    // --- snapshot and restore

    @Test
    void aRestoreInTheMiddleOfACurePeriodKeepsTheDeadlineAndRebuildsTheIndex() throws Exception {
        List<String> ids = sameShardIds(4);
        // Fresh loans for each run: their versions advance as commands are built.
        Supplier<List<Step>> before = () -> {
            Loan a = new Loan(ids.get(0));
            Loan b = new Loan(ids.get(1));
            Loan c = new Loan(ids.get(2));
            Loan d = new Loan(ids.get(3));
            return List.of(
                    step(T0, List.of(a.openedAt(T0, "1.00000000", "80000.00"), b.openedAt(T0, "1.00000000", "72000.00"),
                            c.openedAt(T0, "1.00000000", "63000.00")), List.of(CALM)),
                    // a: 0.816, margin call; b: 0.735, warning; c: 0.643
                    step(CALL, List.of(), List.of("98000.00")),
                    // Buffered at the snapshot, not yet due: a command and a price.
                    step(CALL + HOUR, List.of(d.openedAt(CALL + 2 * HOUR, "2.00000000", "100000.00")), List.of()),
                    step(CALL + HOUR, List.of(), List.of()).and(CALL + 2 * HOUR, "97000.00"));
        };
        List<Step> after = List.of(
                step(CALL + 2 * HOUR, List.of(), List.of()),
                // a: 0.894, still in margin call; b: 0.804, margin call; c: 0.704, warning; d: 0.559
                step(CALL + 3 * HOUR, List.of(), List.of("89500.00")),
                step(DEADLINE, List.of(), List.of()));

        Outputs uninterrupted;
        try (Stage stage = open()) {
            before.get().forEach(s -> s.run(stage));
            after.forEach(s -> s.run(stage));
            uninterrupted = stage.drain();
        }

        OperatorSubtaskState snapshot;
        Outputs beforeRestore;
        int timersAtSnapshot;
        try (Stage stage = open()) {
            before.get().forEach(s -> s.run(stage));
            snapshot = stage.harness.snapshot(1L, CALL + HOUR);
            timersAtSnapshot = stage.harness.numEventTimeTimers();
            beforeRestore = stage.drain();
        }
        Outputs afterRestore = Outputs.NONE;
        try (Stage stage = restore(snapshot)) {
            assertThat(stage.harness.numEventTimeTimers()).isEqualTo(timersAtSnapshot);
            after.get(0).run(stage);
            // The buffered price at CALL + 2 h moved nobody.
            assertThat(stage.evaluations()).isZero();
            afterRestore = afterRestore.plus(stage.drain());

            after.get(1).run(stage);
            // The rebuilt index hands 89,500 exactly the two facilities it moves.
            assertThat(stage.evaluations()).isEqualTo(2);
            Outputs moved = stage.drain();
            assertThat(moved.events()).extracting(LifecycleEvent::facilityId, LifecycleEvent::type)
                    .containsExactly(tuple(ids.get(1), "MARGIN_CALL_ISSUED"), tuple(ids.get(2), "LTV_WARNING"));
            afterRestore = afterRestore.plus(moved);

            after.get(2).run(stage);
            Outputs expired = stage.drain();
            // The deadline set before the snapshot fires after the restore, at the last price before it.
            assertThat(expired.events()).extracting(LifecycleEvent::facilityId, LifecycleEvent::type, LifecycleEvent::reason,
                    LifecycleEvent::eventTime, LifecycleEvent::evaluationId, LifecycleEvent::liquidateCollateral)
                    .containsExactly(tuple(ids.get(0), "LIQUIDATION_TRIGGERED", "CURE_EXPIRED", DEADLINE,
                            evaluationId(CALL + 3 * HOUR), new BigDecimal("0.73463688")));
            afterRestore = afterRestore.plus(expired);
        }

        assertThat(uninterrupted.events()).extracting(LifecycleEvent::type)
                .containsExactly("MARGIN_CALL_ISSUED", "LTV_WARNING", "MARGIN_CALL_ISSUED", "LTV_WARNING", "LIQUIDATION_TRIGGERED");
        assertThat(beforeRestore.plus(afterRestore)).isEqualTo(uninterrupted);
    }

    @Test
    void afterARestoreWhatTheShardHadProcessedStaysPastThoughTheWatermarkStartsAgain() throws Exception {
        Loan f = new Loan("F-1");
        OperatorSubtaskState snapshot;
        try (Stage stage = open()) {
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            stage.watermark(CALL);
            assertThat(stage.events()).extracting(LifecycleEvent::type).containsExactly("MARGIN_CALL_ISSUED");
            snapshot = stage.harness.snapshot(1L, CALL);
        }
        try (Stage stage = restore(snapshot)) {
            // No watermark since the restore, but the shard had processed CALL: a posting at CALL is
            // applied at once and late, as it would have been without the restore.
            stage.send(f.collateralAt(CALL, "1.10000000"));
            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::appliedLate)
                    .containsExactly(tuple("MARGIN_CALL_CURED", true));
        }
    }

    // --- the work a price update costs

    @Test
    void aSmallPriceMoveEvaluatesOnlyTheFacilitiesWhoseBandItChanges() throws Exception {
        List<String> ids = sameShardIds(1_000);
        Map<String, BigDecimal> debts = new TreeMap<>();
        try (Stage stage = open()) {
            List<FacilityCommand> opened = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                // LTV 0.30 to 0.85 at 100,000, never exactly on a threshold at the prices below.
                BigDecimal debt = new BigDecimal("30000.37").add(BigDecimal.valueOf(55L * i));
                debts.put(ids.get(i), debt);
                opened.add(new Loan(ids.get(i)).openedAt(T0 - MINUTE, "1.00000000", debt.toPlainString()));
            }
            stage.send(opened.toArray(FacilityCommand[]::new));
            stage.price(T0, "100000");
            stage.watermark(T0);
            assertThat(stage.evaluations()).isEqualTo(1_000); // each one's first band
            stage.drain();

            Map<String, Band> bands = bands(debts, "100000", Map.of());
            long t = T0;
            for (String price : List.of("99500", "101000", "101000.50", "98800")) {
                t += MINUTE;
                Map<String, Band> next = bands(debts, price, bands);
                Set<String> moved = new TreeSet<>();
                next.forEach((id, band) -> {
                    if (band != bands.get(id)) {
                        moved.add(id);
                    }
                });
                long evaluationsBefore = stage.evaluations();
                stage.price(t, price);
                stage.watermark(t);

                assertThat(stage.evaluations() - evaluationsBefore).as("evaluations at %s", price).isEqualTo(moved.size());
                Outputs out = stage.drain();
                assertThat(out.events()).extracting(LifecycleEvent::facilityId).as("events at %s", price)
                        .containsExactlyInAnyOrderElementsOf(moved);
                assertThat(out.bandChanges()).extracting(BandChange::facilityId).containsExactlyInAnyOrderElementsOf(moved);
                assertThat(out.bandChanges()).allSatisfy(c -> assertThat(c.to()).isEqualTo(next.get(c.facilityId())));
                bands.putAll(next);
            }
        }
    }

    /** Each facility's band at {@code price} (1 BTC each), stepping down from {@code previous} with hysteresis. */
    private static Map<String, Band> bands(Map<String, BigDecimal> debts, String price, Map<String, Band> previous) {
        Map<String, Band> bands = new TreeMap<>();
        debts.forEach((id, debt) -> bands.put(id, LtvMath.band(debt, BigDecimal.ONE, new BigDecimal(price), STANDARD, previous.get(id))));
        return bands;
    }

    // --- determinism

    @Test
    void theSameInputInAnyInterleavingGivesTheSameEventsWithTheSameIds() throws Exception {
        Outputs commandsFirst;
        try (Stage stage = open()) {
            for (Step s : determinismScenario()) {
                s.commands(stage, Comparator.naturalOrder());
                s.prices(stage);
                stage.watermark(s.watermark());
            }
            commandsFirst = stage.drain();
        }
        Outputs pricesFirstFacilitiesReversed;
        try (Stage stage = open()) {
            for (Step s : determinismScenario()) {
                s.prices(stage);
                s.commands(stage, Comparator.reverseOrder());
                stage.harness.processWatermark2(new Watermark(s.watermark()));
                stage.harness.processWatermark1(new Watermark(s.watermark()));
            }
            pricesFirstFacilitiesReversed = stage.drain();
        }
        Outputs allPricesAhead;
        try (Stage stage = open()) {
            List<Step> steps = determinismScenario();
            steps.forEach(s -> s.prices(stage));
            stage.harness.processWatermark1(new Watermark(steps.get(steps.size() - 1).watermark()));
            for (Step s : steps) {
                s.commands(stage, Comparator.naturalOrder());
                stage.harness.processWatermark2(new Watermark(s.watermark()));
            }
            allPricesAhead = stage.drain();
        }

        // The scenario must reach what could depend on order: triggers, a failed sale, an executed one, expiries.
        assertThat(commandsFirst.events()).extracting(LifecycleEvent::type).contains(
                "INITIAL_MARGIN_BREACH", "LTV_WARNING", "MARGIN_CALL_ISSUED", "LIQUIDATION_TRIGGERED", "LIQUIDATION_UNCONFIRMED",
                "MARGIN_CALL_CURED");
        assertThat(commandsFirst.events()).filteredOn(e -> e.type().equals("LIQUIDATION_TRIGGERED"))
                .extracting(LifecycleEvent::reason).contains("THRESHOLD", "CURE_EXPIRED");
        // Within a shard the order is fixed; shards are independent operators in a job.
        assertThat(byShard(pricesFirstFacilitiesReversed)).isEqualTo(byShard(commandsFirst));
        assertThat(byShard(allPricesAhead)).isEqualTo(byShard(commandsFirst));
    }

    /**
     * Four facilities, three in one shard and one in another, through calls, triggers, a failed and
     * an executed sale, an initial-margin breach and expiries. Custodian answers name the sale they
     * answer, as read from what the stage emitted so far.
     */
    private static List<Step> determinismScenario() {
        List<String> ids = sameShardIds(3);
        Loan a = new Loan(ids.get(0));
        Loan b = new Loan(ids.get(1));
        Loan c = new Loan(ids.get(2));
        Loan e = new Loan(otherShardId(ids.get(0)));
        long t1 = T0 + HOUR;
        long t2 = T0 + 2 * HOUR;
        long t3 = T0 + 3 * HOUR;
        long t4 = T0 + 4 * HOUR;
        return List.of(
                step(T0, List.of(a.openedAt(T0, "1.00000000", "80000.00"), b.openedAt(T0, "1.00000000", "72000.00"),
                        c.openedAt(T0, "2.00000000", "100000.00"), e.openedAt(T0, "1.00000000", "80000.00")), List.of(CALM)),
                step(t1, List.of(c.collateralAt(t1, "1.50000000")), List.of("98000.00")),
                step(t2, List.of(b.debtAt(t2, "73000.00")), List.of("88000.00")),
                step(t3, List.<Function<List<LifecycleEvent>, FacilityCommand>>of(
                        out -> a.failedAt(t3, liquidationId(out, a.id)),
                        out -> e.executedAt(t3, liquidationId(out, e.id))), List.of("89000.00")),
                step(t4, List.of(e.debtAt(t4, "12000.00"), e.collateralAt(t4, "0.20000000")), List.of("90000.00")),
                step(t2 + CURE_PERIOD + MINUTE, List.of(), List.of()));
    }

    private static Map<String, Outputs> byShard(Outputs all) {
        Map<String, Outputs> shards = new TreeMap<>();
        for (LifecycleEvent e : all.events()) {
            shards.merge(LtvStage.shardOf(e.pair(), e.facilityId()), new Outputs(List.of(e), List.of(), List.of()), Outputs::plus);
        }
        for (LtvUpdate u : all.ltv()) {
            shards.merge(LtvStage.shardOf(u.pair(), u.facilityId()), new Outputs(List.of(), List.of(u), List.of()), Outputs::plus);
        }
        for (BandChange c : all.bandChanges()) {
            shards.merge(LtvStage.shardOf(c.pair(), c.facilityId()), new Outputs(List.of(), List.of(), List.of(c)), Outputs::plus);
        }
        return shards;
    }

    // --- side outputs

    @Test
    void ltvRecordsFollowTheFacilityAndItsBandAndBandChangesNameTheEventThatReportedThem() throws Exception {
        try (Stage stage = open()) {
            stage.price(T0, CALM);
            stage.watermark(T0);
            Loan f = new Loan("F-1");
            long opened = T0 + MINUTE;
            // The facility stage's three commands: opened, then each amount.
            stage.send(f.openedAt(opened), f.collateralAt(opened, "3.00000000"));
            stage.watermark(opened);
            assertThat(stage.ltv()).as("no LTV before both amounts are known").isEmpty();
            stage.send(f.debtAt(opened + MINUTE, "100000.00"));
            stage.watermark(opened + MINUTE);
            assertThat(stage.events()).isEmpty();
            assertThat(stage.bandChanges()).as("a first band is no change").isEmpty();
            assertThat(stage.ltv())
                    .extracting(LtvUpdate::eventTime, LtvUpdate::band, LtvUpdate::ltv, LtvUpdate::debtPerCollateral,
                            LtvUpdate::collateral, LtvUpdate::outstanding, LtvUpdate::ltvPrice, LtvUpdate::evaluationId, LtvUpdate::closed)
                    // One line for the record (its first band included); D / C to 16 significant digits.
                    .containsExactly(tuple(opened + MINUTE, "HEALTHY", new BigDecimal("0.238095"), new BigDecimal("33333.33333333333"),
                            new BigDecimal("3.00000000"), new BigDecimal("100000.00"), new BigDecimal(CALM), evaluationId(T0), false));

            // Within the band: nothing on any output.
            stage.price(T0 + HOUR, "130000.00");
            stage.watermark(T0 + HOUR);
            assertThat(stage.drain()).isEqualTo(Outputs.NONE);

            long call = T0 + 2 * HOUR;
            long cured = T0 + 3 * HOUR;
            long crash = T0 + 4 * HOUR;
            stage.price(call, "41000.00"); // 0.813
            stage.price(cured, "43000.00"); // 0.775
            stage.price(crash, "30000.00"); // 1.111: the collateral does not cover the debt
            stage.watermark(crash);

            List<LifecycleEvent> events = stage.events();
            assertThat(events).extracting(LifecycleEvent::type, LifecycleEvent::eventTime)
                    .containsExactly(
                            tuple("MARGIN_CALL_ISSUED", call),
                            tuple("MARGIN_CALL_CURED", cured),
                            tuple("LIQUIDATION_TRIGGERED", crash),
                            tuple("LIQUIDATION_SHORTFALL", crash));
            assertThat(events.get(3).shortfall()).isEqualTo(new BigDecimal("10000.00"));
            assertThat(events.get(3).liquidateCollateral()).isEqualTo(new BigDecimal("3.00000000"));

            assertThat(stage.bandChanges())
                    .extracting(BandChange::eventTime, BandChange::from, BandChange::to, BandChange::eventType, BandChange::cause)
                    .containsExactly(
                            tuple(call, Band.HEALTHY, Band.MARGIN_CALL, "MARGIN_CALL_ISSUED", events.get(0).eventId()),
                            tuple(cured, Band.MARGIN_CALL, Band.WARNING, "MARGIN_CALL_CURED", events.get(1).eventId()),
                            // The shortfall accompanies the trigger; the trigger reported the move.
                            tuple(crash, Band.WARNING, Band.LIQUIDATION, "LIQUIDATION_TRIGGERED", events.get(2).eventId()));

            assertThat(stage.ltv())
                    .extracting(LtvUpdate::eventTime, LtvUpdate::band, LtvUpdate::ltv, LtvUpdate::ltvPrice, LtvUpdate::evaluationId,
                            LtvUpdate::debtPerCollateral)
                    .containsExactly(
                            tuple(call, "MARGIN_CALL", new BigDecimal("0.813008"), new BigDecimal("41000.00"), evaluationId(call),
                                    new BigDecimal("33333.33333333333")),
                            tuple(cured, "WARNING", new BigDecimal("0.775194"), new BigDecimal("43000.00"), evaluationId(cured),
                                    new BigDecimal("33333.33333333333")),
                            tuple(crash, "LIQUIDATION", new BigDecimal("1.111111"), new BigDecimal("30000.00"), evaluationId(crash),
                                    new BigDecimal("33333.33333333333")));
        }
    }

    // --- the event-time horizon of a replay

    @Test
    void aDeadlineAfterTheHorizonIsReportedNotFired() throws Exception {
        long horizon = CALL + 24 * HOUR;
        try (Stage stage = open(horizon)) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(CALL, "98000.00");
            stage.watermark(Long.MAX_VALUE); // the end of input

            assertThat(stage.events()).extracting(LifecycleEvent::type).containsExactly("MARGIN_CALL_ISSUED");
            assertThat(stage.side(LtvFunction.UNFIRED_DEADLINES))
                    .extracting(LifecycleEvent::type, LifecycleEvent::facilityId, LifecycleEvent::eventTime, LifecycleEvent::cureDeadline)
                    .containsExactly(tuple("CURE_DEADLINE_PENDING", f.id, DEADLINE, DEADLINE));
        }
    }

    @Test
    void aPriceBehindTheWatermarkIsAppliedAtOnce() throws Exception {
        try (Stage stage = open()) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.watermark(CALL + MINUTE);
            stage.price(CALL, "98000.00"); // its instant already passed: no later watermark needed

            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::eventTime)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", CALL));
        }
    }

    @Test
    void aPriceAfterTheHorizonDecidesNothing() throws Exception {
        long horizon = CALL + 24 * HOUR;
        try (Stage stage = open(horizon)) {
            Loan f = new Loan("F-1");
            stage.calm(f.openedAt(T0, "1.00000000", "80000.00"));
            stage.price(horizon, "98000.00"); // 0.816: a margin call, at the horizon itself
            stage.price(horizon + 1, "70000.00"); // 1.14: a liquidation, after it
            stage.watermark(Long.MAX_VALUE);

            assertThat(stage.events()).extracting(LifecycleEvent::type, LifecycleEvent::eventTime)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", horizon));
        }
    }

    // --- helpers

    private static String evaluationId(long t) {
        return EventIds.evaluationId(PAIR, t);
    }

    /** The last liquidation triggered for a facility. */
    private static String liquidationId(List<LifecycleEvent> events, String facilityId) {
        String id = null;
        for (LifecycleEvent e : events) {
            if (e.facilityId().equals(facilityId) && e.type().equals("LIQUIDATION_TRIGGERED")) {
                id = e.liquidationId();
            }
        }
        assertThat(id).as("a liquidation of %s", facilityId).isNotNull();
        return id;
    }

    /** Facility ids that share one shard of the pair. */
    private static List<String> sameShardIds(int n) {
        String shard = LtvStage.shardOf(PAIR, "F-1");
        return IntStream.iterate(1, i -> i + 1).mapToObj(i -> "F-" + i)
                .filter(id -> LtvStage.shardOf(PAIR, id).equals(shard))
                .limit(n)
                .sorted() // the order the stage handles them in
                .toList();
    }

    private static String otherShardId(String id) {
        String shard = LtvStage.shardOf(PAIR, id);
        return IntStream.iterate(1, i -> i + 1).mapToObj(i -> "G-" + i)
                .filter(other -> !LtvStage.shardOf(PAIR, other).equals(shard))
                .findFirst()
                .orElseThrow();
    }

    /** A step of commands (fixed, or custodian answers built from the events so far) and a price at its watermark. */
    private static Step step(long watermark, List<?> commands, List<String> prices) {
        List<Function<List<LifecycleEvent>, FacilityCommand>> cs = new ArrayList<>();
        for (Object c : commands) {
            if (c instanceof FacilityCommand fixed) {
                cs.add(out -> fixed);
            } else {
                @SuppressWarnings("unchecked")
                Function<List<LifecycleEvent>, FacilityCommand> answer = (Function<List<LifecycleEvent>, FacilityCommand>) c;
                cs.add(answer);
            }
        }
        Map<Long, String> ps = new TreeMap<>();
        prices.forEach(p -> ps.put(watermark, p));
        return new Step(watermark, cs, ps);
    }

    /**
     * One watermark step: commands (fixed, or built from the events so far), prices by event time
     * (at the step's watermark unless given), then the watermark on both inputs.
     */
    private record Step(long watermark, List<Function<List<LifecycleEvent>, FacilityCommand>> commandsAt, Map<Long, String> pricesAt) {

        /** The same step with a price at {@code t}, after the step's watermark: buffered until its time. */
        Step and(long t, String price) {
            Map<Long, String> ps = new TreeMap<>(pricesAt);
            ps.put(t, price);
            return new Step(watermark, commandsAt, ps);
        }

        void run(Stage stage) {
            commands(stage, Comparator.naturalOrder());
            prices(stage);
            stage.watermark(watermark);
        }

        /** Commands in the given order of facility ids; one facility's own commands keep their order. */
        void commands(Stage stage, Comparator<String> facilityOrder) {
            List<FacilityCommand> cs = commandsAt.stream().map(c -> c.apply(stage.seen())).toList();
            List<FacilityCommand> sorted = new ArrayList<>(cs);
            sorted.sort(Comparator.comparing(FacilityCommand::facilityId, facilityOrder));
            stage.send(sorted.toArray(FacilityCommand[]::new));
        }

        void prices(Stage stage) {
            pricesAt.forEach(stage::price);
        }
    }

    /** The state backend the stage runs on; null for the harness's default, the heap. */
    StateBackend stateBackend() {
        return null;
    }

    /**
     * Keyed state entries, one per state and shard key that holds something, as a snapshot holds
     * them (the shards' clocks and last prices reach keyed state when a snapshot begins).
     */
    final int stateEntries(Stage stage) throws Exception {
        stage.harness.snapshot(0L, 0L);
        return keyedStateEntries(stage);
    }

    int keyedStateEntries(Stage stage) throws Exception {
        return stage.harness.numKeyedStateEntries();
    }

    private Stage open() throws Exception {
        return open(Long.MAX_VALUE);
    }

    private Stage open(long horizon) throws Exception {
        Stage stage = new Stage(horizon, stateBackend());
        stage.harness.open();
        return stage;
    }

    private Stage restore(OperatorSubtaskState snapshot) throws Exception {
        Stage stage = new Stage(Long.MAX_VALUE, stateBackend());
        stage.harness.initializeState(snapshot);
        stage.harness.open();
        return stage;
    }

    /** What the stage emitted: lifecycle events, LTV records, band changes. */
    private record Outputs(List<LifecycleEvent> events, List<LtvUpdate> ltv, List<BandChange> bandChanges) {

        static final Outputs NONE = new Outputs(List.of(), List.of(), List.of());

        Outputs plus(Outputs later) {
            return new Outputs(cat(events, later.events), cat(ltv, later.ltv), cat(bandChanges, later.bandChanges));
        }

        private static <X> List<X> cat(List<X> a, List<X> b) {
            List<X> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }
    }

    /** The LTV stage in a keyed two-input harness; outputs are taken (and removed) by the accessors. */
    static final class Stage implements AutoCloseable {

        final Observed function;
        final KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent> harness;
        private final List<LifecycleEvent> taken = new ArrayList<>();

        private Stage(long horizon, StateBackend backend) throws Exception {
            function = new Observed(horizon);
            harness = new KeyedTwoInputStreamOperatorTestHarness<>(new LtvOperator(function, LtvStage.restoreCheck(CONFIG)),
                    null, c -> LtvStage.shardOf(c.pair(), c.facilityId()), Types.STRING);
            if (backend != null) {
                harness.setStateBackend(backend);
            }
        }

        /** Opens facilities at {@link #T0} at the calm price, and forgets what that emitted. */
        void calm(FacilityCommand... opened) {
            send(opened);
            price(T0, CALM);
            watermark(T0);
            drain();
        }

        void send(FacilityCommand... commands) {
            try {
                for (FacilityCommand c : commands) {
                    harness.processElement2(c, c.eventTime());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** A usable LTV price of the pair, as the LTV stage broadcasts it. */
        void price(long t, String price) {
            price(t, price, 0);
        }

        /** The same, evaluated on ticks the latest of which its source read at {@code readAt}. */
        void price(long t, String price, long readAt) {
            fanOut(t, new BigDecimal(price), true, readAt);
        }

        /** The pair below quorum at {@code t}. */
        void unavailable(long t) {
            fanOut(t, null, false, 0);
        }

        private void fanOut(long t, BigDecimal price, boolean available, long readAt) {
            try {
                harness.processElement1(new PriceUpdate(PAIR, PAIR, t, evaluationId(t), price, available, false, readAt), t);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void watermark(long t) {
            try {
                harness.processBothWatermarks(new Watermark(t));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        long evaluations() {
            return ((Counter) function.metrics.get("risk_facility_evaluations")).getCount();
        }

        /** Every lifecycle event so far, taken or not: what a custodian would have received. */
        List<LifecycleEvent> seen() {
            List<LifecycleEvent> all = new ArrayList<>(taken);
            all.addAll(harness.extractOutputValues());
            return all;
        }

        List<LifecycleEvent> events() {
            List<LifecycleEvent> out = harness.extractOutputValues();
            harness.getOutput().clear();
            taken.addAll(out);
            return out;
        }

        List<LtvUpdate> ltv() {
            return side(LtvFunction.LTV);
        }

        List<BandChange> bandChanges() {
            return side(LtvFunction.BAND_CHANGES);
        }

        <X> List<X> side(OutputTag<X> tag) {
            Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
            if (records == null) {
                return List.of();
            }
            List<X> out = records.stream().map(StreamRecord::getValue).toList();
            records.clear();
            return out;
        }

        Outputs drain() {
            return new Outputs(events(), ltv(), bandChanges());
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }

    /**
     * The function under test, with a metric group that keeps what it registers, so that
     * {@code risk_facility_evaluations} can be read as the job would export it.
     */
    private static final class Observed extends LtvFunction {

        final transient InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();

        Observed(long horizon) {
            super(CONFIG, "test", horizon);
        }

        @Override
        public RuntimeContext getRuntimeContext() {
            RuntimeContext context = super.getRuntimeContext();
            return (RuntimeContext) Proxy.newProxyInstance(RuntimeContext.class.getClassLoader(), new Class<?>[] {RuntimeContext.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("getMetricGroup")) {
                            return metrics;
                        }
                        try {
                            return method.invoke(context, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    /**
     * The facility stage's record of one facility: every command carries all of it, and versions
     * and {@code riskIncreased} follow the facility stage's rules.
     */
    private static final class Loan {

        final String id;
        private BigDecimal collateral;
        private long collateralVersion = -1;
        private BigDecimal outstanding;
        private long debtVersion = -1;

        Loan(String id) {
            this.id = id;
        }

        /** FACILITY_OPENED, amounts not yet known. */
        FacilityCommand openedAt(long t) {
            return command(FacilityCommand.UPSERT, t, false, null, "OPENED");
        }

        /** Opened with both amounts already known: a shortcut for the three commands. */
        FacilityCommand openedAt(long t, String collateral, String outstanding) {
            this.collateral = new BigDecimal(collateral);
            this.collateralVersion = 1;
            this.outstanding = new BigDecimal(outstanding);
            this.debtVersion = 1;
            return command(FacilityCommand.UPSERT, t, false, null, "OPENED");
        }

        FacilityCommand collateralAt(long t, String amount) {
            BigDecimal next = new BigDecimal(amount);
            boolean riskIncreased = collateral != null && next.compareTo(collateral) < 0;
            collateral = next;
            collateralVersion = collateralVersion < 0 ? 1 : collateralVersion + 1;
            return command(FacilityCommand.UPSERT, t, riskIncreased, null, "COLLATERAL|" + collateralVersion);
        }

        FacilityCommand debtAt(long t, String amount) {
            BigDecimal next = new BigDecimal(amount);
            boolean riskIncreased = outstanding != null && next.compareTo(outstanding) > 0;
            outstanding = next;
            debtVersion = debtVersion < 0 ? 1 : debtVersion + 1;
            return command(FacilityCommand.UPSERT, t, riskIncreased, null, "DEBT|" + debtVersion);
        }

        FacilityCommand executedAt(long t, String liquidationId) {
            return command(FacilityCommand.EXECUTED, t, false, liquidationId, "EXECUTED|" + liquidationId);
        }

        FacilityCommand failedAt(long t, String liquidationId) {
            return command(FacilityCommand.FAILED, t, false, liquidationId, "FAILED|" + liquidationId);
        }

        FacilityCommand closedAt(long t) {
            return command(FacilityCommand.CLOSE, t, false, null, "CLOSED");
        }

        private FacilityCommand command(String kind, long t, boolean riskIncreased, String liquidationId, String cause) {
            return new FacilityCommand(kind, t, id, "B-" + id, "bitgo", PAIR, "standard", collateral, collateralVersion,
                    outstanding, debtVersion, riskIncreased, liquidationId, false, cause);
        }
    }
}
