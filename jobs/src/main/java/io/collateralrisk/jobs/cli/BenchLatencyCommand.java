package io.collateralrisk.jobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.jobs.bench.latency.BenchMarket;
import io.collateralrisk.jobs.bench.latency.LatencyBench;
import io.collateralrisk.jobs.bench.latency.Percentiles;
import io.collateralrisk.jobs.kafka.DeliveryConverter;
import io.collateralrisk.model.json.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.runtime.util.EnvironmentInformation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/risk bench latency}: tick-to-output latency of the live job, per facility-event scenario. */
@Command(
        name = "latency",
        mixinStandardHelpOptions = true,
        description = {
            "Tick-to-output latency of the job running live: a Kafka broker in a process of its own, the job on a",
            "MiniCluster in this JVM (the demo's KafkaPipeline), a loan book on facility-events, a producer sending",
            "ticks at a steady rate and a consumer reading risk.reference-prices and risk.margin-calls",
            "(read_committed for exactly-once, read_uncommitted for at-least-once). A tick's latency runs from its",
            "send to the first record it caused becoming visible (its evaluation's reference price); lifecycle",
            "events (margin calls, cures, liquidations) are timed from the send of the tick that completed their",
            "evaluation. p50/p99/max per scenario: facility events silent, trickling (one per 10 s) and bursting",
            "(1,000/s), at each --out-of-order and --delivery. Each (outOfOrder, delivery) runs on a broker and job of",
            "its own; its scenarios follow one another on that job. The silent scenario measures once facility",
            "events have been quiet for " + LatencyBench.QUIET_INPUT_SETTLES_SECONDS + " s (they carry no clock: quiet, they hold nothing back).",
            "Progress goes to stderr; the table (or with --json one object) to stdout. Each (outOfOrder, delivery) starts its own",
            "broker and job (a minute or two before the first scenario): about 30 minutes in all, --quick about 15, on two idle cores."
        })
