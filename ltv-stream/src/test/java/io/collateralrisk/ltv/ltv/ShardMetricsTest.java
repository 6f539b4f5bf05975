package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LtvMath;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class ShardMetricsTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();

    /** Gauges by name and labels, such as {@code risk_facilities{pair=BTC-USD,band=WARNING,...}}. */
    private static final class Captured extends UnregisteredMetricsGroup {
        final Map<String, Gauge<?>> gauges;
        final String labels;

        Captured(Map<String, Gauge<?>> gauges, String labels) {
            this.gauges = gauges;
            this.labels = labels;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Captured(gauges, labels + (labels.isEmpty() ? "" : ",") + key + "=" + value);
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            assertThat(gauges.put(name + "{" + labels + "}", gauge)).as("registered once: " + name + labels).isNull();
            return gauge;
        }

        double value(String series) {
            Metric g = gauges.get(series);
            assertThat(g).as(series + " in " + gauges.keySet()).isNotNull();
            return ((Number) ((Gauge<?>) g).getValue()).doubleValue();
        }
    }

    @Test
    void aSweepAddsUpItsShardsFacilitiesAndEverySeriesExistsFromTheStart() {
        Captured group = new Captured(new TreeMap<>(), "");
        ShardMetrics metrics = new ShardMetrics(group, CONFIG);
        assertThat(group.value("risk_margin_calls_open{pair=BTC-USD,policy=standard}")).isZero();
        assertThat(group.value("risk_cure_deadline_seconds{pair=BTC-USD}")).isEqualTo(Double.POSITIVE_INFINITY);

        // At 20,000: A at LTV 0.50, B at 0.85 with a margin call due in an hour, C at 1.25 (under water).
        FacilityState a = FacilityStates.of("A", "standard", "bitgo", "1", "10000", Band.HEALTHY);
        FacilityState b = FacilityStates.of("B", "standard", "bitgo", "1", "17000", Band.MARGIN_CALL);
        b.cureDeadline = 3_600_000L;
        FacilityState c = FacilityStates.of("C", "tri-party", "anchorage", "2", "50000", Band.LIQUIDATION);
        c.liquidationId = "L-1";
        metrics.stored("BTC-USD#0", a);
        metrics.stored("BTC-USD#0", b);
        metrics.stored("BTC-USD#1", c);
        metrics.sweep("BTC-USD#0", "BTC-USD", CONFIG.policies(), new BigDecimal("20000"), 0);
        metrics.sweep("BTC-USD#1", "BTC-USD", CONFIG.policies(), new BigDecimal("20000"), 0);

        assertThat(group.value("risk_facilities{pair=BTC-USD,band=HEALTHY,policy=standard,custodian=bitgo}")).isEqualTo(1);
        assertThat(group.value("risk_exposure_debt{pair=BTC-USD,band=MARGIN_CALL,policy=standard,custodian=bitgo}")).isEqualTo(17000);
        assertThat(group.value("risk_exposure_collateral_value{pair=BTC-USD,band=LIQUIDATION,policy=tri-party,custodian=anchorage}")).isEqualTo(40000);
        assertThat(group.value("risk_expected_shortfall{pair=BTC-USD,policy=tri-party}")).isEqualTo(10000);
        assertThat(group.value("risk_expected_shortfall{pair=BTC-USD,policy=standard}")).isZero();
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=0.5}")).isEqualTo(1);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=0.9}")).isEqualTo(2);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=1.2}")).isEqualTo(2);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=+Inf}")).isEqualTo(3);
        assertThat(group.value("risk_margin_calls_open{pair=BTC-USD,policy=standard}")).isEqualTo(1);
        assertThat(group.value("risk_cure_deadline_seconds{pair=BTC-USD}")).isEqualTo(3600);
        assertThat(group.value("risk_liquidations_pending{pair=BTC-USD}")).isEqualTo(1);
        // A 20% fall (16,000): A reaches 0.625 (below margin call 0.80), B 1.06 (beyond liquidation 0.90).
        assertThat(group.value("risk_shock_facilities{pair=BTC-USD,shock=20,band=MARGIN_CALL}")).isEqualTo(2);
        assertThat(group.value("risk_shock_facilities{pair=BTC-USD,shock=20,band=LIQUIDATION}")).isEqualTo(2);
        assertThat(group.value("risk_shock_debt{pair=BTC-USD,shock=20,band=LIQUIDATION}")).isEqualTo(67000);
        assertThat(group.value("risk_shock_facilities{pair=BTC-USD,shock=10,band=MARGIN_CALL}")).isEqualTo(2);

        // The next sweep of shard 1 replaces its figures: the liquidation was booked, C closed.
        metrics.removed("BTC-USD#1", "C");
        metrics.sweep("BTC-USD#1", "BTC-USD", CONFIG.policies(), new BigDecimal("20000"), 0);
        assertThat(group.value("risk_liquidations_pending{pair=BTC-USD}")).isZero();
        // The breaker is pair-wide: its gauge belongs to the circuit-breaker stage, not to a shard.
        assertThat(group.gauges).doesNotContainKey("risk_circuit_breaker_open{pair=BTC-USD}");
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=+Inf}")).isEqualTo(2);
    }

    /**
     * Every series read from the shards' books equals what its definition says, computed here the
     * plain way (a facility at a time, each figure on its own), and what the walk over the shard
     * gives: over random books (built at once, or a facility at a time), random changes of every
     * field the figures read, removals and new facilities, at several prices: the one at which
     * some facilities sit exactly on a bucket bound, a shocked threshold or their collateral's
     * value, prices a hair away from a facility's D / C, random ones, and none.
     */
    @Test
    void everySeriesIsItsDefinitionOverRandomShardsChangesAndPrices() {
        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            Captured fromBook = new Captured(new TreeMap<>(), "");
            Captured fromWalk = new Captured(new TreeMap<>(), "");
            ShardMetrics metrics = new ShardMetrics(fromBook, CONFIG);
            ShardMetrics walked = new ShardMetrics(fromWalk, CONFIG);
            BigDecimal price = new BigDecimal(15_000 + random.nextInt(10_000)).add(new BigDecimal(random.nextInt(100)).movePointLeft(2));
            long now = 1_000_000;
            List<List<FacilityState>> shards = new ArrayList<>();
            for (int shard = 0; shard < 3; shard++) {
                List<FacilityState> book = randomBook(random, shard, 50 + random.nextInt(100), price);
                shards.add(book);
                if (shard == 1) {
                    book.forEach(s -> metrics.stored("BTC-USD#1", s));
                } else {
                    metrics.rebuild("BTC-USD#" + shard, book);
                }
            }
            for (int step = 0; step < 8; step++) {
                if (step > 0) {
                    for (int shard = 0; shard < 3; shard++) {
                        change(random, shards.get(shard), "BTC-USD#" + shard, metrics, price, round * 100 + step);
                    }
                }
                BigDecimal at = switch (step % 4) {
                    case 0, 1 -> price; // facilities exactly on the edges
                    case 2 -> nearARatio(random, shards.get(0), price);
                    default -> price.multiply(new BigDecimal(50 + random.nextInt(100))).movePointLeft(2);
                };
                Map<String, Double> expected = new TreeMap<>();
                for (int shard = 0; shard < 3; shard++) {
                    String key = "BTC-USD#" + shard;
                    BigDecimal shardPrice = shard == 2 && (round + step) % 4 == 0 ? null : at;
                    List<FacilityState> book = shards.get(shard);
                    metrics.sweep(key, "BTC-USD", CONFIG.policies(), shardPrice, now);
                    walked.walk(key, "BTC-USD", book, CONFIG.policies(), shardPrice, now);
                    definitions(book, shardPrice, now).forEach((k, v) -> expected.merge(k, v,
                            k.startsWith("risk_cure_deadline_seconds") ? Math::min : Double::sum));
                    assertThat(metrics.watchlist().shardWorst(key)).as(key + " worst").isEqualTo(worst(book, shardPrice));
                }
                for (Map.Entry<String, Double> e : expected.entrySet()) {
                    assertThat(fromBook.value(e.getKey())).as(e.getKey()).isCloseTo(e.getValue(), offset(1e-6 * Math.max(1, Math.abs(e.getValue()))));
                }
                // Series no facility touched read zero (or +Inf for the deadline).
                for (String series : fromBook.gauges.keySet()) {
                    if (!expected.containsKey(series) && !series.startsWith("risk_watchlist")) {
                        assertThat(fromBook.value(series)).as(series).isIn(0.0, Double.POSITIVE_INFINITY);
                    }
                }
                // The walk sums the same exact amounts: the same doubles, series for series.
                assertThat(fromBook.gauges.keySet()).isEqualTo(fromWalk.gauges.keySet());
                for (String series : fromWalk.gauges.keySet()) {
                    assertThat(fromBook.value(series)).as(series).isEqualTo(fromWalk.value(series));
                }
            }
        }
    }

    /** A policy the configuration does not have is left out of the figures (its facilities are held). */
    @Test
    void aPolicyOutsideTheConfigurationIsNotMeasured() {
        Captured group = new Captured(new TreeMap<>(), "");
        ShardMetrics metrics = new ShardMetrics(group, CONFIG);
        metrics.stored("BTC-USD#0", FacilityStates.of("A", "standard", "bitgo", "1", "10000", Band.HEALTHY));
        metrics.stored("BTC-USD#0", FacilityStates.of("B", "retired", "bitgo", "1", "19000", Band.MARGIN_CALL));
        metrics.sweep("BTC-USD#0", "BTC-USD", CONFIG.policies(), new BigDecimal("20000"), 0);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=+Inf}")).isEqualTo(1);
        assertThat(group.gauges.keySet()).noneMatch(k -> k.contains("retired"));
        assertThat(metrics.watchlist().shardWorst("BTC-USD#0")).extracting(WatchlistMetrics.Entry::facilityId).containsExactly("A");
    }

    /** A few random changes, each told to the metrics as {@code LtvFunction} does (the state changed in place, then stored). */
    private static void change(Random random, List<FacilityState> book, String key, ShardMetrics metrics, BigDecimal price, int salt) {
        List<String> policies = List.copyOf(CONFIG.policies().keySet());
        for (int k = 0; k < 1 + book.size() / 5; k++) {
            if (book.isEmpty()) {
                FacilityState s = randomFacility(random, key + "-new-" + salt, price);
                book.add(s);
                metrics.stored(key, s);
                continue;
            }
            int i = random.nextInt(book.size());
            FacilityState s = book.get(i);
            switch (random.nextInt(8)) {
                case 0 -> {
                    book.remove(i);
                    metrics.removed(key, s.facilityId);
                    continue;
                }
                case 1 -> {
                    s = randomFacility(random, key + "-new-" + salt + "-" + k, price);
                    book.add(s);
                }
                case 2 -> {
                    FacilityState amounts = randomFacility(random, s.facilityId, price);
                    s.collateral = amounts.collateral;
                    s.outstanding = amounts.outstanding;
                }
                case 3 -> s.outstanding = random.nextBoolean() ? BigDecimal.ZERO : s.outstanding.add(BigDecimal.ONE);
                case 4 -> s.band = random.nextInt(5) == 0 ? null : Band.values()[random.nextInt(Band.values().length)];
                case 5 -> {
                    s.cureDeadline = s.cureDeadline == null ? Long.valueOf(1_000_000L + random.nextInt(7_200_000)) : null;
                    s.liquidationId = random.nextBoolean() ? null : "L-" + salt;
                    s.unconfirmedReported = s.liquidationId != null && random.nextBoolean();
                }
                case 6 -> {
                    boolean hold = random.nextBoolean();
                    s.holdTrigger = hold ? "THRESHOLD" : null;
                    s.holdReason = hold ? List.of("PRICE_UNAVAILABLE", "DIVERGENCE_INCIDENT", "CIRCUIT_BREAKER").get(random.nextInt(3)) : null;
                    s.holdEscalated = hold && random.nextBoolean();
                }
                default -> {
                    s.custodian = random.nextBoolean() ? "bitgo" : "anchorage";
                    s.policy = policies.get(random.nextInt(policies.size()));
                }
            }
            metrics.stored(key, s);
        }
    }

    /** A price a hair (1e-20) above or below one facility's D / C: its LTV there is 1 within rounding, never exactly. */
    private static BigDecimal nearARatio(Random random, List<FacilityState> book, BigDecimal otherwise) {
        List<FacilityState> priced = book.stream().filter(s -> s.collateral.signum() > 0 && s.outstanding.signum() > 0).toList();
        if (priced.isEmpty()) {
            return otherwise;
        }
        FacilityState s = priced.get(random.nextInt(priced.size()));
        return s.outstanding.divide(s.collateral, 40, RoundingMode.HALF_EVEN).add(new BigDecimal(random.nextBoolean() ? 1 : -1).movePointLeft(20));
    }

    /** The watchlist of one shard by its definition: debt, highest LTV first (infinite first), ties by id. */
    private static List<WatchlistMetrics.Entry> worst(List<FacilityState> book, BigDecimal price) {
        if (price == null) {
            return List.of();
        }
        List<FacilityState> indebted = new ArrayList<>(book.stream()
                .filter(s -> s.band != null && s.outstanding.signum() > 0).toList());
        indebted.sort((a, b) -> {
            BigDecimal va = a.collateral.multiply(price);
            BigDecimal vb = b.collateral.multiply(price);
            // D_a / V_a against D_b / V_b, exactly: a zero value is an infinite LTV.
            int c = va.signum() == 0 || vb.signum() == 0 ? Integer.compare(va.signum(), vb.signum())
                    : b.outstanding.multiply(va).compareTo(a.outstanding.multiply(vb));
            return c != 0 ? c : a.facilityId.compareTo(b.facilityId);
        });
        List<WatchlistMetrics.Entry> entries = new ArrayList<>();
        for (FacilityState s : indebted.subList(0, Math.min(WatchlistMetrics.SIZE, indebted.size()))) {
            BigDecimal value = s.collateral.multiply(price);
            entries.add(new WatchlistMetrics.Entry(s.facilityId, value.signum() == 0 ? null : s.outstanding.divide(value, MathContext.DECIMAL64)));
        }
        return entries;
    }

    /** Some facilities sit exactly on a bucket bound or a shocked threshold at {@code price}. */
    private static List<FacilityState> randomBook(Random random, int shard, int n, BigDecimal price) {
        List<FacilityState> book = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            book.add(randomFacility(random, "F-" + shard + "-" + i, price));
        }
        return book;
    }

    private static FacilityState randomFacility(Random random, String id, BigDecimal price) {
        List<BigDecimal> edges = new ArrayList<>();
        ShardMetrics.LTV_BOUNDS.stream().filter(b -> !b.equals("+Inf")).map(BigDecimal::new).forEach(edges::add);
        for (PolicyConfig policy : CONFIG.policies().values()) {
            for (int shock : ShardMetrics.SHOCKS) {
                BigDecimal fraction = BigDecimal.valueOf(100 - shock).movePointLeft(2);
                edges.add(policy.marginCall().multiply(fraction));
                edges.add(policy.liquidation().multiply(fraction));
            }
        }
        List<String> policies = List.copyOf(CONFIG.policies().keySet());
        List<String> custodians = List.of("bitgo", "anchorage", "coinbase-custody");
        List<String> holds = List.of("PRICE_UNAVAILABLE", "DIVERGENCE_INCIDENT", "CIRCUIT_BREAKER");
        // Collateral 0..5 BTC (0 sometimes), debt up to 150,000 USD (0 sometimes): LTVs from 0 to infinite.
        String collateral = random.nextInt(10) == 0 ? "0" : new BigDecimal(random.nextInt(500_000_000)).movePointLeft(8).toPlainString();
        String debt = random.nextInt(10) == 0 ? "0" : new BigDecimal(random.nextInt(15_000_000)).movePointLeft(2).toPlainString();
        FacilityState s = FacilityStates.of(id, policies.get(random.nextInt(policies.size())),
                custodians.get(random.nextInt(custodians.size())), collateral, debt, Band.values()[random.nextInt(Band.values().length)]);
        if (random.nextInt(4) == 0) {
            // Debt of exactly LTV x C x P (the LTV is the edge itself), or a hair either side: an
            // LTV the quotient's 16 digits round onto the edge, which only the amounts tell apart.
            BigDecimal ltv = edges.get(random.nextInt(edges.size())).add(new BigDecimal(random.nextInt(3) - 1).movePointLeft(18));
            s.outstanding = ltv.multiply(s.collateral).multiply(price);
        }
        if (random.nextInt(5) == 0) {
            s.cureDeadline = 1_000_000L + random.nextInt(7_200_000);
        }
        if (random.nextInt(8) == 0) {
            s.liquidationId = "L-" + id;
            s.unconfirmedReported = random.nextBoolean();
        }
        if (random.nextInt(8) == 0) {
            s.holdTrigger = "THRESHOLD";
            s.holdReason = holds.get(random.nextInt(holds.size()));
            s.holdEscalated = random.nextBoolean();
        }
        if (random.nextInt(20) == 0) {
            s.band = null; // not evaluated yet: in no series
        }
        return s;
    }

    /** Each series of one shard as the catalogue defines it, a facility at a time. */
    private static Map<String, Double> definitions(List<FacilityState> book, BigDecimal price, long now) {
        Map<String, Double> v = new TreeMap<>();
        String pair = "pair=BTC-USD";
        double nearest = Double.POSITIVE_INFINITY;
        for (FacilityState s : book) {
            if (s.band == null) {
                continue;
            }
            PolicyConfig policy = CONFIG.policies().get(s.policy);
            String cell = "{" + pair + ",band=" + s.band + ",policy=" + s.policy + ",custodian=" + s.custodian + "}";
            v.merge("risk_facilities" + cell, 1.0, Double::sum);
            v.merge("risk_exposure_debt" + cell, s.outstanding.doubleValue(), Double::sum);
            BigDecimal value = price == null ? BigDecimal.ZERO : s.collateral.multiply(price);
            v.merge("risk_exposure_collateral_value" + cell, value.doubleValue(), Double::sum);
            if (price != null) {
                v.merge("risk_expected_shortfall{" + pair + ",policy=" + s.policy + "}",
                        s.outstanding.subtract(value).max(BigDecimal.ZERO).doubleValue(), Double::sum);
                for (int shock : ShardMetrics.SHOCKS) {
                    BigDecimal shocked = price.multiply(BigDecimal.valueOf(100 - shock)).divide(BigDecimal.valueOf(100));
                    for (Band band : List.of(Band.MARGIN_CALL, Band.LIQUIDATION)) {
                        BigDecimal threshold = band == Band.MARGIN_CALL ? policy.marginCall() : policy.liquidation();
                        if (LtvMath.atOrAbove(s.outstanding, s.collateral, shocked, threshold)) {
                            String series = "{" + pair + ",shock=" + shock + ",band=" + band + "}";
                            v.merge("risk_shock_facilities" + series, 1.0, Double::sum);
                            v.merge("risk_shock_debt" + series, s.outstanding.doubleValue(), Double::sum);
                        }
                    }
                }
                for (String le : ShardMetrics.LTV_BOUNDS) {
                    // LTV <= le, exactly: D <= le x C x P. No debt is LTV 0; debt under no collateral is in +Inf only.
                    boolean within = le.equals("+Inf") || s.outstanding.signum() == 0
                            || (value.signum() > 0 && s.outstanding.compareTo(value.multiply(new BigDecimal(le))) <= 0);
                    if (within) {
                        v.merge("risk_ltv_distribution{" + pair + ",le=" + le + "}", 1.0, Double::sum);
                    }
                }
            }
            if (s.cureDeadline != null) {
                v.merge("risk_margin_calls_open{" + pair + ",policy=" + s.policy + "}", 1.0, Double::sum);
                nearest = Math.min(nearest, (s.cureDeadline - now) / 1000.0);
            }
            if (s.liquidationId != null) {
                v.merge("risk_liquidations_pending{" + pair + "}", 1.0, Double::sum);
                v.merge("risk_liquidations_unconfirmed{" + pair + "}", s.unconfirmedReported ? 1.0 : 0.0, Double::sum);
            }
            if (s.holdTrigger != null) {
                v.merge("risk_liquidations_held{" + pair + ",reason=" + s.holdReason + "}", 1.0, Double::sum);
                v.merge("risk_liquidations_escalated{" + pair + "}", s.holdEscalated ? 1.0 : 0.0, Double::sum);
            }
        }
        v.put("risk_cure_deadline_seconds{" + pair + "}", nearest);
        return v;
    }
}
