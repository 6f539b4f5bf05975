package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.jobs.bench.LtvFanOutThroughput;
import io.collateralrisk.jobs.bench.LtvOperatorHeap;
import io.collateralrisk.jobs.bench.LtvShardBenchmark;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/risk bench ltv}: price updates on one LTV shard, indexed against the naive walk. */
@Command(
        name = "ltv",
        mixinStandardHelpOptions = true,
        description = {
            "Price updates per second on one LTV shard holding N facilities, the indexed",
            "way the job does it against a naive walk that re-evaluates every facility,",
            "and the heap used per facility (state and index). JMH, forks 1. Then the",
            "heap per facility of the LTV stage itself, run on a local cluster on the",
            "heap and on the RocksDB state backend. About 15 minutes at a million",
            "facilities; --quick for a smoke run."
        })
public final class BenchLtvCommand implements Callable<Integer> {

    @Option(names = "--facilities", split = ",", defaultValue = "10000,100000,1000000", paramLabel = "N[,N...]",
            description = "Facilities on the shard (default: ${DEFAULT-VALUE}).")
    List<Integer> facilities;

    @Option(names = "--quick", description = "Short JMH iterations; figures are rough.")
    boolean quick;

    @Option(names = "--job-facilities", paramLabel = "N",
            description = "Facilities for the LTV stage's heap on each state backend, measured against N/10 "
                    + "(default: the largest --facilities; 0 skips it).")
    Integer jobFacilities;

    @Option(names = "--evaluations", paramLabel = "N", defaultValue = "100000",
            description = "Quiet price evaluations through the LTV stage in a local job on each state backend, "
                    + "measured against N/5: the cost of a price applied to every shard of its pair (default: ${DEFAULT-VALUE}; 0 skips it).")
    int evaluations;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "bench ltv: %d cores, %s %s, max heap %,d MB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        Map<Integer, long[]> heap = new TreeMap<>();
        for (int n : facilities) {
            System.err.printf(Locale.ROOT, "bench: heap of %,d facilities ...%n", n);
            heap.put(n, LtvShardBenchmark.heapPerFacility(n));
        }

        int jobN = jobFacilities != null ? jobFacilities : facilities.stream().mapToInt(Integer::intValue).max().orElse(0);
        Map<StateBackendChoice, Long> jobHeap = new EnumMap<>(StateBackendChoice.class);
        if (jobN >= 10) {
            for (StateBackendChoice backend : StateBackendChoice.values()) {
                System.err.printf(Locale.ROOT, "bench: the LTV stage on %s with %,d and %,d facilities ...%n", backend, jobN / 10, jobN);
                jobHeap.put(backend, LtvOperatorHeap.perFacility(backend, jobN / 10, jobN));
            }
        }

        Map<StateBackendChoice, Double> fanOut = new EnumMap<>(StateBackendChoice.class);
        if (evaluations >= 5) {
            for (StateBackendChoice backend : StateBackendChoice.values()) {
                System.err.printf(Locale.ROOT, "bench: %,d and %,d price evaluations through the LTV stage on %s ...%n",
                        evaluations / 5, evaluations, backend);
                fanOut.put(backend, LtvFanOutThroughput.microsPerEvaluation(backend, evaluations / 5, evaluations));
            }
        }

        TimeValue time = quick ? TimeValue.milliseconds(300) : TimeValue.seconds(2);
        var options = new OptionsBuilder()
                .include(Pattern.quote(LtvShardBenchmark.class.getName()) + "\\.")
                .param("facilities", facilities.stream().map(String::valueOf).toArray(String[]::new))
                .forks(1)
                .jvmArgsAppend("-Xmx6g")
                .warmupIterations(quick ? 1 : 2)
                .warmupTime(time)
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(time)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.err.println("bench: JMH (load average " + loadBefore + ") ...");
        Collection<RunResult> results = new Runner(options).run();

