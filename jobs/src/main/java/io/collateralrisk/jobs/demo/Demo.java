package io.collateralrisk.jobs.demo;

import io.collateralrisk.jobs.audit.AuditSetup;
import io.collateralrisk.jobs.cli.CodeVersion;
import io.collateralrisk.model.config.AuditCatalogConfig;
import java.io.IOException;
import java.nio.file.Path;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.data.LoanBook;
import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import io.collateralrisk.jobs.kafka.DeliveryConverter;
import io.collateralrisk.jobs.kafka.KafkaPipeline;
import io.collateralrisk.jobs.kafka.LocalKafkaBroker;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.OutputRecord;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code bin/risk demo}: a real KRaft broker, the bundled March 2023 BTC-USD candles of three
 * venues published to {@code prices} (with a few malformed records), and the job on an in-JVM
 * MiniCluster from Kafka to Kafka with exactly-once output read back with {@code read_committed} (or at-least-once
 * output read back with {@code read_uncommitted}).
 */
public final class Demo {

    private static final Logger LOG = LogManager.getLogger(Demo.class);

    private static final String PAIR = "BTC-USD";
    /** Refused on purpose, to show the dead-letter path. */
    private static final List<String> BAD_RECORDS = List.of(
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:00:00\",\"pair\":\"BTC-USD\",\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"20000\"}",
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:00:00Z\",\"pair\":\"BTC-USD\",\"source\":\"kraken\",\"kind\":\"EXCHANGE\",\"price\":\"-5\"}",
            "not json at all");

    private static final long LOAN_BOOK_SEED = 20230310L;
    /** Near the first reference price of the data (9 March 2023, 00:01 UTC). */
    private static final BigDecimal OPENING_PRICE = new BigDecimal("21700");

    private static final long DAY = Duration.ofDays(1).toMillis();
    /** At most how often a line of progress is printed while the job runs. */
    private static final long PROGRESS_EVERY = TimeUnit.SECONDS.toNanos(20);
    private static final int STEPS = 5;

    private final PrintStream out;
    private final int parallelism;
    private final int facilities;
    /** The demo's own directory: the audit warehouse goes under it, fresh each run. */
    private final Path workDir;
    /** Unbounded sources: the job stays up after the replay, until the demo is stopped. */
    private final boolean keepRunning;
    /** Start a Prometheus scraping the job's reporter. */
    private final boolean prometheus;
    /** Only the first days of the bundled data; 0 for all of it. */
    private final int days;
    /** Where the job's and the libraries' log goes ({@link DemoLog}), named in the summary; null when it stays where it was. */
    private final Path log;
    /** The output topics' delivery; the demo reads them back as a consumer of that delivery would. */
    private final DeliveryGuarantee delivery;

    public Demo(PrintStream out, int parallelism, int facilities, Path workDir) {
        this(out, parallelism, facilities, workDir, false, false, 0, null);
    }

    public Demo(PrintStream out, int parallelism, int facilities, Path workDir, boolean keepRunning, boolean prometheus, int days, Path log) {
        this(out, parallelism, facilities, workDir, keepRunning, prometheus, days, log, DeliveryGuarantee.EXACTLY_ONCE);
    }

    public Demo(PrintStream out, int parallelism, int facilities, Path workDir, boolean keepRunning, boolean prometheus, int days, Path log,
            DeliveryGuarantee delivery) {
        this.out = out;
        this.parallelism = parallelism;
        this.facilities = facilities;
        this.workDir = workDir.toAbsolutePath();
        this.keepRunning = keepRunning;
        this.prometheus = prometheus;
        this.days = days;
        this.log = log;
        this.delivery = delivery;
    }

