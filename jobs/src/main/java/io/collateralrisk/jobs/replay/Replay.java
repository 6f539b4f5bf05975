package io.collateralrisk.jobs.replay;

import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.jobs.audit.AuditSetup;
import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.sinks.audit.AuditSink;
import io.collateralrisk.jobs.cli.CodeVersion;
import io.collateralrisk.jobs.input.ClockGuard;
import io.collateralrisk.jobs.input.InputRecord;
import io.collateralrisk.jobs.input.JsonLinesFormat;
import io.collateralrisk.jobs.input.ReferenceClockWatermarks;
import io.collateralrisk.jobs.input.ReplayReferenceClock;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.OutputJson;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A bounded run of the streaming job over {@code <topic>.jsonl} files, on an in-JVM MiniCluster.
 * Event time ends at the last input time; each output topic's records are written sorted by
 * event time, key and id, so the same input gives byte-identical files.
 */
public final class Replay {

    /** Not a topic: cure deadlines after the replay's last input time, listed in the summary. */
    public static final String UNFIRED_DEADLINES = "unfired-deadlines";

    private final RiskConfig config;
    private final int parallelism;
    /** Where the audit tables go; null writes none. */
    private final AuditCatalogConfig audit;
    private final StateBackendChoice stateBackend;

    public Replay(RiskConfig config, int parallelism) {
        this(config, parallelism, null);
    }

    public Replay(RiskConfig config, int parallelism, AuditCatalogConfig audit) {
        this(config, parallelism, audit, StateBackendChoice.HASHMAP);
    }

    public Replay(RiskConfig config, int parallelism, AuditCatalogConfig audit, StateBackendChoice stateBackend) {
        this.config = config;
        this.parallelism = parallelism;
        this.audit = audit;
        this.stateBackend = stateBackend;
    }

    /** The audit catalog of a replay into {@code outDir}: the configuration's, or {@code OUT/warehouse}. */
    public static AuditCatalogConfig auditCatalog(RiskConfig config, Path outDir) {
        return config.auditCatalog().withDefaultWarehouse(outDir.toAbsolutePath().resolve("warehouse").toString());
    }

    /** What a replay produced, per output topic, in file order. */
    public record Result(Map<String, List<OutputRecord>> byTopic, long eventTimeHorizon, Map<String, Path> inputs) {
        public List<OutputRecord> topic(String topic) {
            return byTopic.getOrDefault(topic, List.of());
        }
    }

    /** Runs over {@code inputDir} and writes {@code OUT/<topic>.jsonl}; {@code outDir} must be absent or empty. */
    public Result run(Path inputDir, Path outDir) throws Exception {
        if (Files.exists(outDir)) {
            try (var entries = Files.list(outDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("output directory is not empty: " + outDir);
                }
            }
        }
        Result result = run(inputDir);
        Files.createDirectories(outDir);
        for (String topic : Topics.OUTPUTS) {
            try (BufferedWriter w = Files.newBufferedWriter(outDir.resolve(topic + ".jsonl"), StandardCharsets.UTF_8)) {
                for (OutputRecord r : result.topic(topic)) {
                    w.write(r.json());
                    w.write('\n');
                }
            }
        }
        return result;
    }

