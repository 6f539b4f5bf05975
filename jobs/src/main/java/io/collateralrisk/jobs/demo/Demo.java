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
import java.util.Optional;
import java.math.BigDecimal;
import io.collateralrisk.jobs.kafka.KafkaPipeline;
import io.collateralrisk.jobs.kafka.LocalKafkaBroker;
import io.collateralrisk.jobs.replay.ReplaySummary;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code bin/risk demo}: a real KRaft broker, the bundled March 2023 BTC-USD candles of three
 * venues published to {@code prices} (with a few malformed records), and the job on an in-JVM
 * MiniCluster from Kafka to Kafka with exactly-once output, read back with {@code read_committed}.
 */
public final class Demo {

    private static final String PAIR = "BTC-USD";
    /** Refused on purpose, to show the dead-letter path. */
    private static final List<String> BAD_RECORDS = List.of(
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:00:00\",\"pair\":\"BTC-USD\",\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"20000\"}",
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:00:00Z\",\"pair\":\"BTC-USD\",\"source\":\"kraken\",\"kind\":\"EXCHANGE\",\"price\":\"-5\"}",
            "not json at all");

    private static final long LOAN_BOOK_SEED = 20230310L;
    /** Near the first reference price of the data (9 March 2023, 00:01 UTC). */
    private static final BigDecimal OPENING_PRICE = new BigDecimal("21700");

    private final PrintStream out;
    private final int parallelism;
    private final int facilities;
    /** The demo's own directory: the audit warehouse goes under it, fresh each run. */
    private final Path workDir;
    /** Unbounded sources: the job stays up after the replay, until the demo is stopped. */
    private final boolean keepRunning;
    /** Start a Prometheus scraping the job's reporter. */
    private final boolean prometheus;

    public Demo(PrintStream out, int parallelism, int facilities, Path workDir) {
        this(out, parallelism, facilities, workDir, false, false);
    }

    public Demo(PrintStream out, int parallelism, int facilities, Path workDir, boolean keepRunning, boolean prometheus) {
        this.out = out;
        this.parallelism = parallelism;
        this.facilities = facilities;
        this.workDir = workDir.toAbsolutePath();
        this.keepRunning = keepRunning;
        this.prometheus = prometheus;
    }

    public int run() throws Exception {
        long started = System.nanoTime();
        RiskConfig config = RiskConfig.defaults();
        out.println("Collateral-risk monitor demo: March 2023 BTC-USD (Coinbase, Binance.US, Kraken), real 1-minute data;");
        out.println("the primary oracle is the Binance.US BTC-USDC leg priced as if it were USD (USDC lost its peg on 10-13 March)");
        List<String> ticks = BundledPrices.merge(List.of(
                BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD),
                BundledPrices.oracleTicks(PAIR, BundledPrices.MARCH_2023_BTC_USDC)));
        long horizon = ticks.stream().mapToLong(BundledPrices::eventTime).max().orElseThrow();
        LoanBook book = new LoanBook(LOAN_BOOK_SEED, facilities, PAIR, OPENING_PRICE, BundledPrices.eventTime(ticks.get(0)) - 60_000,
                new BigDecimal("0.40"), new BigDecimal("0.95"));
        List<String> bookEvents = book.events();
        out.printf("Loan book: %d facilities on %s, seed %d, opening LTVs spread evenly from %s to %s at %s USD,%n"
                + "           collateral 0.5 to 50 BTC, policies standard (3/4) and tri-party (1/4), opened %s%n",
                book.count(), PAIR, book.seed(), book.minLtv(), book.maxLtv(), book.openingPrice(), Times.format(book.openedAt()));

        out.println("[1/4] starting a local Kafka broker (KRaft) ...");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            broker.createTopics(KafkaPipeline.topicPartitions(), KafkaPipeline.topicConfigs());
            out.println("      broker at " + broker.bootstrapServers());

            out.println("[2/4] publishing " + bookEvents.size() + " facility events, " + ticks.size() + " price ticks and "
                    + BAD_RECORDS.size() + " malformed records ...");
            publish(broker.bootstrapServers(), ticks, bookEvents);