        // quietIndexed, quietNaive, walkIndexed (us/update), walk evaluations per update,
        // metricsSweepWalk, metricsSweepBook (us/sweep)
        Map<Integer, double[]> byN = new TreeMap<>();
        for (RunResult r : results) {
            int n = Integer.parseInt(r.getParams().getParam("facilities"));
            double[] row = byN.computeIfAbsent(n, k -> new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            String method = r.getParams().getBenchmark();
            double us = r.getPrimaryResult().getScore();
            if (method.endsWith(".quietIndexed")) {
                row[0] = us;
            } else if (method.endsWith(".quietNaive")) {
                row[1] = us;
            } else if (method.endsWith(".metricsSweepWalk")) {
                row[4] = us;
            } else if (method.endsWith(".metricsSweepBook")) {
                row[5] = us;
            } else if (method.endsWith(".walkIndexed")) {
                row[2] = us;
                var evaluations = r.getSecondaryResults().get("evaluations");
                // In average-time mode an aux counter scores time per counted event (microseconds per
                // evaluation here): microseconds per update over it gives evaluations per update.
                row[3] = evaluations == null ? Double.NaN : us / evaluations.getScore();
            }
        }
        out.printf(Locale.ROOT, "%n%12s %16s %16s %10s %16s %14s %12s %12s %12s %14s %14s%n", "facilities", "quiet indexed",
                "quiet naive", "ratio", "walk indexed", "evals/update", "heap/fac.", "index/fac.", "book/fac.", "sweep walk",
                "sweep book");
        out.printf(Locale.ROOT, "%12s %16s %16s %10s %16s %14s %12s %12s %12s %14s %14s%n", "", "(updates/s)", "(updates/s)", "",
                "(updates/s)", "", "(bytes)", "(bytes)", "(bytes)", "(ms)", "(ms)");
        for (var e : byN.entrySet()) {
            double[] r = e.getValue();
            long[] bytes = heap.getOrDefault(e.getKey(), new long[] {-1, -1, -1});
            out.printf(Locale.ROOT, "%,12d %,16.0f %,16.1f %,10.0f %,16.0f %,14.1f %,12d %,12d %,12d %,14.1f %,14.3f%n", e.getKey(),
                    1e6 / r[0], 1e6 / r[1], r[1] / r[0], 1e6 / r[2], r[3], bytes[0], bytes[1], bytes[2], r[4] / 1000, r[5] / 1000);
        }
        out.println("\nquiet: the price alternates a cent apart, no facility changes band; walk: 0.05% steps.");
        out.println("ratio: naive time per update over indexed time per update.");
        out.println("sweep walk: one 10-second sweep of the shard's metrics (exposure, distribution, shock ladder, watchlist)");
        out.println("visiting every facility, as before the book; sweep book: the same figures from the book, as the job does.");
        out.println("heap/fac.: facility state, index and book as plain Java objects, as the heap state backend keeps them;");
        out.println("index/fac., book/fac.: the index alone and the metrics' book alone, beside the ids and amounts the state shares with them.");
        out.printf(Locale.ROOT, "load average (1 min): %.2f as JMH started, %.2f as it ended.%n", loadBefore,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        if (!jobHeap.isEmpty()) {
            out.printf(Locale.ROOT, "%nThe LTV stage in a running job (local cluster, parallelism 1), heap per facility from %,d to %,d facilities:%n",
                    jobN / 10, jobN);
            jobHeap.forEach((backend, bytes) -> out.printf(Locale.ROOT, "  %-8s %,6d bytes%n", backend, bytes));
        }
        if (!fanOut.isEmpty()) {
            out.printf(Locale.ROOT, "%nOne price evaluation through the LTV stage (local cluster, parallelism 1, a quiet feed applied to every shard"
                    + " of the pair, %d shards):%n", io.collateralrisk.ltv.ltv.LtvStage.SHARDS);
            fanOut.forEach((backend, us) -> out.printf(Locale.ROOT, "  %-8s %,8.1f us of CPU  (%,.0f evaluations/s a core)%n", backend, us, 1e6 / us));
        }
        out.printf(Locale.ROOT, "%nload average at the end: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return 0;
    }
}
