package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.bench.ReferencePriceBenchmark;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.replay.Replay;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/risk bench}. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks, printed with the machine's core count.",
        subcommands = {BenchCommand.Prices.class, BenchLtvCommand.class, BenchLatencyCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required (see --help)");
    }

    /** {@code bin/risk bench prices}: the reference-price operator's logic under JMH, then whole replays. */
    @Command(
            name = "prices",
            mixinStandardHelpOptions = true,
            description = {
                "Ticks per second through the reference-price operator's logic (JMH) and through whole replays.",
                "",
                "Part 1 runs the operator's per-tick work under JMH in a forked JVM: parsing a tick line, one"
                        + " evaluation of four sources with the TWAP, and the TWAP alone at ten evaluations a second"
                        + " (3,000 points in its 5-minute window), with the running sum and with the whole-window walk"
                        + " it replaced.",
                "Part 2 times whole replays of the bundled March 2023 BTC-USD ticks (three exchanges) copied onto "
                        + Prices.PAIR_COUNT + " pairs, alternating parallelism 2 and 1, three runs each; every time"
                        + " includes the MiniCluster's startup. The first run is cold; the fastest of the later runs of"
                        + " each parallelism is reported as warm.",
                "Takes about 3 minutes on a quiet machine; --quick makes it a smoke run of about 45 s."
            })
    public static final class Prices implements Callable<Integer> {

        static final int PAIR_COUNT = 8;
        private static final String BASE_PAIR = "BTC-USD";
        /** Quote assets of the extra pairs; each gets BTC-USD's pricing settings. */
        private static final List<String> EXTRA_QUOTES = List.of("EUR", "GBP", "CHF", "CAD", "AUD", "SGD", "HKD");
        private static final int[] PARALLELISMS = {2, 1};
        /** Replays per parallelism: the JVM needs two or three replays before they stop getting faster. */
        private static final int RUNS = 3;

        @Option(names = "--quick", description = "A smoke run: JMH 1 x 0.2 s warmup, 2 x 0.2 s measured; one replay per parallelism. Figures are rough.")
        boolean quick;

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            double loadBefore = loadAverage();
            // The replays go first so that the first one runs in a JVM nothing has warmed up.
            ReplayFigures replay = replays();
            JmhFigures jmh = jmh();

            out.println();
            out.printf(Locale.ROOT, "bench prices: %d cores, %s %s (%s), Flink %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                    Runtime.version(), System.getProperty("java.vendor"), EnvironmentInformation.getVersion());
            // Other processes competing for the cores skew every figure; the load average shows it.
            out.printf(Locale.ROOT, "system load average (1 min): %.2f before, %.2f after%n", loadBefore, loadAverage());
            out.println();
            out.printf(Locale.ROOT, "1. operator logic, JMH %s%n", jmh.settings);
            out.printf(Locale.ROOT, "   %-58s %14s%n", "", "ops/s (+- 99.9%)");
            out.printf(Locale.ROOT, "   %-58s %s%n", "parse a tick line (InputParser.parsePrice)", jmh.parse.show());
            out.printf(Locale.ROOT, "   %-58s %s%n", "evaluate 4 sources + TWAP, 1 evaluation/min (6 points)", jmh.evalSparse.show());
            out.printf(Locale.ROOT, "   %-58s %s%n", "evaluate 4 sources + TWAP, 10 evaluations/s (3,001 points)", jmh.evalDense.show());
            out.printf(Locale.ROOT, "   %-58s %s%n", "TWAP alone, 10 evaluations/s (3,001 points): running sum", jmh.twapRunning.show());
            out.printf(Locale.ROOT, "   %-58s %s%n", "TWAP alone, 10 evaluations/s: whole-window walk (before)", jmh.twapWalk.show());
            double perTick = 1 / (1 / jmh.parse.score + 1 / jmh.evalDense.score);
            out.printf(Locale.ROOT, "   %-58s %,14.0f%n", "ticks/s if every tick is parsed and evaluated (10/s case)", perTick);
            out.println();
            out.printf(Locale.ROOT, "2. whole replay: %,d ticks (%d pairs x %,d) per run, timed from job setup to collected output%n",
                    replay.ticks, PAIR_COUNT, replay.ticks / PAIR_COUNT);
            out.printf(Locale.ROOT, "   %-4s %-12s %8s %10s%n", "run", "parallelism", "seconds", "ticks/s");
            for (ReplayRun r : replay.runs) {
                out.printf(Locale.ROOT, "   %-4d %-12d %8.1f %,10.0f%s%n", r.number, r.parallelism, r.seconds, r.ticksPerSecond(replay.ticks),
                        r.number == 1 ? "   cold: first replay in this JVM" : "");
            }
            for (int parallelism : PARALLELISMS) {
                replay.warmest(parallelism).ifPresent(r -> out.printf(Locale.ROOT,
                        "   warm, parallelism %d (fastest after round 1, run %d): %,.0f ticks/s%n",
                        parallelism, r.number, r.ticksPerSecond(replay.ticks)));
            }
            out.printf(Locale.ROOT, "   outputs per run: %,d reference prices, %,d dead letters%n",
                    replay.referencePrices, replay.deadLetters);
            return 0;
        }

        private static double loadAverage() {
            return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }

        // ---- 1. JMH ----

        record Score(double score, double error) {
            String show() {
                // JMH gives no confidence interval for fewer than three measured iterations.
                String ci = Double.isNaN(error) ? "n/a" : String.format(Locale.ROOT, "%,.0f", error);
                return String.format(Locale.ROOT, "%,14.0f (+- %s)", score, ci);
            }
        }

        record JmhFigures(String settings, Score parse, Score evalSparse, Score evalDense, Score twapRunning, Score twapWalk) {}

        private JmhFigures jmh() throws Exception {
            int warmups = quick ? 1 : 3;
            int measured = quick ? 2 : 5;
            // The 3,001-point evaluation needs 6 to 8 s before its throughput settles on this 2-core machine.
            TimeValue warmupTime = quick ? TimeValue.milliseconds(200) : TimeValue.seconds(4);
            TimeValue measureTime = quick ? TimeValue.milliseconds(200) : TimeValue.seconds(2);
            String settings = String.format(Locale.ROOT, "(forks 1, warmup %d x %s, measured %d x %s)",
                    warmups, warmupTime, measured, measureTime);
            System.err.println("bench: JMH " + settings + " ...");
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(Pattern.quote(ReferencePriceBenchmark.class.getName()) + "\\.")
                    // The fork inherits this JVM's flags and classpath; risk.home again in case the
                    // JVM was started without it, so that the fork finds the bundled data.
                    .forks(1)
                    .jvmArgsAppend("-Drisk.home=" + BundledPrices.dataDir().getParent())
                    .warmupIterations(warmups)
                    .warmupTime(warmupTime)
                    .measurementIterations(measured)
                    .measurementTime(measureTime)
                    .shouldFailOnError(true)
                    .verbosity(VerboseMode.SILENT);
            Collection<RunResult> results = new Runner(options.build()).run();
            Score parse = null;
            Score sparse = null;
            Score dense = null;
            Score twapRunning = null;
            Score twapWalk = null;
            for (RunResult r : results) {
                var primary = r.getPrimaryResult();
                Score s = new Score(primary.getScore(), primary.getScoreError());
                String method = r.getParams().getBenchmark();
                if (method.endsWith(".parsePrice")) {
                    parse = s;
                } else if (method.endsWith(".twap")) {
                    twapRunning = s;
                } else if (method.endsWith(".twapWholeWindowWalk")) {
                    twapWalk = s;
                } else if ("1".equals(r.getParams().getParam("evaluationsPerMinute"))) {
                    sparse = s;
                } else {
                    dense = s;
                }
            }
            if (parse == null || sparse == null || dense == null || twapRunning == null || twapWalk == null) {
                throw new IllegalStateException("JMH returned " + results.size() + " results, expected 5");
            }
            return new JmhFigures(settings, parse, sparse, dense, twapRunning, twapWalk);
        }

        // ---- 2. whole replays ----

        record ReplayRun(int number, int parallelism, double seconds) {
            double ticksPerSecond(long ticks) {
                return ticks / seconds;
            }
        }

        record ReplayFigures(long ticks, List<ReplayRun> runs, long referencePrices, long deadLetters) {
            /**
             * The fastest run of a parallelism after the first round, which is still warming up;
             * the fastest, because other processes on the machine only ever add time.
             */
            Optional<ReplayRun> warmest(int parallelism) {
                return runs.stream()
                        .filter(r -> r.parallelism == parallelism && r.number > PARALLELISMS.length)
                        .min(Comparator.comparingDouble(ReplayRun::seconds));
            }
        }

        private ReplayFigures replays() throws Exception {
            List<String> pairs = new ArrayList<>();
            pairs.add(BASE_PAIR);
            EXTRA_QUOTES.forEach(q -> pairs.add("BTC-" + q));
            // New pairs take BTC-USD's settings for every key they omit; their quote assets must exist.
            String yaml = "assets: {" + EXTRA_QUOTES.stream().map(q -> q + ": {scale: 2}").collect(Collectors.joining(", ")) + "}\n"
                    + "pairs: {" + pairs.stream().skip(1).map(p -> p + ": {}").collect(Collectors.joining(", ")) + "}\n";
            RiskConfig config = ConfigLoader.parse(yaml);

            List<String> base = BundledPrices.exchangeTicks(BASE_PAIR, BundledPrices.MARCH_2023_BTC_USD);
            Path dir = Files.createTempDirectory("risk-bench-");
            Path prices = dir.resolve(Topics.PRICES + ".jsonl");
            long ticks = 0;
            String from = "\"pair\":\"" + BASE_PAIR + "\"";
            // Each tick is copied onto every pair in turn, so the file stays in event-time order.
            try (BufferedWriter w = Files.newBufferedWriter(prices, StandardCharsets.UTF_8)) {
                for (String line : base) {
                    if (!line.contains(from)) {
                        throw new IllegalStateException("unexpected tick line: " + line);
                    }
                    for (String pair : pairs) {
                        w.write(line.replace(from, "\"pair\":\"" + pair + "\""));
                        w.write('\n');
                        ticks++;
                    }
                }
            }

            List<ReplayRun> runs = new ArrayList<>();
            long referencePrices = -1;
            long deadLetters = -1;
            int rounds = quick ? 1 : RUNS;
            try {
                // Alternating parallelism: run after run the JVM warms up, and each parallelism gets
                // its share of early (slow) and late (warm) runs.
                for (int round = 0; round < rounds; round++) {
                    for (int parallelism : PARALLELISMS) {
                        int number = runs.size() + 1;
                        System.err.printf(Locale.ROOT, "bench: replay %d of %d, %,d ticks, parallelism %d ...%n",
                                number, rounds * PARALLELISMS.length, ticks, parallelism);
                        long start = System.nanoTime();
                        Replay.Result result = new Replay(config, parallelism).run(dir);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        referencePrices = result.topic(Topics.REFERENCE_PRICES).size();
                        deadLetters = result.topic(Topics.DEAD_LETTER).size();
                        runs.add(new ReplayRun(number, parallelism, seconds));
                    }
                }
            } finally {
                Files.deleteIfExists(prices);
                Files.deleteIfExists(dir);
            }
            if (deadLetters > 0) {
                System.err.printf(Locale.ROOT, "bench: warning: %,d dead letters; not every tick was evaluated%n", deadLetters);
            }
            return new ReplayFigures(ticks, runs, referencePrices, deadLetters);
        }
    }
}