    public int run() throws Exception {
        long started = System.nanoTime();
        RiskConfig config = RiskConfig.defaults();
        List<String> ticks = BundledPrices.merge(List.of(
                BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD),
                BundledPrices.oracleTicks(PAIR, BundledPrices.MARCH_2023_BTC_USDC)));
        if (days > 0) {
            long end = BundledPrices.eventTime(ticks.get(0)) + days * DAY;
            ticks = ticks.stream().filter(t -> BundledPrices.eventTime(t) < end).toList();
        }
        long horizon = ticks.stream().mapToLong(BundledPrices::eventTime).max().orElseThrow();
        out.println("Collateral-risk monitor demo: BTC-USD of Coinbase, Binance.US and Kraken, real 1-minute data of "
                + Times.format(BundledPrices.eventTime(ticks.get(0))).substring(0, 10) + " to " + Times.format(horizon).substring(0, 10) + ";");
        out.println("the primary oracle is the Binance.US BTC-USDC leg priced as if it were USD (USDC lost its peg on 10-13 March)");
        LoanBook book = new LoanBook(LOAN_BOOK_SEED, facilities, PAIR, OPENING_PRICE, BundledPrices.eventTime(ticks.get(0)) - 60_000,
                new BigDecimal("0.40"), new BigDecimal("0.95"));
        List<String> bookEvents = book.events();
        out.printf("Loan book: %d facilities on %s, seed %d, opening LTVs spread evenly from %s to %s at %s USD,%n"
                + "           collateral 0.5 to 50 BTC, policies standard (3/4) and tri-party (1/4), opened %s%n",
                book.count(), PAIR, book.seed(), book.minLtv(), book.maxLtv(), book.openingPrice(), Times.format(book.openedAt()));

        step(1, "starting a local Kafka broker (KRaft) ...");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            broker.createTopics(KafkaPipeline.topicPartitions(), KafkaPipeline.topicConfigs());
            out.println(" up at " + broker.bootstrapServers());

            step(2, "publishing " + bookEvents.size() + " facility events, " + ticks.size() + " price ticks and "
                    + BAD_RECORDS.size() + " malformed records ...");
            publish(broker.bootstrapServers(), ticks, bookEvents);
            out.println(" done");

