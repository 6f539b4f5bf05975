package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The LTV stage's state across a change of parallelism: a savepoint taken at parallelism 2 and
 * restored at 3 or 4 (Flink's own repartitioning of key groups) keeps every facility, and each
 * new subtask decides its share of the book. State keyed as earlier versions keyed it is refused
 * with the reason, never silently dropped.
 */
class LtvRescaleTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final int MAX = KeyGroupKeys.MAX_PARALLELISM;
    private static final String PAIR = "BTC-USD";
    private static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    private static final int BOOK = 3_000;

    @ParameterizedTest
    @ValueSource(ints = {3, 4})
    void aBookSavedAtParallelismTwoIsDecidedWholeAtAnother(int restoredParallelism) throws Exception {
        List<Harness> before = subtasks(2, null);
        for (int i = 0; i < BOOK; i++) {
            // 12,000 owed on 1 BTC: LTV 0.60 at 20,000 (healthy), 0.857 at 14,000 (margin call).
            send(before, opened(String.format("F-%06d", i), "1.00000000", "12000.00"));
        }
        price(before, T0 + 1_000, "20000.00");
        watermark(before, T0 + 1_000);
        OperatorSubtaskState saved = AbstractStreamOperatorTestHarness.repackageState(
                before.get(0).h.snapshot(1L, 0L), before.get(1).h.snapshot(1L, 0L));
        for (Harness h : before) {
            h.h.close();
        }

        List<Harness> after = subtasks(restoredParallelism, saved);
        price(after, T0 + 2_000, "14000.00");
        watermark(after, T0 + 2_000);
        Set<String> called = new HashSet<>();
        for (Harness h : after) {
            List<String> ids = new ArrayList<>();
            for (LifecycleEvent e : h.h.extractOutputValues()) {
                if ("MARGIN_CALL_ISSUED".equals(e.type())) {
                    ids.add(e.facilityId());
                }
            }
            // Every subtask decides about its share of the book (1/p, give or take a shard).
            assertThat(ids.size()).isBetween(BOOK / restoredParallelism - BOOK / 25, BOOK / restoredParallelism + BOOK / 25);
            called.addAll(ids);
            h.h.close();
        }
        assertThat(called).hasSize(BOOK);
    }

    /**
     * A savepoint can catch the subtasks on either side of prices: every subtask has received them
     * (a broadcast), one has applied them (its watermark passed their instants), the other still
     * holds them. After a rescale, every facility is decided on each price exactly once: called at
     * 14,000, cured at 20,000, never called again by a price its shard had already taken.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aPriceOneSubtaskHadAppliedAndTheOtherHeldIsAppliedOnceAfterARescale(int restoredParallelism) throws Exception {
        List<Harness> before = subtasks(2, null);
        for (int i = 0; i < BOOK; i++) {
            send(before, opened(String.format("F-%06d", i), "1.00000000", "12000.00"));
        }
        price(before, T0 + 1_000, "20000.00");
        watermark(before, T0 + 1_000);
        price(before, T0 + 2_000, "14000.00");
        price(before, T0 + 3_000, "20000.00");
        before.get(0).h.processBothWatermarks(new Watermark(T0 + 3_000)); // subtask 1's watermark is behind
        List<String> called = new ArrayList<>(marginCalls(before.get(0)));
        assertThat(marginCalls(before.get(1))).isEmpty();
        assertThat(called).isNotEmpty();
        OperatorSubtaskState saved = AbstractStreamOperatorTestHarness.repackageState(
                before.get(0).h.snapshot(1L, 0L), before.get(1).h.snapshot(1L, 0L));
        for (Harness h : before) {
            h.h.close();
        }

        List<Harness> after = subtasks(restoredParallelism, saved);
        watermark(after, T0 + 4_000);
        for (Harness h : after) {
            called.addAll(marginCalls(h));
            h.h.close();
        }
        assertThat(called).hasSize(BOOK).doesNotHaveDuplicates();
    }

    private static List<String> marginCalls(Harness h) {
        List<String> ids = new ArrayList<>();
        for (LifecycleEvent e : h.h.extractOutputValues()) {
            if ("MARGIN_CALL_ISSUED".equals(e.type())) {
                ids.add(e.facilityId());
            }
        }
        return ids;
    }

    @Test
    void stateKeyedAsEightShardsAPairIsRefusedWithTheReason() throws Exception {
        OperatorSubtaskState saved;
        KeySelector<PriceUpdate, String> oldPrices = null;
        KeySelector<FacilityCommand, String> oldCommands = c -> c.pair() + '#' + Math.floorMod(c.facilityId().hashCode(), 8);
        try (var old = new KeyedTwoInputStreamOperatorTestHarness<>(operator(), oldPrices, oldCommands, Types.STRING)) {
            old.open();
            old.processElement2(opened("F-1", "1.00000000", "12000.00"), T0);
            old.processElement1(new PriceUpdate(PAIR, PAIR, T0 + 1_000,
                    EventIds.evaluationId(PAIR, T0 + 1_000), new BigDecimal("20000.00"), true, false, 0), T0 + 1_000);
            old.processBothWatermarks(new Watermark(T0 + 1_000));
            saved = old.snapshot(1L, 0L);
        }
        var restored = new KeyedTwoInputStreamOperatorTestHarness<>(operator(), null,
                c -> LtvStage.shardOf(c.pair(), c.facilityId()), Types.STRING);
        restored.initializeState(saved);
        assertThatThrownBy(restored::open).hasStackTraceContaining("pair#0..7")
                .hasStackTraceContaining("replay the facility-events topic");
    }

    /** One subtask of the stage at a parallelism, with the key groups Flink gives it. */
    private record Harness(int subtask, int parallelism,
            KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent> h) {

        boolean owns(String key) {
            return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX, parallelism) == subtask;
        }
    }

    private static List<Harness> subtasks(int parallelism, OperatorSubtaskState restoredFrom) throws Exception {
        List<Harness> subtasks = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            var h = new KeyedTwoInputStreamOperatorTestHarness<>(operator(), null,
                    c -> LtvStage.shardOf(c.pair(), c.facilityId()), Types.STRING, MAX, parallelism, i);
            if (restoredFrom != null) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(restoredFrom, MAX, 2, parallelism, i));
            }
            h.open();
            subtasks.add(new Harness(i, parallelism, h));
        }
        return subtasks;
    }

    private static LtvOperator operator() {
        return new LtvOperator(new LtvFunction(CONFIG, "test", Long.MAX_VALUE), LtvStage.restoreCheck(CONFIG));
    }

    private static FacilityCommand opened(String id, String collateral, String outstanding) {
        return new FacilityCommand(FacilityCommand.UPSERT, T0, id, "B-" + id, "bitgo", PAIR, "standard", new BigDecimal(collateral), 1,
                new BigDecimal(outstanding), 1, false, null, false, "OPENED");
    }

    private static void send(List<Harness> subtasks, FacilityCommand c) throws Exception {
        String key = LtvStage.shardOf(c.pair(), c.facilityId());
        for (Harness h : subtasks) {
            if (h.owns(key)) {
                h.h.processElement2(c, c.eventTime());
            }
        }
    }

    /** The pair's price to every subtask: the stage's broadcast. */
    private static void price(List<Harness> subtasks, long t, String price) throws Exception {
        for (Harness h : subtasks) {
            h.h.processElement1(new PriceUpdate(PAIR, PAIR, t, EventIds.evaluationId(PAIR, t), new BigDecimal(price), true, false, 0), t);
        }
    }

    private static void watermark(List<Harness> subtasks, long t) throws Exception {
        for (Harness h : subtasks) {
            h.h.processBothWatermarks(new Watermark(t));
        }
    }
}
