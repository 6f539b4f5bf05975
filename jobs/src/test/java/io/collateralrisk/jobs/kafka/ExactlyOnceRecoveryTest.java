package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.audit.AuditSetup;
import io.collateralrisk.jobs.cli.CodeVersion;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.audit.AuditTables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exactly-once under failure. One real day, 10 March 2023 (Coinbase, Binance.US and Kraken
 * candles, the Binance.US BTC-USDC leg as oracle, a generated loan book, a few malformed records),
 * is published to a real KRaft broker and run by {@link KafkaPipeline} on a MiniCluster: bounded,
 * exactly-once, checkpoints every second, audit tables on a local Iceberg catalog.
 *
 * <p>A reference run has no failure. Each failure run is the same job with {@link FailOnce} after
 * the {@code prices} source: it throws once, at a seeded-random point of the day and after a
 * checkpoint has completed, and the fixed-delay restart strategy restarts the job from its last
 * checkpoint. Every output topic, read with {@code read_committed}, and every audit table must then
 * hold exactly the reference run's event ids, each once: none lost, none twice.
 *
 * <p>The day is paced until the failure (see {@link FailOnce}) and runs at full speed after the
 * restart, so a late failure point typically has the restarted job reach the end of its input
 * before its next checkpoint: the case in which Iceberg's {@code IcebergSink} dropped audit rows
 * (see {@code AuditSink}).
 */
class ExactlyOnceRecoveryTest {

    /**
     * The pace of {@code prices} until the failure: the day in about 15 s, below what the job takes
     * on two loaded cores, so that checkpoints complete while the day is read.
     */
    private static final double PRICES_PER_SECOND = 400;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run left behind: per output topic and per audit table, how many times each event id is there. */
    private record Outcome(Map<String, Map<String, Long>> topics, Map<String, Map<String, Long>> tables) {}

