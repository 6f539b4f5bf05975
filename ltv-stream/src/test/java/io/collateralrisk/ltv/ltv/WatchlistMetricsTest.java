package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.ProcessMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watchlist through a real metric registry: what a reporter is told to export, and to drop. */
class WatchlistMetricsTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final BigDecimal PRICE = new BigDecimal("20000");

    /** Watchlist series a reporter exports now, "pair/facility" -> gauge. */
    private final Map<String, Gauge<?>> exported = new TreeMap<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private ShardMetrics metrics;

    @BeforeEach
    void setUp() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> {
                    if (name.equals("risk_watchlist_ltv")) {
                        registrations.incrementAndGet();
                        assertThat(exported.put(series(group), (Gauge<?>) metric)).as("registered twice").isNull();
                    }
                })
                .setUnregisterConsumer((metric, name, group) -> {
                    if (name.equals("risk_watchlist_ltv")) {
                        assertThat(exported.remove(series(group))).as("unregistered, never registered").isNotNull();
                    }
                })
                .build();
        metrics = new ShardMetrics(ProcessMetricGroup.create(registry, "host"), CONFIG);
    }

    private static String series(AbstractMetricGroup<?> group) {
        Map<String, String> labels = group.getAllVariables();
        return labels.get("<pair>") + "/" + labels.get("<facility>");
    }

    /** Facilities F00..F(n-1) with 1 BTC each and debt 1,000 x (i + 1): the higher the number, the worse. */
    private static List<FacilityState> ladder(String prefix, int n) {
        List<FacilityState> book = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            book.add(FacilityStates.of(String.format("%s%02d", prefix, i), "1", Integer.toString(1000 * (i + 1)), Band.HEALTHY));
        }
        return book;
    }

    /** The shard's book becomes {@code book} (as after a restore) and is swept. */
    private static void sweep(ShardMetrics metrics, String shardKey, String pair, List<FacilityState> book, BigDecimal price) {
        metrics.rebuild(shardKey, book);
        metrics.sweep(shardKey, pair, CONFIG.policies(), price, 0);
    }

    private double value(String series) {
        assertThat(exported).containsKey(series);
        return ((Number) exported.get(series).getValue()).doubleValue();
    }

    @Test
    void listsTheTwentyWorstOfAllTheSubtasksShardsInfiniteFirstAndNeverAFacilityWithoutDebt() {
        List<FacilityState> shard0 = ladder("A", 15); // LTV 0.05 .. 0.75
        List<FacilityState> shard1 = ladder("B", 15);
        shard1.add(FacilityStates.of("ZERO-COLLATERAL", "0", "500", Band.HEALTHY));
        shard1.add(FacilityStates.of("NO-DEBT", "0", "0", Band.HEALTHY));
        sweep(metrics, "BTC-USD#0", "BTC-USD", shard0, PRICE);
        sweep(metrics, "BTC-USD#1", "BTC-USD", shard1, PRICE);

        assertThat(exported).hasSize(WatchlistMetrics.SIZE).doesNotContainKey("BTC-USD/NO-DEBT");
        assertThat(value("BTC-USD/ZERO-COLLATERAL")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(value("BTC-USD/A14")).isEqualTo(0.75);
        assertThat(value("BTC-USD/B14")).isEqualTo(0.75);
        // 1 infinite + A/B 06..14 (18) + the tie at 0.30 broken by id: A05 is the twentieth, B05 is out.
        assertThat(exported).containsKey("BTC-USD/A05").doesNotContainKey("BTC-USD/B05").doesNotContainKey("BTC-USD/A04");
        assertThat(metrics.watchlist().listed("BTC-USD").keySet()).startsWith("ZERO-COLLATERAL", "A14", "B14", "A13");
    }

    @Test
    void aFacilityThatLeavesTheListLeavesTheExportAndAnUnchangedListOnlyMovesItsValues() {
        List<FacilityState> book = ladder("F", 25);
        sweep(metrics, "BTC-USD#0", "BTC-USD", book, PRICE);
        assertThat(exported).hasSize(20).containsKey("BTC-USD/F05").doesNotContainKey("BTC-USD/F04");
        int registered = registrations.get();

        // The price falls: every LTV rises, the order and the list stay.
        sweep(metrics, "BTC-USD#0", "BTC-USD", book, new BigDecimal("10000"));
        assertThat(registrations.get()).isEqualTo(registered);
        assertThat(value("BTC-USD/F24")).isEqualTo(2.5);

        // F24 repays and F00 borrows more: F24 leaves, F00 enters; nothing else is registered again.
        book.get(24).outstanding = BigDecimal.ZERO;
        book.get(0).outstanding = new BigDecimal("100000");
        sweep(metrics, "BTC-USD#0", "BTC-USD", book, PRICE);
        assertThat(exported).hasSize(20).containsKey("BTC-USD/F00").containsKey("BTC-USD/F05")
                .doesNotContainKey("BTC-USD/F24").doesNotContainKey("BTC-USD/F04");
        assertThat(value("BTC-USD/F00")).isEqualTo(5.0);

        // The book empties (facilities closed): the list and its series go.
        sweep(metrics, "BTC-USD#0", "BTC-USD", List.of(), PRICE);
        assertThat(exported).isEmpty();
    }

    @Test
    void pairsHaveTheirOwnListsAndAnUnavailablePriceEmptiesOnlyItsPairs() {
        List<FacilityState> eth = ladder("E", 3);
        eth.forEach(s -> s.pair = "ETH-USD");
        sweep(metrics, "BTC-USD#0", "BTC-USD", ladder("B", 3), PRICE);
        sweep(metrics, "ETH-USD#0", "ETH-USD", eth, new BigDecimal("2000"));
        assertThat(exported.keySet()).containsExactly("BTC-USD/B00", "BTC-USD/B01", "BTC-USD/B02",
                "ETH-USD/E00", "ETH-USD/E01", "ETH-USD/E02");
        assertThat(value("ETH-USD/E02")).isEqualTo(1.5);

        sweep(metrics, "ETH-USD#0", "ETH-USD", eth, null);
        assertThat(exported.keySet()).containsExactly("BTC-USD/B00", "BTC-USD/B01", "BTC-USD/B02");
    }

    @Test
    void aMetricGroupThatCannotRemoveSeriesGetsNoWatchlist() {
        Map<String, Metric> registered = new TreeMap<>();
        UnregisteredMetricsGroup group = new UnregisteredMetricsGroup() {
            @Override
            public MetricGroup addGroup(String key, String value) {
                return this;
            }

            @Override
            public MetricGroup addGroup(String name) {
                return this;
            }

            @Override
            public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                registered.put(name, gauge);
                return gauge;
            }
        };
        ShardMetrics unremovable = new ShardMetrics(group, CONFIG);
        sweep(unremovable, "BTC-USD#0", "BTC-USD", ladder("F", 3), PRICE);
        assertThat(registered).containsKey("risk_facilities").doesNotContainKey("risk_watchlist_ltv");
    }
}
