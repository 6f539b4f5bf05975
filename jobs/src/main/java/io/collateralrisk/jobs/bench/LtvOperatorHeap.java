package io.collateralrisk.jobs.bench;

import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The heap one facility costs in the LTV stage as the job runs it: {@link LtvStage} on a local
 * MiniCluster in this JVM (parallelism 1, no checkpoints) on the chosen state backend, fed a book
 * of N facilities (as {@code bench ltv}'s shard: opening LTVs from 40% to 95% at 20,000, standard
 * policy, every shard of one pair), then a quiet price feed that alternates a cent apart.
 * Commands cross a keyed exchange, so they arrive deserialized, as in the job.
 *
 * <p>The heap is read after full collections once every facility has had its first evaluation
 * (two {@code risk.ltv} records each: opened, first band), with the feed still running, for a
 * small book and a large one; the difference over the difference in facilities is what one more
 * facility costs, the cluster's own footprint cancelled out. The book arrives in one burst, so
 * what Flink keeps of the burst's timers (the heap backend's timer queue does not shrink) counts.
 */
public final class LtvOperatorHeap {

    static final long T0 = 1_700_000_000_000L;
    private static final BigDecimal OPENING_PRICE = LtvShardBenchmark.OPENING_PRICE;

    /**
     * {@code risk.ltv} records seen by the counting sink. Static: the MiniCluster's tasks run in
     * this JVM, on this class, and only one measurement runs at a time.
     */
    private static final AtomicLong LTV_RECORDS = new AtomicLong();

    private LtvOperatorHeap() {}

    /** Bytes of heap per facility between {@code small} and {@code large} facilities. */
    public static long perFacility(StateBackendChoice backend, int small, int large) throws Exception {
        long smallHeap = heapWith(backend, small);
        long largeHeap = heapWith(backend, large);
        return (largeHeap - smallHeap) / (large - small);
    }

    /** Used heap after full collections with {@code n} facilities loaded and evaluated. */
    static long heapWith(StateBackendChoice backend, int n) throws Exception {
        LTV_RECORDS.set(0);
        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        backend.applyTo(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        DataStream<FacilityCommand> commands = env.fromSequence(0, n - 1).uid("bench-book").name("book")
                .map(LtvOperatorHeap::opened).returns(TypeInformation.of(FacilityCommand.class)).uid("bench-commands").name("commands")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<FacilityCommand>forMonotonousTimestamps()
                        .withTimestampAssigner((c, ignored) -> c.eventTime()))
                .uid("bench-command-time").name("command time");
        // After the whole book in event time; ten a second, for as long as the job runs.
        long firstPrice = T0 + n;
        DataGeneratorSource<ReferencePrice> feed = new DataGeneratorSource<>(k -> quiet(firstPrice, k), Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(10), TypeInformation.of(ReferencePrice.class));
        DataStream<ReferencePrice> prices = env.fromSource(feed, WatermarkStrategy.<ReferencePrice>forMonotonousTimestamps()
                .withTimestampAssigner((p, ignored) -> p.eventTime()), "quiet prices").uid("bench-prices");

        LtvStage.Result ltv = LtvStage.apply(prices, commands, RiskConfig.defaults(), "bench", Long.MAX_VALUE);
        ltv.events().sinkTo(new DiscardingSink<>()).uid("bench-events").name("events");
        ltv.ltv().map(LtvOperatorHeap::count).returns(TypeInformation.of(LtvUpdate.class)).uid("bench-count").name("count")
                .sinkTo(new DiscardingSink<>()).uid("bench-ltv").name("ltv");

        JobClient job = env.executeAsync("bench ltv heap, " + n + " facilities");
        try {
            while (LTV_RECORDS.get() < 2L * n) {
                if (job.getJobExecutionResult().isDone()) {
                    job.getJobExecutionResult().get(); // throws with the cause
                    throw new IllegalStateException("the job ended before every facility was evaluated");
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            return LtvShardBenchmark.usedAfterGc();
        } finally {
            if (!job.getJobExecutionResult().isDone()) {
                job.cancel().get();
            }
            try {
                job.getJobExecutionResult().get();
            } catch (ExecutionException cancelledOrFailed) {
                // Cancelled as intended; a failure was reported above.
            }
        }
    }

    /** Facility {@code i} of the book, opened with both amounts at {@code T0 + i} ms. */
    static FacilityCommand opened(long i) {
        SplittableRandom random = new SplittableRandom(i);
        BigDecimal collateral = BigDecimal.valueOf(50_000_000L + (long) (random.nextDouble() * 950_000_000L), 8);
        double ltv = 0.40 + 0.55 * random.nextDouble();
        BigDecimal outstanding = collateral.multiply(OPENING_PRICE).multiply(BigDecimal.valueOf(ltv)).setScale(2, RoundingMode.HALF_EVEN);
        return new FacilityCommand(FacilityCommand.UPSERT, T0 + i, "F-" + i, "B-" + i, "bitgo", "BTC-USD", "standard",
                collateral, 1, outstanding, 1, false, null, false, "OPENED");
    }

    /** The {@code k}-th price of the feed: 20,000.00 and 20,000.01 in turn, a second apart. */
    static ReferencePrice quiet(long firstPrice, long k) {
        long t = firstPrice + k * 1_000;
        BigDecimal price = k % 2 == 0 ? OPENING_PRICE : OPENING_PRICE.add(new BigDecimal("0.01"));
        return new ReferencePrice("bench-" + k, "bench-" + k, t, "BTC-USD", PriceStatus.OK, price, price, price, null, false,
                List.of(), List.of(), "bench");
    }

    private static LtvUpdate count(LtvUpdate u) {
        LTV_RECORDS.incrementAndGet();
        return u;
    }
}