    private static KafkaTestCluster kafka;
    private static Path workDir;
    private static long horizon;
    /** Records published to {@code prices}: what the failure injector counts. */
    private static int priceRecords;
    private static Outcome reference;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    static void publishAndRunWithoutFailure(@TempDir Path dir) throws Exception {
        workDir = dir;
        kafka = KafkaTestCluster.start();
        RealDay day = RealDay.load();
        day.publish(kafka);
        horizon = day.horizon();
        priceRecords = day.priceRecords();
        reference = run("reference", UnaryOperator.identity(), false);

        // The day gives every kind of output the comparison is about.
        assertThat(reference.topics().get(Topics.REFERENCE_PRICES)).hasSizeGreaterThan(1000);
        assertThat(reference.topics().get(Topics.MARGIN_CALLS)).isNotEmpty();
        assertThat(reference.topics().get(Topics.LTV)).isNotEmpty();
        assertThat(reference.topics().get(Topics.DEAD_LETTER)).hasSize(RealDay.BAD_RECORDS.size());
        assertThat(reference.tables().get(AuditTables.PRICE_TICKS)).hasSize(priceRecords - RealDay.BAD_RECORDS.size());
        assertThat(reference.tables().get(AuditTables.FACILITY_EVENTS)).hasSize(RealDay.FACILITIES * 3);
        // The reference run is exactly-once too, and every table holds what its topic got.
        assertOnce("reference run", reference);
        for (AuditTables.Definition table : AuditTables.ALL) {
            if (table.topic() != null && Topics.OUTPUTS.contains(table.topic())) {
                assertThat(reference.tables().get(table.name())).as("table %s", table.name())
                        .isEqualTo(reference.topics().get(table.topic()));
            }
        }
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Three failure points from a seeded random: early, mid-day and late in the {@code prices} records. */
    static Stream<Long> failurePoints() {
        Random random = new Random(RealDay.SEED);
        int total;
        try {
            total = RealDay.load().priceRecords();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Stream.of(new double[] {0.05, 0.20}, new double[] {0.40, 0.60}, new double[] {0.80, 0.95})
                .map(range -> (long) (total * (range[0] + random.nextDouble() * (range[1] - range[0]))));
    }

    @ParameterizedTest(name = "failure after {0} price records")
    @MethodSource("failurePoints")
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRestartFromTheCheckpointNeitherLosesNorRepeatsAnEvent(long afterRecords) throws Exception {
        String name = "fail-after-" + afterRecords;
        FailOnce.Trigger trigger = FailOnce.arm(name, afterRecords);
        try {
            Outcome outcome = run(name, in -> in.withPrices(FailOnce.insert(in.prices(), name, PRICES_PER_SECOND)), true);

            assertThat(trigger.fired()).as("the failure was injected").isTrue();
            assertThat(trigger.firedAtRecord()).as("it fired after %d records", afterRecords).isGreaterThanOrEqualTo(afterRecords);
            assertThat(trigger.firedAtRecord()).as("it fired before the end of the input").isLessThan(priceRecords);
            assertThat(trigger.passed()).as("the records after the checkpoint were read again").isGreaterThan(priceRecords);
            assertOnce(name, outcome);
            assertSameEvents(name, reference, outcome);
        } finally {
            FailOnce.disarm(name);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void assertOnce(String run, Outcome outcome) {
        outcome.topics().forEach((topic, ids) -> assertThat(twice(ids)).as("%s: ids on %s more than once", run, topic).isEmpty());
        outcome.tables().forEach((table, ids) -> assertThat(twice(ids)).as("%s: ids in table %s more than once", run, table).isEmpty());
    }

    private static void assertSameEvents(String run, Outcome expected, Outcome actual) {
        assertThat(actual.topics().keySet()).isEqualTo(expected.topics().keySet());
        expected.topics().forEach((topic, ids) -> assertSameIds(run + ", topic " + topic, ids, actual.topics().get(topic)));
        assertThat(actual.tables().keySet()).isEqualTo(expected.tables().keySet());
        expected.tables().forEach((table, ids) -> assertSameIds(run + ", table " + table, ids, actual.tables().get(table)));
    }

    private static void assertSameIds(String where, Map<String, Long> expected, Map<String, Long> actual) {
        List<String> lost = expected.keySet().stream().filter(id -> !actual.containsKey(id)).toList();
        List<String> unexpected = actual.keySet().stream().filter(id -> !expected.containsKey(id)).toList();
        assertThat(lost).as("%s: lost", where).isEmpty();
        assertThat(unexpected).as("%s: not in the run without failure", where).isEmpty();
        assertThat(actual).as("%s: count per event id", where).isEqualTo(expected);
    }

    private static List<String> twice(Map<String, Long> ids) {
        return ids.entrySet().stream().filter(e -> e.getValue() != 1).map(e -> e.getKey() + " x" + e.getValue()).toList();
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Runs the job over the day with its own consumer group, transactional ids and audit warehouse,
     * then reads what it wrote to every output topic and audit table.
     */
    private static Outcome run(String name, UnaryOperator<RiskJob.Inputs> beforeJob, boolean restart) throws Exception {
        Map<TopicPartition, Long> before = kafka.logEndOffsets(kafka.outputPartitions());
        RiskConfig config = RiskConfig.defaults();
        Path warehouse = workDir.resolve(name).resolve("warehouse");

        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        if (restart) {
            // One restart: the injected failure. Any other failure fails the job, and the test.
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        KafkaPipeline.build(env, kafka.bootstrapServers(), "exactly-once-" + name, config, DeliveryGuarantee.EXACTLY_ONCE, true, horizon,
                AuditSetup.prepare(AuditCatalogConfig.hadoop(warehouse.toString()), config, CodeVersion.get()), beforeJob);
        env.execute("exactly-once " + name);

        Map<String, Map<String, Long>> topics = new TreeMap<>();
        Topics.OUTPUTS.forEach(t -> topics.put(t, new TreeMap<>()));
        for (ConsumerRecord<String, String> r : kafka.readCommitted(before).records()) {
            topics.get(r.topic()).merge(eventId(r), 1L, Long::sum);
        }
        return new Outcome(topics, auditEventIds(warehouse));
    }

    /** A tombstone has no value, so no event id: it is known by its key and timestamp. */
    private static String eventId(ConsumerRecord<String, String> r) {
        if (r.value() == null) {
            return "tombstone " + r.key() + "@" + Times.format(r.timestamp());
        }
        try {
            return JSON.readTree(r.value()).get("eventId").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.value(), e);
        }
    }

    /** Read with Iceberg's generic reader on a catalog opened independently of the job's code. */
    private static Map<String, Map<String, Long>> auditEventIds(Path warehouse) throws Exception {
        Map<String, Map<String, Long>> tables = new TreeMap<>();
        try (HadoopCatalog catalog = new HadoopCatalog(new org.apache.hadoop.conf.Configuration(), warehouse.toString())) {
            for (AuditTables.Definition table : AuditTables.ALL) {
                if (table.topic() == null) {
                    continue; // config_versions: written by the client, not the job
                }
                Map<String, Long> ids = new TreeMap<>();
                try (CloseableIterable<Record> rows = IcebergGenerics.read(catalog.loadTable(TableIdentifier.of(AuditTables.NAMESPACE, table.name())))
                        .select("event_id").build()) {
                    rows.forEach(r -> ids.merge((String) r.getField("event_id"), 1L, Long::sum));
                }
                tables.put(table.name(), ids);
            }
        }
        return tables;
    }
}