public final class BenchLatencyCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Measure each scenario for 20 s after a 10 s warm-up (default: 60 s after 30 s).")
    boolean quick;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--scenarios", split = ",", paramLabel = "NAME[,NAME...]", defaultValue = "silent,trickling,bursting",
            description = "Facility-event scenarios, in this order: silent, trickling, bursting (default: ${DEFAULT-VALUE}).")
    List<String> scenarios;

    @Option(names = "--out-of-order", split = ",", paramLabel = "DURATION[,...]", defaultValue = "0s,5s",
            description = "lateness.outOfOrder values, e.g. 0s,5s or 500ms (default: ${DEFAULT-VALUE}).")
    List<String> outOfOrder;

    @Option(names = "--delivery", split = ",", paramLabel = "DELIVERY[,...]", defaultValue = "exactly-once,at-least-once",
            converter = DeliveryConverter.class, description = "Delivery of the output topics (default: ${DEFAULT-VALUE}).")
    List<DeliveryGuarantee> deliveries;

    @Option(names = "--facilities", defaultValue = "100000", paramLabel = "N", description = "Facilities on the book, spread over the pairs (default: ${DEFAULT-VALUE}).")
    int facilities;

    @Option(names = "--pairs", defaultValue = "10", paramLabel = "N", description = "Pairs, BTC against USD, EUR, GBP ... (default: ${DEFAULT-VALUE}, at most 12).")
    int pairs;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "TICKS_PER_SECOND",
            description = "Price ticks a second over all pairs, each pair's ticks round-robin over 4 exchanges (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--parallelism", defaultValue = "2", paramLabel = "N", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backend", defaultValue = "HASHMAP", paramLabel = "HASHMAP|ROCKSDB",
            description = "Where the job keeps its keyed state (default: ${DEFAULT-VALUE}; ROCKSDB checkpoints incrementally).")
    StateBackendChoice stateBackend;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION",
            description = "Flink checkpoint interval for both deliveries (default: 1s for exactly-once, whose output becomes visible at"
                    + " checkpoints; 10s for at-least-once, whose output is visible at once and whose interval only bounds what a"
                    + " recovery reads again).")
    String checkpointInterval;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Seconds of each scenario's traffic before it is measured (default: 10 with --quick, else 30).")
    Integer warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Seconds each scenario is measured (default: 20 with --quick, else 60).")
    Integer durationSeconds;

    @Option(names = "--drain-timeout", defaultValue = "150", paramLabel = "SECONDS",
            description = "How long a scenario waits for its last measured ticks to be evaluated; ticks still waiting then are"
                    + " reported as not evaluated (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<LatencyBench.Traffic> traffic = scenarios.stream().map(this::traffic).toList();
        List<Long> outOfOrderMs = outOfOrder.stream().map(this::millis).toList();
        long exactlyOnceCheckpointMs = checkpointInterval != null ? millis(checkpointInterval) : 1_000;
        long atLeastOnceCheckpointMs = checkpointInterval != null ? millis(checkpointInterval) : 10_000;
        long checkpointMs = Math.min(exactlyOnceCheckpointMs, atLeastOnceCheckpointMs);
        if (facilities < pairs || pairs < 1 || pairs > BenchMarket.MAX_PAIRS || rate < 1 || parallelism < 1 || checkpointMs < 1
                || drainSeconds < 1 || (warmupSeconds != null && warmupSeconds < 0) || (durationSeconds != null && durationSeconds < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--pairs must be 1 to " + BenchMarket.MAX_PAIRS
                    + ", --facilities at least --pairs, --rate, --parallelism, --duration, --drain-timeout and --checkpoint-interval positive");
        }
        Duration warmup = Duration.ofSeconds(warmupSeconds != null ? warmupSeconds : quick ? 10 : 30);
        Duration measure = Duration.ofSeconds(durationSeconds != null ? durationSeconds : quick ? 20 : 60);
        LatencyBench.Settings settings = new LatencyBench.Settings(traffic, outOfOrderMs, deliveries, facilities, pairs, rate, parallelism, stateBackend,
                Duration.ofMillis(exactlyOnceCheckpointMs), Duration.ofMillis(atLeastOnceCheckpointMs), warmup, measure, Duration.ofSeconds(drainSeconds));

        int cores = Runtime.getRuntime().availableProcessors();
        double loadBefore = LatencyBench.loadAverage();
        List<LatencyBench.Result> results = new LatencyBench(settings, System.err).run();
        double loadAfter = LatencyBench.loadAverage();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.mapper().writeValueAsString(toJson(cores, settings, loadBefore, loadAfter, results)));
            out.flush();
            return 0;
        }
        out.println();
        out.printf(Locale.ROOT, "bench latency: %d cores, %s %s, Flink %s; load average (1 min) %.2f before, %.2f after%n", cores,
                System.getProperty("java.vm.name"), Runtime.version(), EnvironmentInformation.getVersion(), loadBefore, loadAfter);
        out.printf(Locale.ROOT, "job: MiniCluster, parallelism %d, %s state, checkpoint interval %d ms exactly-once, %d ms at-least-once;"
                + " broker: one KRaft node in its own process%n", parallelism, stateBackend, exactlyOnceCheckpointMs, atLeastOnceCheckpointMs);
        out.printf(Locale.ROOT, "book: %,d facilities over %d pairs; ticks: %,d/s over %d pairs x %d exchanges, prices swinging %.0f%% either"
                        + " side over %d s%n", facilities, pairs, rate, pairs, BenchMarket.SOURCES.size(), BenchMarket.SWING * 100,
                BenchMarket.SWING_PERIOD_MS / 1000);
        out.printf(Locale.ROOT, "each scenario: %d s warm-up (silent: until facility events have been quiet %d s), %d s measured%n",
                warmup.toSeconds(), LatencyBench.QUIET_INPUT_SETTLES_SECONDS, measure.toSeconds());
        out.println();
        out.printf(Locale.ROOT, "%-10s %10s %-14s | %8s %8s %8s %8s | %9s %8s %8s %8s | %7s %8s %5s%n", "scenario", "outOfOrder",
                "delivery", "ticks", "p50 ms", "p99 ms", "max ms", "lifecycle", "p50 ms", "p99 ms", "max ms", "missing", "ticks/s", "load");
        for (LatencyBench.Result r : results) {
            out.printf(Locale.ROOT, "%-10s %8d ms %-14s | %,8d %8s %8s %8s | %,9d %8s %8s %8s | %,7d %,8.0f %5.2f%n", r.name(),
                    r.outOfOrderMs(), r.delivery(), r.ticks().count(), ms(r.ticks().p50()), ms(r.ticks().p99()), ms(r.ticks().max()),
                    r.lifecycle().count(), ms(r.lifecycle().p50()), ms(r.lifecycle().p99()), ms(r.lifecycle().max()), r.missing(),
                    r.ticksPerSecond(), r.loadAverage());
        }
        out.println();
        out.println("ticks: send to the tick's reference price visible; lifecycle: send of the tick that completed the evaluation to each");
        out.println("margin-call event it caused visible; missing: measured ticks not in any reference price by the end of the drain.");
        out.flush();
        return 0;
    }

    static ObjectNode toJson(int cores, LatencyBench.Settings s, double loadBefore, double loadAfter, List<LatencyBench.Result> results) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("cores", cores);
        root.put("loadAverageBefore", loadBefore);
        root.put("loadAverageAfter", loadAfter);
        root.put("parallelism", s.parallelism());
        root.put("stateBackend", s.stateBackend().name());
        root.put("facilities", s.facilities());
        root.put("pairs", s.pairs());
        root.put("ticksPerSecond", s.ticksPerSecond());
        root.put("warmupMs", s.warmup().toMillis());
        root.put("measuredMs", s.measure().toMillis());
        ArrayNode list = root.putArray("scenarios");
        for (LatencyBench.Result r : results) {
            ObjectNode n = list.addObject();
            n.put("name", r.name());
            n.put("outOfOrderMs", r.outOfOrderMs());
            n.put("delivery", r.delivery());
            n.put("checkpointIntervalMs", r.checkpointIntervalMs());
            put(n, r.ticks());
            n.put("events", r.ticks().count());
            n.put("missing", r.missing());
            ObjectNode lifecycle = n.putObject("lifecycle");
            put(lifecycle, r.lifecycle());
            lifecycle.put("events", r.lifecycle().count());
            n.put("ticksSentPerSecond", Math.round(r.ticksPerSecond()));
            n.put("loadAverage", r.loadAverage());
        }
        return root;
    }

    private static void put(ObjectNode n, Percentiles p) {
        // No sample, no figure: null rather than a number that could be read as one.
        if (p.count() == 0) {
            n.putNull("p50Ms").putNull("p99Ms").putNull("maxMs");
        } else {
            n.put("p50Ms", p.p50()).put("p99Ms", p.p99()).put("maxMs", p.max());
        }
    }

    private static String ms(long v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%,d", v);
    }

    private LatencyBench.Traffic traffic(String name) {
        for (LatencyBench.Traffic t : LatencyBench.Traffic.values()) {
            if (t.label().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown scenario '" + name + "': silent, trickling or bursting");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s)");

    private long millis(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "'" + text + "' is not a duration such as 0s, 5s or 500ms");
        }
        long v = Long.parseLong(m.group(1));
        return m.group(2).equals("s") ? v * 1000 : v;
    }
}
