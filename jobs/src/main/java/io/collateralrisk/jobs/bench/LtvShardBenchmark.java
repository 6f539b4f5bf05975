package io.collateralrisk.jobs.bench;

import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LifecycleRules;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.ltv.ltv.ShardIndex;
import io.collateralrisk.ltv.ltv.ShardMetrics;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one price update on one LTV shard holding N facilities, the way {@code LtvFunction}
 * does it (the crossing-price index picks the facilities a price can move) against the naive walk
 * that re-evaluates every facility. Facilities and index are kept in plain Java maps, as the heap
 * state backend keeps them; Flink's own per-record overhead is measured by {@code bench prices}.
 *
 * <p>{@code quiet}: the price alternates between two values a cent apart after every facility has
 * been evaluated once, so no facility changes band (hysteresis keeps them) — the common case of a
 * live feed. {@code walk}: a random walk of 0.05% steps, where facilities do cross thresholds.
 * Every evaluated facility is also stored in the book of the shard's metrics, as the job does;
 * {@code metricsSweepWalk} and {@code metricsSweepBook} are the 10-second sweep before and after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LtvShardBenchmark {

    static final BigDecimal OPENING_PRICE = new BigDecimal("20000.00");

    @Param({"10000", "100000", "1000000"})
    public int facilities;

    private static final Map<String, PolicyConfig> POLICIES = RiskConfig.defaults().policies();

    private Shard shard;
    /** Figures computed by visiting every facility: the sweep before the book. */
    private ShardMetrics walkMetrics;
    private PriceView low;
    private PriceView high;
    private boolean flip;
    private BigDecimal walkPrice;
    private Random random;
    private long t;

    /** Facility evaluations per update in the walk, reported beside the time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Evaluations {
        public long evaluations;
    }

    @Setup(Level.Trial)
    public void setup() {
        shard = Shard.build(facilities, 42);
        walkMetrics = new ShardMetrics(new UnregisteredMetricsGroup(), RiskConfig.defaults());
        low = price(1, OPENING_PRICE);
        high = price(2, OPENING_PRICE.add(new BigDecimal("0.01")));
        shard.update(low);
        shard.update(high);
        walkPrice = OPENING_PRICE;
        random = new Random(7);
        t = 10;
    }

    @Benchmark
    public int quietIndexed() {
        flip = !flip;
        return shard.update(flip ? low : high);
    }

    @Benchmark
    public int quietNaive() {
        flip = !flip;
        return shard.naiveUpdate(flip ? low : high);
    }

    /** The 10-second metrics sweep as it was: a walk over every facility of the shard, on the task thread. */
    @Benchmark
    public ShardMetrics metricsSweepWalk() {
        walkMetrics.walk(Shard.KEY, "BTC-USD", shard.states.values(), POLICIES, OPENING_PRICE, t);
        return walkMetrics;
    }

    /** The 10-second metrics sweep of {@code LtvFunction}: the same figures from the shard's book. */
    @Benchmark
    public ShardMetrics metricsSweepBook() {
        shard.metrics.sweep(Shard.KEY, "BTC-USD", POLICIES, OPENING_PRICE, t);
        return shard.metrics;
    }

    @Benchmark
    public int walkIndexed(Evaluations counter) {
        // Mean-reverting steps of 0.05% keep the walk near the opening price.
        double drift = walkPrice.compareTo(OPENING_PRICE) > 0 ? -0.0001 : 0.0001;
        double step = (random.nextBoolean() ? 0.0005 : -0.0005) + drift;
        walkPrice = walkPrice.multiply(BigDecimal.valueOf(1 + step)).setScale(2, RoundingMode.HALF_EVEN);
        int evaluated = shard.update(price(++t, walkPrice));
        counter.evaluations += evaluated;
        return evaluated;
    }

    static PriceView price(long t, BigDecimal p) {
        return new PriceView(t, "bench-" + t, p, true, false);
    }

    /** One shard: facilities by id, their index, the book its metrics read, and the rules of the standard policy. */
    static final class Shard {
        static final String KEY = "BTC-USD#0";
        final Map<String, FacilityState> states = new HashMap<>();
        final ShardIndex index = new ShardIndex();
        final ShardMetrics metrics = new ShardMetrics(new UnregisteredMetricsGroup(), RiskConfig.defaults());
        final LifecycleRules rules;
        final PolicyConfig policy;

        private Shard() {
            RiskConfig config = RiskConfig.defaults();
            policy = config.policies().get("standard");
            rules = new LifecycleRules(policy, config.lifecycle(), 8, 2);
        }

        /** N facilities with opening LTVs spread from 40% to 95% at the opening price. */
        static Shard build(int n, long seed) {
            Shard shard = new Shard();
            Random random = new Random(seed);
            for (int i = 0; i < n; i++) {
                FacilityState s = new FacilityState();
                s.facilityId = "F-" + i;
                s.borrowerId = "B-" + i;
                s.custodian = "bitgo";
                s.pair = "BTC-USD";
                s.policy = "standard";
                s.collateral = BigDecimal.valueOf(50_000_000L + (long) (random.nextDouble() * 950_000_000L), 8);
                double ltv = 0.40 + 0.55 * i / Math.max(1, n - 1);
                s.outstanding = s.collateral.multiply(OPENING_PRICE).multiply(BigDecimal.valueOf(ltv)).setScale(2, RoundingMode.HALF_EVEN);
                s.collateralVersion = 1;
                s.debtVersion = 1;
                shard.states.put(s.facilityId, s);
                shard.index.put(s, shard.policy, Long.MAX_VALUE);
            }
            return shard;
        }

        /** What {@code LtvFunction} does per price: only the facilities the index names. */
        int update(PriceView p) {
            int evaluated = 0;
            for (String id : index.affectedBy(p.price())) {
                FacilityState s = states.get(id);
                rules.onEvaluation(s, p);
                index.put(s, policy, s.nextTimer(1_800_000, 1_800_000));
                metrics.stored(KEY, s);
                evaluated++;
            }
            return evaluated;
        }

        /** The baseline: every facility, every price. */
        int naiveUpdate(PriceView p) {
            int decisions = 0;
            for (FacilityState s : states.values()) {
                decisions += rules.onEvaluation(s, p).size();
            }
            return decisions;
        }
    }

    /**
     * Heap bytes per facility, measured after full collections: {@code [0]} state, index and the
     * metrics' book, as with the heap state backend; {@code [1]} the index alone and {@code [2]}
     * the book alone, beside the ids and amounts they share with the state. {@link LtvOperatorHeap}
     * measures the stage itself, on either state backend.
     */
    public static long[] heapPerFacility(int n) {
        long before = usedAfterGc();
        Shard shard = Shard.build(n, 42);
        shard.update(price(1, OPENING_PRICE));
        long withAll = usedAfterGc();
        shard.metrics.rebuild(Shard.KEY, java.util.List.of());
        long withIndex = usedAfterGc();
        shard.index.clear();
        long withoutIndex = usedAfterGc();
        // Also keeps the states reachable until the last measurement.
        if (shard.states.size() != n) {
            throw new IllegalStateException("shard lost facilities");
        }
        return new long[] {(withAll - before) / n, (withIndex - withoutIndex) / n, (withAll - withIndex) / n};
    }

    static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
