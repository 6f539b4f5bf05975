package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The operator's TWAP state: the running sum survives a snapshot and restore, and the stored
 * points stay those of the window. Every TWAP the operator emits is checked against the plain definition, {@link
 * Twap#at} over the exchange medians of all its earlier evaluations.
 */
class ReferencePriceFunctionTwapStateTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final String PAIR = "BTC-USD";
    private static final PairConfig PAIR_CONFIG = CONFIG.pair(PAIR);
    private static final long SECOND = 1_000;
    private static final long T0 = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    /** Seconds of ticks; the exchanges fall silent for the last minutes, long enough to turn stale. */
    private static final int SECONDS = 1_000;
    private static final int EXCHANGES_SILENT_FROM = 520;
    private static final int SNAPSHOT_AFTER = 460;

    private static final ValueStateDescriptor<RunningTwap> SUM =
            new ValueStateDescriptor<>("twap-sum", TypeInformation.of(RunningTwap.class));
    private static final MapStateDescriptor<Long, TwapPoint> POINTS =
            new MapStateDescriptor<>("twap-points", Types.LONG, TypeInformation.of(TwapPoint.class));

    @Test
    void restoredMidWindowGivesTheSameTwapsAsAnUninterruptedRun() throws Exception {
        List<ReferencePrice> uninterrupted;
        try (var h = harness()) {
            uninterrupted = run(0, SECONDS, h);
        }
        assertTwapsFollowThePlainDefinition(uninterrupted);

        List<ReferencePrice> restored;
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            restored = new ArrayList<>(run(0, SNAPSHOT_AFTER, h));
            snapshot = h.snapshot(1L, T0 + SNAPSHOT_AFTER * SECOND);
        }
        try (var h = restore(snapshot)) {
            restored.addAll(run(SNAPSHOT_AFTER, SECONDS, h));
        }
        assertThat(restored).isEqualTo(uninterrupted);
    }

    @Test
    void storedPointsAreTheWindowsAndAreWrittenOncePerEvaluation() throws Exception {
        try (var h = harness()) {
            List<ReferencePrice> out = run(0, SNAPSHOT_AFTER, h);
            KeyedStateBackend<String> backend = backend(h);
            backend.setCurrentKey(PAIR);
            RunningTwap sum = state(backend, SUM).value();
            List<Long> keys = new ArrayList<>();
            mapState(backend, POINTS).keys().forEach(keys::add);
            // One point a second over a 300 s window: the 300 inside it and the one before its start.
            assertThat(keys).hasSize(301);
            assertThat(keys).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.LongStream.range(sum.head, sum.tail).boxed().toList());
            // Sequence numbers count appended points: one per evaluation with an exchange median.
            assertThat(sum.tail).isEqualTo(out.stream().filter(p -> exchangeMedian(p) != null).count());
            assertThat(mapState(backend, POINTS).get(sum.head).time()).isEqualTo(sum.frontTime);
            assertThat(sum.frontTime).isLessThanOrEqualTo(out.get(out.size() - 1).eventTime() - PAIR_CONFIG.twapWindowMs());
        }
    }

    /** Each evaluation's TWAP is {@link Twap#at} over the exchange medians of every evaluation before it. */
    private static void assertTwapsFollowThePlainDefinition(List<ReferencePrice> out) {
        List<TwapPoint> history = new ArrayList<>();
        int blackout = 0;
        for (ReferencePrice p : out) {
            BigDecimal median = exchangeMedian(p);
            assertThat(p.twap())
                    .as("TWAP at %s", Instant.ofEpochMilli(p.eventTime()))
                    .isEqualTo(Twap.at(history, p.eventTime(), PAIR_CONFIG.twapWindowMs(), median, PAIR_CONFIG.priceScale()));
            history.add(new TwapPoint(p.eventTime(), median));
            if (median == null && p.twap() != null) {
                blackout++;
            }
        }
        // The scenario must reach an exchange blackout the TWAP stands through, and its end.
        assertThat(blackout).isGreaterThan(20);
        assertThat(out.get(out.size() - 1).twap()).isNull();
        assertThat(out).extracting(ReferencePrice::status).contains(PriceStatus.UNAVAILABLE);
    }

    private static List<TwapPoint> exchangeMedians(List<ReferencePrice> out) {
        return out.stream().map(p -> new TwapPoint(p.eventTime(), exchangeMedian(p))).toList();
    }

    /** The median of the exchanges an evaluation used: what its TWAP point is. */
    private static BigDecimal exchangeMedian(ReferencePrice p) {
        return Median.of(p.used().stream().filter(s -> s.kind() == SourceKind.EXCHANGE).map(SourcePrice::price).toList());
    }

    /**
     * Seconds {@code from} to {@code to} (exclusive): two exchanges a second at prices that move,
     * an oracle every 10 s; the exchanges stop at {@link #EXCHANGES_SILENT_FROM}.
     */
    private static List<ReferencePrice> run(int from, int to, KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h)
            throws Exception {
        int before = h.extractOutputValues().size();
        for (int s = from; s < to; s++) {
            long t = T0 + s * SECOND;
            if (s < EXCHANGES_SILENT_FROM) {
                tick(h, "coinbase", SourceKind.EXCHANGE, BigDecimal.valueOf(2_200_000 + (s * 37L) % 1_001, 2), t);
                tick(h, "kraken", SourceKind.EXCHANGE, BigDecimal.valueOf(22_000_000 + (s * 53L) % 997 * 3, 3), t);
            }
            if (s % 10 == 0) {
                tick(h, "chainlink", SourceKind.ORACLE, BigDecimal.valueOf(2_200_500_000_000L + s * 1_000_003L, 8), t);
            }
            h.processWatermark(t);
        }
        List<ReferencePrice> all = h.extractOutputValues();
        return List.copyOf(all.subList(before, all.size()));
    }

    private static void tick(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h, String source, SourceKind kind,
            BigDecimal price, long t) throws Exception {
        h.processElement(new PriceTick(t, PAIR, source, kind, price, null, null), t);
    }

    /** Null: the harness's default, the heap backend. */
    StateBackend stateBackend() {
        return null;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ReferencePriceFunction(CONFIG, Long.MAX_VALUE)), PriceTick::pair, Types.STRING);
        if (stateBackend() != null) {
            h.setStateBackend(stateBackend());
        }
        h.open();
        return h;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> restore(OperatorSubtaskState snapshot)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ReferencePriceFunction(CONFIG, Long.MAX_VALUE)), PriceTick::pair, Types.STRING);
        if (stateBackend() != null) {
            h.setStateBackend(stateBackend());
        }
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private static KeyedStateBackend<String> backend(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h) {
        return Objects.requireNonNull(((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend());
    }

    private static <T> ValueState<T> state(KeyedStateBackend<String> backend, ValueStateDescriptor<T> descriptor) throws Exception {
        return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    private static MapState<Long, TwapPoint> mapState(KeyedStateBackend<String> backend, MapStateDescriptor<Long, TwapPoint> descriptor)
            throws Exception {
        return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }
}
