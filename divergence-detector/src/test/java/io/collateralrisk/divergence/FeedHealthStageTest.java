package io.collateralrisk.divergence;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * {@link FeedHealthStage#apply} on a MiniCluster at parallelism 2, through the real CEP operator:
 * two pairs, one of which diverges long enough to open an incident that later reconciles, fed in
 * two arrival orders within the bounded out-of-orderness.
 */
class FeedHealthStageTest {

    private static final RiskConfig CONFIG = FeedHealthFixtures.CONFIG;
    private static final String BTC = "BTC-USD";
    private static final String ETH = "ETH-USD";

    private static final long SECOND = 1_000;
    private static final long T0 = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    private static final long LAST_INPUT = at(362);

    /**
     * BTC: above from 10 s (a stale primary at 12 s is no reading and does not break the run); 38 s
     * is 28 s into the run, 40 s completes it. Quiet at 50 s, above at 52 s, quiet from 60 s on: the
     * quiet period ends at 360 s, where an evaluation falls. ETH: two lone spikes, never a run.
     */
    private static final List<ReferencePrice> IN_EVENT_TIME_ORDER = List.of(
            btc(0, "100", "100", "100"),
            eth(5, "3000", "3000", "3000"),
            btc(10, "94", "100", "99"),
            btc(12, null, "100", "99"),
            eth(15, "3200", "3000", "3010"),
            btc(20, "93", "100", "99"),
            btc(24, "94", "100", "99.5"),
            eth(25, "3010", "3000", "3005"),
            btc(30, "94.5", "100", "99"),
            btc(38, "94", "100", "99"),
            btc(40, "93.5", "100", "99"),
            btc(43, "94", "100", "99"),
            eth(45, "3200", "3000", "3010"),
            btc(50, "101", "100", "100"),
            btc(52, "94", "100", "99"),
            eth(55, "3000", "3000", "3000"),
            btc(60, "101", "100", "100.2"),
            btc(120, "101", "100", "100.2"),
            btc(180, "101", "100", "100.2"),
            btc(240, "101", "100", "100.2"),
            btc(300, "101", "100", "100.2"),
            btc(360, "100.5", "100", "100.1"),
            btc(362, "100.5", "100", "100.1"));

    /** Each evaluation at most 5 s behind the newest already sent: out of order, never late. */
    private static final List<ReferencePrice> SHUFFLED = List.of(
            eth(5, "3000", "3000", "3000"),
            btc(0, "100", "100", "100"),
            btc(12, null, "100", "99"),
            btc(10, "94", "100", "99"),
            eth(15, "3200", "3000", "3010"),
            btc(24, "94", "100", "99.5"),
            btc(20, "93", "100", "99"),
            eth(25, "3010", "3000", "3005"),
            btc(30, "94.5", "100", "99"),
            btc(40, "93.5", "100", "99"),
            btc(38, "94", "100", "99"),
            eth(45, "3200", "3000", "3010"),
            btc(43, "94", "100", "99"),
            btc(52, "94", "100", "99"),
            btc(50, "101", "100", "100"),
            eth(55, "3000", "3000", "3000"),
            btc(60, "101", "100", "100.2"),
            btc(120, "101", "100", "100.2"),
            btc(180, "101", "100", "100.2"),
            btc(240, "101", "100", "100.2"),
            btc(300, "101", "100", "100.2"),
            btc(362, "100.5", "100", "100.1"),
            btc(360, "100.5", "100", "100.1"));

    @Test
    void theRunOpensAtItsCompletingEvaluationAndReconcilesInEitherArrivalOrder() throws Exception {
        assertThat(CONFIG.outOfOrderMs()).isEqualTo(5 * SECOND);
        assertThat(SHUFFLED).containsExactlyInAnyOrderElementsOf(IN_EVENT_TIME_ORDER).isNotEqualTo(IN_EVENT_TIME_ORDER);
        // Otherwise an evaluation could fall behind the watermark and the two runs would differ for that reason alone.
        long newest = Long.MIN_VALUE;
        for (ReferencePrice p : SHUFFLED) {
            newest = Math.max(newest, p.eventTime());
            assertThat(newest - p.eventTime()).isLessThanOrEqualTo(CONFIG.outOfOrderMs());
        }

        Outputs inOrder = run(IN_EVENT_TIME_ORDER);

        // Every evaluation comes out once.
        assertThat(inOrder.prices()).extracting(ReferencePrice::evaluationId)
                .containsExactlyInAnyOrderElementsOf(IN_EVENT_TIME_ORDER.stream().map(ReferencePrice::evaluationId).toList());
        assertThat(inOrder.prices()).filteredOn(p -> p.pair().equals(ETH)).extracting(ReferencePrice::incidentOpen).containsOnly(false);

        List<ReferencePrice> btc = inOrder.prices().stream().filter(p -> p.pair().equals(BTC)).toList();
        assertThat(btc).filteredOn(ReferencePrice::incidentOpen).extracting(ReferencePrice::eventTime)
                .containsExactly(at(40), at(43), at(50), at(52), at(60), at(120), at(180), at(240), at(300));
        assertThat(price(btc, 38)).isEqualTo(new BigDecimal("99"));
        // The completing evaluation itself: the lowest of primary 93.5, TWAP 100, median 99.
        assertThat(price(btc, 40)).isEqualTo(new BigDecimal("93.5"));
        assertThat(price(btc, 300)).isEqualTo(new BigDecimal("100"));
        // Closed at this very instant: the median again.
        assertThat(price(btc, 360)).isEqualTo(new BigDecimal("100.1"));

        assertThat(inOrder.incidents())
                .extracting(DivergenceEvent::type, DivergenceEvent::pair, DivergenceEvent::eventTime, DivergenceEvent::runStartedAt)
                .containsExactly(
                        tuple(DivergenceEvent.OPENED, BTC, at(40), at(10)),
                        tuple(DivergenceEvent.CLOSED, BTC, at(360), at(10)));
        DivergenceEvent opened = inOrder.incidents().get(0);
        DivergenceEvent closed = inOrder.incidents().get(1);
        assertThat(closed.incidentId()).isEqualTo(opened.incidentId());
        assertThat(opened.primaryAtOpen()).isEqualTo(new BigDecimal("93.5"));
        assertThat(opened.peakDivergence()).isEqualTo(new BigDecimal("0.070000"));
        assertThat(opened.peakAt()).isEqualTo(at(20));
        assertThat(closed.closedBy()).isEqualTo("RECONCILED");
        assertThat(closed.durationSeconds()).isEqualTo(320L);
        assertThat(closed.primaryAtClose()).isEqualTo(new BigDecimal("100.5"));
        assertThat(inOrder.refused()).isEmpty();

        assertThat(run(SHUFFLED)).isEqualTo(inOrder);
    }

    @Test
    void typesOnTheWireAndInStateSerializeWithoutKryo() {
        // The job runs with pipeline.generic-types: false.
        assertSerializedAsPojoWithoutKryo(DivergenceReading.class);
        assertSerializedAsPojoWithoutKryo(IncidentSignal.class);
        assertSerializedAsPojoWithoutKryo(FeedHealthInput.class);
        assertSerializedAsPojoWithoutKryo(Incident.class);
    }

    // --- the run

    private record Outputs(List<ReferencePrice> prices, List<DivergenceEvent> incidents, List<DeadLetter> refused) {}

    private static Outputs run(List<ReferencePrice> evaluations) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // A local environment: a MiniCluster with a slot per parallel subtask.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();

        DataStream<ReferencePrice> in = env.fromData(evaluations)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<ReferencePrice>forBoundedOutOfOrderness(
                                Duration.ofMillis(CONFIG.outOfOrderMs()))
                        .withTimestampAssigner((p, ts) -> p.eventTime()));
        FeedHealthStage.Result result = FeedHealthStage.apply(in, null, CONFIG, LAST_INPUT);

        CloseableIterator<ReferencePrice> prices = result.referencePrices().collectAsync();
        CloseableIterator<DivergenceEvent> incidents = result.incidents().collectAsync();
        CloseableIterator<DeadLetter> refused = result.refused().collectAsync();
        env.execute("feed health");

        // Parallel subtasks interleave freely: compare in (pair, time) order.
        return new Outputs(
                sorted(drain(prices), Comparator.comparing(ReferencePrice::pair).thenComparingLong(ReferencePrice::eventTime)),
                sorted(drain(incidents), Comparator.comparing(DivergenceEvent::pair).thenComparingLong(DivergenceEvent::eventTime)),
                drain(refused));
    }

    private static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> all = new ArrayList<>();
        try (it) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    private static <T> List<T> sorted(List<T> list, Comparator<T> order) {
        List<T> copy = new ArrayList<>(list);
        copy.sort(order);
        return copy;
    }

    // --- fixtures

    private static long at(int seconds) {
        return T0 + seconds * SECOND;
    }

    private static ReferencePrice btc(int seconds, String primary, String twap, String median) {
        return FeedHealthFixtures.evaluation(BTC, at(seconds), primary, twap, median);
    }

    private static ReferencePrice eth(int seconds, String primary, String twap, String median) {
        return FeedHealthFixtures.evaluation(ETH, at(seconds), primary, twap, median);
    }

    private static BigDecimal price(List<ReferencePrice> prices, int seconds) {
        return prices.stream().filter(p -> p.eventTime() == at(seconds)).findFirst().orElseThrow().price();
    }
}