    /** Runs over {@code inputDir} and returns the sorted outputs without writing files. */
    public Result run(Path inputDir) throws Exception {
        Map<String, Path> inputs = findInputs(inputDir);
        if (!inputs.containsKey(Topics.PRICES)) {
            throw new IllegalArgumentException("no prices.jsonl or prices.jsonl.gz in " + inputDir);
        }
        // The price clock's end first: a facility or control file's last line is judged against it at least.
        long pricesEnd = lastEventTime(inputs.get(Topics.PRICES), config.maxAheadMs(), ClockGuard.UNKNOWN);
        long horizon = pricesEnd;
        for (Map.Entry<String, Path> input : inputs.entrySet()) {
            if (!input.getKey().equals(Topics.PRICES)) {
                horizon = Math.max(horizon, lastEventTime(input.getValue(), config.maxAheadMs(), pricesEnd));
            }
        }

        Configuration conf = RiskJob.baseConfiguration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        stateBackend.applyTo(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        RiskJob.Inputs jobInputs = new RiskJob.Inputs(
                source(env, inputs.get(Topics.PRICES), Topics.PRICES, ClockGuard.UNKNOWN),
                source(env, inputs.get(Topics.FACILITY_EVENTS), Topics.FACILITY_EVENTS, pricesEnd),
                source(env, inputs.get(Topics.RISK_CONTROL), Topics.RISK_CONTROL, pricesEnd),
                source(env, inputs.get(Topics.PORTFOLIO_EVENTS), Topics.PORTFOLIO_EVENTS, pricesEnd),
                source(env, inputs.get(Topics.CUSTODY_SNAPSHOTS), Topics.CUSTODY_SNAPSHOTS, pricesEnd),
                false, false);
        RiskJob.Outputs outputs = RiskJob.build(jobInputs, config, CodeVersion.get(), horizon);

        Path parts = Files.createTempDirectory("risk-replay-");
        try {
            DataStream<OutputRecord> records = outputs.records();
            if (outputs.unfiredDeadlines() != null) {
                records = records.union(outputs.unfiredDeadlines()
                        .map(e -> new OutputRecord(UNFIRED_DEADLINES, e.facilityId(), e.eventTime(), e.eventId(), OutputJson.lifecycleEvent(e), false))
                        .uid("out-unfired-deadlines").name("unfired deadlines out"));
            }
            records.sinkTo(new ReplayFileSink(parts)).uid("replay-files").name("replay files");
            if (audit != null) {
                AuditSink.attach(outputs.audit(), AuditSetup.prepare(audit, config, CodeVersion.get()));
            }
            env.execute("risk replay");
            return new Result(readParts(parts), horizon, inputs);
        } finally {
            try (var files = Files.list(parts)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(parts);
        }
    }

    private static Map<String, List<OutputRecord>> readParts(Path parts) throws IOException {
        Map<String, List<OutputRecord>> byTopic = new TreeMap<>();
        try (var files = Files.list(parts)) {
            for (Path part : files.toList()) {
                ReplayFileSink.read(part, r -> byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r));
            }
        }
        byTopic.values().forEach(list -> list.sort(OutputRecord.ORDER));
        return byTopic;
    }

    private static DataStream<InputRecord> source(StreamExecutionEnvironment env, Path file, String topic, long lastLineFloor) {
        if (file == null) {
            return null;
        }
        FileSource<InputRecord> source =
                FileSource.forRecordStreamFormat(
                                new JsonLinesFormat(topic, file.getFileName().toString(), lastLineFloor),
                                new org.apache.flink.core.fs.Path(file.toUri()))
                        .build();
        // One reader per file keeps each topic in file order.
        return env.fromSource(source, ReferenceClockWatermarks.stampReferenceClock(), topic + " file")
                .uid("source-" + topic)
                .setParallelism(1);
    }

    /** {@code <topic>.jsonl} or {@code <topic>.jsonl.gz} for each input topic present. */
    static Map<String, Path> findInputs(Path dir) {
        Map<String, Path> found = new LinkedHashMap<>();
        for (String topic : Topics.INPUTS) {
            for (String suffix : new String[] {".jsonl", ".jsonl.gz"}) {
                Path file = dir.resolve(topic + suffix);
                if (Files.isRegularFile(file)) {
                    if (found.containsKey(topic)) {
                        throw new IllegalArgumentException("both " + topic + ".jsonl and " + topic + ".jsonl.gz in " + dir);
                    }
                    found.put(topic, file);
                }
            }
        }
        return found;
    }

    /**
     * The latest event time in a file that the clock guard accepts: where the replay's event time
     * ends. A record the job refuses (before 1970, or ahead of its reference clock) must not carry
     * the end of event time, and every timer with it, into its broken future.
     */
    static long lastEventTime(Path file, long maxAheadMs, long lastLineFloor) throws IOException {
        long last = Long.MIN_VALUE;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            ReplayReferenceClock clock = new ReplayReferenceClock(reader::readLine, lastLineFloor);
            ReplayReferenceClock.Line line;
            while ((line = clock.next()) != null) {
                // The clock has parsed the line's event time already: parsing it again was half of this pass.
                long t = line.eventTime();
                if (t != ClockGuard.UNKNOWN && ClockGuard.refusal(t, line.referenceClock(), maxAheadMs) == null) {
                    last = Math.max(last, t);
                }
            }
        }
        return last;
    }
}