            out.println("[3/4] running the job on a Flink MiniCluster (parallelism " + parallelism + ", exactly-once output"
                    + (keepRunning ? ", sources left open: the replay starts once the quiet inputs are idle, after "
                            + RiskJob.IDLE_AFTER.toSeconds() + " s" : "") + ") ...");
            int reporterPort = DemoPrometheus.freePort();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(parallelism, reporterPort));
            Path warehouse = workDir.resolve("warehouse");
            FileUtils.deleteDirectory(warehouse.toFile());
            KafkaPipeline.build(env, broker.bootstrapServers(), "risk-demo", config, DeliveryGuarantee.EXACTLY_ONCE, !keepRunning, horizon,
                    AuditSetup.prepare(AuditCatalogConfig.hadoop(warehouse.toString()), config, CodeVersion.get()));
            JobClient job = env.executeAsync("risk demo");
            DemoPrometheus metrics = prometheus ? startPrometheus(reporterPort) : null;
            try {
                Map<String, List<OutputRecord>> byTopic = consumeUntilDone(broker.bootstrapServers(), job);

                out.println("[4/4] done in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s; ticks read: "
                        + (ticks.size() + BAD_RECORDS.size()));
                out.println();
                out.print(ReplaySummary.render(byTopic, horizon, config, null));
                lowest(byTopic).ifPresent(line -> out.println("\nLowest reference price: " + line));
                out.println();
                Path shown = relative(warehouse);
                out.println("Audit tables (Iceberg, " + shown + "): try");
                out.println("  bin/risk audit --warehouse " + shown + " \"SELECT type, count(*) AS n FROM margin_call_events GROUP BY type ORDER BY n DESC\"");
                out.println("  bin/risk audit --warehouse " + shown + " \"SELECT facility_id, event_time, ltv, ltv_price, liquidate_collateral FROM margin_call_events"
                        + " WHERE type = 'LIQUIDATION_TRIGGERED' ORDER BY event_time LIMIT 10\"");
                out.println("  bin/risk audit --warehouse " + shown + " --format csv \"SELECT event_time, status, price, median, twap FROM reference_prices"
                        + " WHERE event_time >= TIMESTAMP '2023-03-11 07:00:00' ORDER BY event_time LIMIT 20\"");
                out.println("  bin/risk audit --warehouse " + shown + " \"SELECT topic, reason, payload FROM rejected_events\"");
                for (String type : List.of("MARGIN_CALL_ISSUED", "LIQUIDATION_TRIGGERED")) {
                    byTopic.getOrDefault(Topics.MARGIN_CALLS, List.of()).stream()
                            .filter(r -> r.json().contains("\"type\":\"" + type + "\""))
                            .findFirst()
                            .ifPresent(r -> out.println("  bin/risk explain --warehouse " + shown + " --verify " + r.eventId()
                                    + "   (the first " + type + ", " + r.key() + ")"));
                }
                out.println();
                out.println("Where to look next:");
                out.println("  bin/risk replay --input DIR --out OUT   the same job over files (see README: Replay)");
                out.println("  bin/risk import --help                  turn the CSV data in data/ into prices JSONL");
                out.println("  docs/schemas/                           the JSON contract of every output topic");
                if (metrics != null) {
                    printMetrics(metrics);
                }
                if (keepRunning) {
                    out.println();
                    out.println("The job keeps running on its open Kafka sources (publish more to the broker at " + broker.bootstrapServers()
                            + "); Ctrl-C stops the job, the broker" + (metrics != null ? " and Prometheus" : "") + ".");
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

    /** The path as the user would type it from where bin/risk was started. */
    private static Path relative(Path p) {
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
            DemoPrometheus p = DemoPrometheus.start(DemoPrometheus.dashboardsDir(), workDir, ports);
            out.println("      metrics: Flink's reporter at " + ports.stream().map(port -> "127.0.0.1:" + port).toList()
                    + ", scraped by Prometheus at " + p.url());
            return p;
        } catch (Exception e) {
            out.println("      (no Prometheus: " + e.getMessage() + "; the demo goes on without it)");
            return null;
        }
    }

    private void printMetrics(DemoPrometheus metrics) {
        Path dashboards = DemoPrometheus.dashboardsDir();
        out.println();
        out.println("Metrics: Prometheus at " + metrics.url() + " (scrapes every 15 s; rules of dashboards/prometheus/rules; log "
                + relative(metrics.log()) + "), e.g.");
        out.println("  " + metrics.url() + "/graph?g0.expr=risk%3Afacilities%3Asum_by_band");
        out.println("Grafana dashboards to import: " + relative(dashboards.resolve("grafana/dashboards")) + "/*.json, with a Prometheus");
        out.println("  datasource of uid risk-prometheus at " + metrics.url() + " (" + relative(dashboards.resolve("grafana/provisioning"))
                + " provisions both; see dashboards/README.md)");
    }

    private static Configuration flinkConfiguration(int parallelism, int reporterPort) {
        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        DemoPrometheus.configureReporter(conf, reporterPort);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
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
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String event : facilityEvents) {
                int start = event.indexOf("\"facilityId\":\"") + 14;
                producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, null, BundledPrices.eventTime(event),
                        event.substring(start, event.indexOf('"', start)), event));
            }
            int i = 0;
            for (String tick : ticks) {
                producer.send(new ProducerRecord<>(Topics.PRICES, null, BundledPrices.eventTime(tick), PAIR, tick));
                if (++i == ticks.size() / 2) {
                    BAD_RECORDS.forEach(bad -> producer.send(new ProducerRecord<>(Topics.PRICES, PAIR, bad)));
                }
            }
            producer.flush();
        }
    }

    /** Reads every output topic with read_committed until the job has finished and nothing more arrives. */
    private Map<String, List<OutputRecord>> consumeUntilDone(String bootstrap, JobClient job) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "risk-demo-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, List<OutputRecord>> byTopic = new TreeMap<>();
        long lastProgress = 0;
        int quietPolls = 0;
        long lastRecord = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(Topics.OUTPUTS);
            while (true) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    boolean tombstone = r.value() == null;
                    String json = tombstone ? "" : new String(r.value(), StandardCharsets.UTF_8);
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>())
                            .add(new OutputRecord(r.topic(), key, r.timestamp(), "", json, tombstone));
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
                if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(3)) {
                    lastProgress = System.nanoTime();
                    out.printf("      %-8s reference prices %6d | lifecycle events %5d | price alerts %3d | dead letters %3d%n",
                            ended ? (keepRunning ? "replayed" : "finished") : "running", size(byTopic, Topics.REFERENCE_PRICES),
                            size(byTopic, Topics.MARGIN_CALLS), size(byTopic, Topics.PRICE_ALERTS), size(byTopic, Topics.DEAD_LETTER));
                }
                if (ended && keepRunning) {
                    return byTopic;
                }
                if (ended) {
                    result.get(); // throws with the cause if the job failed
                    quietPolls = records.isEmpty() ? quietPolls + 1 : 0;
                    if (quietPolls >= 4) {
                        return byTopic;
                    }
                }
            }
        }
    }

    private static int size(Map<String, List<OutputRecord>> byTopic, String topic) {
        return byTopic.getOrDefault(topic, List.of()).size();
    }

    private static Optional<String> lowest(Map<String, List<OutputRecord>> byTopic) throws IOException {
        String best = null;
        BigDecimal min = null;
        for (OutputRecord r : byTopic.getOrDefault(Topics.REFERENCE_PRICES, List.of())) {
            JsonNode price = Json.outputReader().readTree(r.json()).get("price");
            if (price == null || price.isNull()) {
                continue; // unavailable
            }
            BigDecimal p = new BigDecimal(price.asText());
            if (min == null || p.compareTo(min) < 0) {
                min = p;
                best = p.toPlainString() + " USD at " + Times.format(r.eventTime());
            }
        }
        return Optional.ofNullable(best);
    }
}
