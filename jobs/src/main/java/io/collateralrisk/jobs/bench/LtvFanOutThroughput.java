package io.collateralrisk.jobs.bench;

import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import java.lang.management.ManagementFactory;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * What one price evaluation costs the LTV stage as the job runs it: the broadcast to its subtasks,
 * the wait for the watermark, and each shard's handling of the update (its clock, last price, index),
 * on a local MiniCluster in this JVM (parallelism 1, no checkpoints) on the chosen state backend.
 * A small book of one pair and a quiet feed (20,000.00 and 20,000.01 in turn), so that no facility
 * moves and what is measured is the per-evaluation overhead, not the facilities' decisions.
 *
 * <p>Two bounded runs differ only in the number of evaluations; their difference over the
 * difference in evaluations is the cost of one, the job's start and the book cancelled out. The
 * cost is the CPU time of this JVM's threads (the cluster runs in it): on two cores shared with
 * other work, wall time mostly measures the others.
 */
public final class LtvFanOutThroughput {

    private static final int BOOK = 1_000;

    private LtvFanOutThroughput() {}

    /** Microseconds of CPU time per evaluation between {@code small} and {@code large} evaluations. */
    public static double microsPerEvaluation(StateBackendChoice backend, int small, int large) throws Exception {
        run(backend, small); // warms the JVM's code for both measured runs
        long smallNanos = run(backend, small);
        long largeNanos = run(backend, large);
        return (largeNanos - smallNanos) / 1e3 / (large - small);
    }

    /** CPU time of a whole job: the book, then {@code evaluations} quiet evaluations as fast as they go. */
    static long run(StateBackendChoice backend, int evaluations) throws Exception {
        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        backend.applyTo(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        DataStream<FacilityCommand> commands = env.fromSequence(0, BOOK - 1).uid("bench-book").name("book")
                .map(LtvOperatorHeap::opened).returns(TypeInformation.of(FacilityCommand.class)).uid("bench-commands").name("commands")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<FacilityCommand>forMonotonousTimestamps()
                        .withTimestampAssigner((c, ignored) -> c.eventTime()))
                .uid("bench-command-time").name("command time");
        DataGeneratorSource<ReferencePrice> feed = new DataGeneratorSource<>(k -> LtvOperatorHeap.quiet(LtvOperatorHeap.T0 + BOOK, k), evaluations,
                TypeInformation.of(ReferencePrice.class));
        DataStream<ReferencePrice> prices = env.fromSource(feed, WatermarkStrategy.<ReferencePrice>forMonotonousTimestamps()
                .withTimestampAssigner((p, ignored) -> p.eventTime()), "quiet prices").uid("bench-prices");

        LtvStage.Result ltv = LtvStage.apply(prices, commands, RiskConfig.defaults(), "bench", Long.MAX_VALUE);
        ltv.events().sinkTo(new DiscardingSink<>()).uid("bench-events").name("events");
        ltv.ltv().sinkTo(new DiscardingSink<>()).uid("bench-ltv").name("ltv");
        long started = cpuNanos();
        env.execute("bench ltv fan-out, " + evaluations + " evaluations");
        return cpuNanos() - started;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