            step(3, "starting the job on a Flink MiniCluster (parallelism " + parallelism + ", " + DeliveryConverter.name(delivery) + " output) ...");
            int reporterPort = DemoPrometheus.freePort();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(parallelism, reporterPort, workDir.resolve("checkpoints")));
            Path warehouse = workDir.resolve("warehouse");
            FileUtils.deleteDirectory(warehouse.toFile());
            KafkaPipeline.build(env, broker.bootstrapServers(), "risk-demo", config, delivery, !keepRunning, horizon,
                    AuditSetup.prepare(AuditCatalogConfig.hadoop(warehouse.toString()), config, CodeVersion.get()));
            JobClient job = env.executeAsync("risk demo");
            out.println(" running");
            DemoPrometheus metrics = prometheus ? startPrometheus(reporterPort) : null;
            try {
                step(4, keepRunning
                        ? "the sources stay open and the job is live: decisions run on the price clock alone; reading the outputs "
                                + readingHow()
                        : "reading the outputs " + readingHow() + ", until the job has replayed every record");
                out.println();
                Map<String, List<OutputRecord>> byTopic = consumeUntilDone(broker.bootstrapServers(), job, started);

                step(5, "done in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");
                out.println();
                out.println();
                out.print(DemoSummary.render(byTopic, horizon, config));
                out.println();
                tryCommands(byTopic, warehouse);
                out.println();
                if (metrics != null) {
                    printMetrics(metrics);
                }
                out.println("More: bin/risk replay --help (the same job over files), bin/risk import --help (the CSV data in data/), docs/schemas/");
                if (log != null) {
                    out.println("Log of the job and its libraries: " + relative(log));
                }
                if (keepRunning) {
                    out.println("The job keeps running on its open Kafka sources (publish more to the broker at " + broker.bootstrapServers()
                            + "); Ctrl-C stops " + (metrics != null ? "the job, the broker and Prometheus" : "the job and the broker") + ".");
                    job.getJobExecutionResult().get();
                } else if (metrics != null) {
                    out.println("Prometheus stops with the demo: add --keep-running to keep the job and Prometheus up.");
                }
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
            }
        }
        return 0;
    }

    private String readingHow() {
        return exactlyOnce() ? "(read_committed) as checkpoints commit them" : "(read_uncommitted) as they are written";
    }

    private boolean exactlyOnce() {
        return delivery == DeliveryGuarantee.EXACTLY_ONCE;
    }

    private void step(int n, String text) {
        out.print("[" + n + "/" + STEPS + "] " + text);
        out.flush();
    }

    /**
     * Commands to try on the demo's warehouse, each runnable as printed from where the demo was
     * started; one names its table by namespace, as the spec does.
     */
    private void tryCommands(Map<String, List<OutputRecord>> byTopic, Path warehouse) {
        Path shown = relative(warehouse);
        out.println("Try on the audit tables (Iceberg, " + shown + "):");
        out.println("  bin/risk audit --warehouse " + shown + " \"SELECT type, count(*) AS n FROM risk_audit.margin_call_events"
                + " GROUP BY type ORDER BY n DESC\"");
        out.println("  bin/risk audit --warehouse " + shown + " \"SELECT facility_id, event_time, ltv, ltv_price, liquidate_collateral"
                + " FROM margin_call_events WHERE type = 'LIQUIDATION_TRIGGERED' ORDER BY event_time LIMIT 10\"");
        out.println("  bin/risk audit --warehouse " + shown + " --format csv \"SELECT event_time, status, price, median, twap"
                + " FROM reference_prices ORDER BY price LIMIT 20\"");
        out.println("  bin/risk audit --warehouse " + shown + " \"SELECT topic, reason, payload FROM rejected_events\"");
        for (String type : List.of("MARGIN_CALL_ISSUED", "LIQUIDATION_TRIGGERED")) {
            byTopic.getOrDefault(Topics.MARGIN_CALLS, List.of()).stream()
                    .filter(r -> r.json().contains("\"type\":\"" + type + "\""))
                    .min(OutputRecord.ORDER)
                    .ifPresent(r -> out.println("  bin/risk explain --warehouse " + shown + " --verify " + r.eventId()
                            + "   # the first " + type + ", " + r.key()));
        }
    }

    /** The path as the user would type it from where bin/risk was started. */
    public static Path relative(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p) : p;
    }

    /** Starts Prometheus on the job's reporter; the demo goes on without it when it cannot. */
    private DemoPrometheus startPrometheus(int firstReporterPort) {
        try {
            List<Integer> ports = DemoPrometheus.reporterPorts(firstReporterPort);
            if (ports.isEmpty()) {
                out.println("      (no metrics: Flink's Prometheus reporter did not start on ports " + firstReporterPort + "+)");
                return null;
            }
            if (!DemoPrometheus.installed()) {
                out.println("      installing Prometheus from Debian's packages (bin/ensure-prometheus) ...");
            }
            DemoPrometheus p = DemoPrometheus.start(DemoPrometheus.dashboardsDir(), workDir, ports, log);
            out.println("      metrics: Flink's reporter at " + ports.stream().map(port -> "127.0.0.1:" + port).toList()
                    + ", scraped by Prometheus at " + p.url());
            return p;
        } catch (Exception e) {
            LOG.warn("Prometheus did not start", e);
            out.println("      (no Prometheus: " + firstLine(e.getMessage()) + "; the demo goes on without it)");
            return null;
        }
    }

    /** The first line of a message that may carry a log's tail. */
    public static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl).stripTrailing() + " ...";
    }

    private void printMetrics(DemoPrometheus metrics) {
        Path dashboards = DemoPrometheus.dashboardsDir();
        out.println("Metrics: Prometheus at " + metrics.url() + " (scrapes every 15 s; rules of dashboards/prometheus/rules; log "
                + relative(metrics.log()) + "), e.g.");
        out.println("  " + metrics.url() + "/graph?g0.expr=risk%3Afacilities%3Asum_by_band");
        out.println("Grafana: import " + relative(dashboards.resolve("grafana/dashboards")) + "/*.json with a Prometheus datasource of uid"
                + " risk-prometheus at " + metrics.url() + " (see dashboards/README.md)");
    }

    private static Configuration flinkConfiguration(int parallelism, int reporterPort, Path checkpoints) throws java.io.IOException {
        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        DemoPrometheus.configureReporter(conf, reporterPort);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
        // On files, as a cluster keeps them: a replay's burst of prices buffered in the LTV shards,
        // 128 a pair, outgrows the JobManager's 5 MB in-memory checkpoint storage.
        FileUtils.deleteDirectory(checkpoints.toFile());
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }

    private void publish(String bootstrap, List<String> ticks, List<String> facilityEvents) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // A topic just created answers NOT_LEADER_OR_FOLLOWER for a moment: the retries must keep
        // each facility's events in order (one request in flight, idempotent), and a record that
        // still fails stops the demo instead of vanishing from the book.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        AtomicReference<Exception> failed = new AtomicReference<>();
        Callback remember = (metadata, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String event : facilityEvents) {
                int start = event.indexOf("\"facilityId\":\"") + 14;
                producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, null, BundledPrices.eventTime(event),
                        event.substring(start, event.indexOf('"', start)), event), remember);
            }
            int i = 0;
            for (String tick : ticks) {
                producer.send(new ProducerRecord<>(Topics.PRICES, null, BundledPrices.eventTime(tick), PAIR, tick), remember);
                if (++i == ticks.size() / 2) {
                    BAD_RECORDS.forEach(bad -> producer.send(new ProducerRecord<>(Topics.PRICES, PAIR, bad), remember));
                }
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("publishing to the local broker failed: " + failed.get().getMessage(), failed.get());
        }
    }

    /** Reads every output topic as a consumer of the delivery would until the job has finished and nothing more arrives. */
    private Map<String, List<OutputRecord>> consumeUntilDone(String bootstrap, JobClient job, long started) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "risk-demo-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, exactlyOnce() ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, List<OutputRecord>> byTopic = new TreeMap<>();
        long lastProgress = 0;
        int printed = 0;
        int quietPolls = 0;
        long lastRecord = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(Topics.OUTPUTS);
            while (true) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(outputRecord(r));
                }
                if (!records.isEmpty()) {
                    lastRecord = System.nanoTime();
                }
                // The local cluster shuts down with the job, so the result future, not the status, says when it ended.
                var result = job.getJobExecutionResult();
                if (keepRunning && result.isDone()) {
                    result.get(); // throws with the cause if the job failed
                    throw new IllegalStateException("the job ended");
                }
                // Kept running, the replay is over when the outputs have been quiet for 15 s (checkpoints every 2 s).
                boolean ended = keepRunning
                        ? size(byTopic, Topics.REFERENCE_PRICES) > 0 && System.nanoTime() - lastRecord > TimeUnit.SECONDS.toNanos(15)
                        : result.isDone();
                if (ended && keepRunning) {
                    progress(byTopic, "replayed", started);
                    return byTopic;
                }
                if (ended) {
                    result.get(); // throws with the cause if the job failed
                    quietPolls = records.isEmpty() ? quietPolls + 1 : 0;
                    if (quietPolls >= 4) {
                        progress(byTopic, "finished", started);
                        return byTopic;
                    }
                } else if (System.nanoTime() - lastProgress > PROGRESS_EVERY && total(byTopic) > printed) {
                    // Only when more came out: a slow start or a pause between checkpoints adds no line.
                    lastProgress = System.nanoTime();
                    printed = total(byTopic);
                    progress(byTopic, "running", started);
                }
            }
        }
    }

    private void progress(Map<String, List<OutputRecord>> byTopic, String state, long started) {
        out.printf("      %4d s %-8s reference prices %5d | lifecycle events %5d | price alerts %3d | dead letters %3d%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), state, size(byTopic, Topics.REFERENCE_PRICES),
                size(byTopic, Topics.MARGIN_CALLS), size(byTopic, Topics.PRICE_ALERTS), size(byTopic, Topics.DEAD_LETTER));
    }

    /** A record read back, with the event id and time of its JSON (a tombstone has neither). */
    private static OutputRecord outputRecord(ConsumerRecord<byte[], byte[]> r) throws IOException {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            return new OutputRecord(r.topic(), key, r.timestamp(), "", "", true);
        }
        String json = new String(r.value(), StandardCharsets.UTF_8);
        JsonNode n = Json.outputReader().readTree(json);
        return new OutputRecord(r.topic(), key, Times.parseIso(n.path("eventTime").asText()), n.path("eventId").asText(), json, false);
    }

    private static int total(Map<String, List<OutputRecord>> byTopic) {
        return byTopic.values().stream().mapToInt(List::size).sum();
    }

    private static int size(Map<String, List<OutputRecord>> byTopic, String topic) {
        return byTopic.getOrDefault(topic, List.of()).size();
    }
}
