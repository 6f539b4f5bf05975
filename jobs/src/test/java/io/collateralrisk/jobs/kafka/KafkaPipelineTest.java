package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production wiring end to end: a real KRaft broker in the JVM, hand-made {@code prices}
 * records, {@link KafkaPipeline} on a MiniCluster, and every output topic read back with
 * {@code read_committed}. The expected records are worked out by hand from the table below.
 *
 * <p>Both tests share the cluster and the input; each runs with its own group id (so it reads
 * {@code prices} from the start and has its own transactional ids) and reads only the output
 * written after the offsets it recorded before its run.
 */
class KafkaPipelineTest {

    private static final String PAIR = "BTC-USD";
    private static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    private static final long HORIZON = T0 + 300_000;
    /** Exchange maxAge (120 s) + 1 ms after kraken's and binance's last tick at 60 s. */
    private static final long STALE_AT = T0 + 180_001;

    private static final String BAD_TIME =
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2024-01-01T00:00:45\",\"pair\":\"BTC-USD\","
                    + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"42000.00\"}";
    private static final long BAD_TIME_TS = T0 + 45_000;
    private static final String NOT_JSON = "not json at all";
    private static final long NOT_JSON_TS = T0 + 200_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static KafkaTestCluster kafka;
    /** Payload to {@code prices/partition@offset} of each malformed record, known once published. */
    private static final Map<String, String> badLocations = new HashMap<>();

    /** One expected evaluation: median null when UNAVAILABLE; used as source:price@second, excluded as source:reason. */
    private record ExpectedPrice(long t, String median, List<String> used, List<String> excluded) {}

    /*
     * Every 30 s for 5 minutes coinbase ticks; kraken and binance tick with it up to 60 s, then
     * stop. Both turn stale at 180.001 s, leaving one fresh source (below quorum 2): UNAVAILABLE.
     * Kraken comes back at 240 s: two fresh sources again, RESTORED. Binance stays stale.
     */
    private static final List<ExpectedPrice> EXPECTED = List.of(
            ok(0, "42000.00", "binance:41990.00@0", "coinbase:42000.00@0", "kraken:42010.00@0"),
            ok(30, "42100.00", "binance:42130.00@30", "coinbase:42100.00@30", "kraken:42080.00@30"),
            ok(60, "42050.00", "binance:42020.00@60", "coinbase:42050.00@60", "kraken:42070.00@60"),
            // 42020 (binance@60), 42070 (kraken@60), 42200: still fresh at age <= 120 s.
            ok(90, "42070.00", "binance:42020.00@60", "coinbase:42200.00@90", "kraken:42070.00@60"),
            ok(120, "42020.00", "binance:42020.00@60", "coinbase:42010.00@120", "kraken:42070.00@60"),
            ok(150, "42070.00", "binance:42020.00@60", "coinbase:42300.00@150", "kraken:42070.00@60"),
            // Age exactly 120 s is still fresh.
            ok(180, "42040.00", "binance:42020.00@60", "coinbase:42040.00@180", "kraken:42070.00@60"),
            new ExpectedPrice(STALE_AT, null, List.of("coinbase:42040.00@180"), List.of("binance:STALE", "kraken:STALE")),
            new ExpectedPrice(T0 + 210_000, null, List.of("coinbase:42500.00@210"), List.of("binance:STALE", "kraken:STALE")),
            // Even count: mean of the two.
            new ExpectedPrice(T0 + 240_000, "42425.00",
                    List.of("coinbase:42400.00@240", "kraken:42450.00@240"), List.of("binance:STALE")),
            new ExpectedPrice(T0 + 270_000, "42412.50",
                    List.of("coinbase:42410.00@270", "kraken:42415.00@270"), List.of("binance:STALE")),
            // The mean 42300.505 is within the price scale (8 places): kept, not rounded to cents.
            new ExpectedPrice(HORIZON, "42300.505",
                    List.of("coinbase:42301.01@300", "kraken:42300.00@300"), List.of("binance:STALE")));

    private static ExpectedPrice ok(int second, String median, String... used) {
        return new ExpectedPrice(T0 + second * 1000L, median, List.of(used), List.of());
    }

    @BeforeAll
    static void startKafkaAndPublish() throws Exception {
        kafka = KafkaTestCluster.start();
        publishInput();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exactlyOnceWritesEveryOutputOnceToReadCommittedConsumers() throws Exception {
        KafkaTestCluster.Written written = run(DeliveryGuarantee.EXACTLY_ONCE, "kafka-pipeline-test-eo");
        List<ConsumerRecord<String, String>> records = written.records();

        // Commit markers take offsets too: proof the records were written in transactions.
        assertThat(written.offsets()).isGreaterThan(records.size());
        assertThat(records).extracting(KafkaPipelineTest::eventId).doesNotHaveDuplicates();
        assertOutputs(records);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void atLeastOnceGivesTheSameEventIds() throws Exception {
        KafkaTestCluster.Written written = run(DeliveryGuarantee.AT_LEAST_ONCE, "kafka-pipeline-test-alo");
        List<ConsumerRecord<String, String>> records = written.records();
        assertThat(written.offsets()).as("no transactions, no markers").isEqualTo(records.size());

        // At-least-once may repeat a record (same id, same content) but never changes or loses one.
        Map<String, ConsumerRecord<String, String>> byId = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            ConsumerRecord<String, String> first = byId.putIfAbsent(eventId(r), r);
            if (first != null) {
                assertThat(r.value()).as("repeated record %s", eventId(r)).isEqualTo(first.value());
                assertThat(r.key()).isEqualTo(first.key());
            }
        }
        assertOutputs(List.copyOf(byId.values()));
    }

    // ---------------------------------------------------------------------------------------------

    private static void assertOutputs(List<ConsumerRecord<String, String>> records) throws Exception {
        for (ConsumerRecord<String, String> r : records) {
            OutputContract.assertValid(r.value());
            // The sink stamps each record with its event time.
            assertThat(Times.format(r.timestamp())).as("Kafka timestamp of %s", r.value())
                    .isEqualTo(json(r).get("eventTime").asText());
        }
        assertThat(records).extracting(ConsumerRecord::topic)
                .as("only these topics get records from prices alone")
                .containsOnly(Topics.REFERENCE_PRICES, Topics.PRICE_ALERTS, Topics.DEAD_LETTER);
        assertThat(new TreeSet<>(records.stream().map(KafkaPipelineTest::eventId).toList()))
                .isEqualTo(new TreeSet<>(expectedEventIds()));

        assertReferencePrices(onTopic(records, Topics.REFERENCE_PRICES));
        assertPriceAlerts(onTopic(records, Topics.PRICE_ALERTS));
        assertDeadLetters(onTopic(records, Topics.DEAD_LETTER));
    }

    private static void assertReferencePrices(List<ConsumerRecord<String, String>> records) throws Exception {
        assertThat(records).hasSize(EXPECTED.size()).allSatisfy(r -> assertThat(r.key()).isEqualTo(PAIR));
        // One key, one partition: read in partition order, the evaluations come in event-time order.
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
        for (int i = 0; i < EXPECTED.size(); i++) {
            ExpectedPrice expected = EXPECTED.get(i);
            JsonNode n = json(records.get(i));
            String at = Times.format(expected.t());
            assertThat(n.get("eventTime").asText()).isEqualTo(at);
            assertThat(n.get("pair").asText()).isEqualTo(PAIR);
            assertThat(n.get("evaluationId").asText()).isEqualTo(EventIds.evaluationId(PAIR, expected.t()));
            assertThat(n.get("status").asText()).as("status at %s", at).isEqualTo(expected.median() == null ? "UNAVAILABLE" : "OK");
            assertThat(text(n, "median")).as("median at %s", at).isEqualTo(expected.median());
            assertThat(text(n, "price")).as("price at %s (no incident: the median)", at).isEqualTo(expected.median());
            assertThat(n.get("incidentOpen").asBoolean()).isFalse();
            assertThat(text(n, "primary")).as("no oracle, no primary").isNull();
            assertThat(text(n, "twap")).as("coinbase always fresh: a TWAP at %s", at).isNotNull();
            List<String> used = new ArrayList<>();
            n.get("used").forEach(u -> used.add(u.get("source").asText() + ":" + u.get("price").asText() + "@"
                    + (Times.parseIso(u.get("eventTime").asText()) - T0) / 1000));
            assertThat(used).as("used at %s", at).isEqualTo(expected.used());
            List<String> excluded = new ArrayList<>();
            n.get("excluded").forEach(x -> excluded.add(x.get("source").asText() + ":" + x.get("reason").asText()));
            assertThat(excluded).as("excluded at %s", at).isEqualTo(expected.excluded());
        }
    }

    private static void assertPriceAlerts(List<ConsumerRecord<String, String>> records) throws Exception {
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.key()).isEqualTo(PAIR));
        JsonNode unavailable = json(records.get(0));
        assertThat(unavailable.get("type").asText()).isEqualTo(PriceAlert.UNAVAILABLE);
        assertThat(unavailable.get("eventTime").asText()).isEqualTo(Times.format(STALE_AT));
        assertThat(unavailable.get("evaluationId").asText()).isEqualTo(EventIds.evaluationId(PAIR, STALE_AT));
        assertThat(unavailable.get("usableSources").asInt()).isEqualTo(1);
        assertThat(unavailable.get("quorum").asInt()).isEqualTo(2);

        JsonNode restored = json(records.get(1));
        assertThat(restored.get("type").asText()).isEqualTo(PriceAlert.RESTORED);
        assertThat(restored.get("eventTime").asText()).isEqualTo(Times.format(T0 + 240_000));
        assertThat(restored.get("evaluationId").asText()).isEqualTo(EventIds.evaluationId(PAIR, T0 + 240_000));
        assertThat(restored.get("usableSources").asInt()).isEqualTo(2);
        assertThat(restored.get("price").asText()).isEqualTo("42425.00");
        assertThat(restored.get("unavailableSince").asText()).isEqualTo(Times.format(STALE_AT));
    }

    private static void assertDeadLetters(List<ConsumerRecord<String, String>> records) throws Exception {
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.key()).as("keyed by source topic").isEqualTo(Topics.PRICES));
        Map<String, JsonNode> byPayload = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode n = json(r);
            byPayload.put(n.get("payload").asText(), n);
        }
        assertThat(byPayload).containsOnlyKeys(BAD_TIME, NOT_JSON);

        JsonNode badTime = byPayload.get(BAD_TIME);
        assertThat(badTime.get("reason").asText()).isEqualTo("INVALID_TIME:eventTime");
        assertThat(badTime.get("topic").asText()).isEqualTo(Topics.PRICES);
        assertThat(badTime.get("location").asText()).isEqualTo(badLocations.get(BAD_TIME));
        // No valid event time of its own: the Kafka timestamp.
        assertThat(badTime.get("eventTime").asText()).isEqualTo(Times.format(BAD_TIME_TS));

        JsonNode notJson = byPayload.get(NOT_JSON);
        assertThat(notJson.get("reason").asText()).isEqualTo("MALFORMED_JSON");
        assertThat(notJson.get("topic").asText()).isEqualTo(Topics.PRICES);
        assertThat(notJson.get("location").asText()).isEqualTo(badLocations.get(NOT_JSON));
        assertThat(notJson.get("eventTime").asText()).isEqualTo(Times.format(NOT_JSON_TS));
    }

    /** The ids the spec's formulas give for the expected records: the same in every run and guarantee. */
    private static List<String> expectedEventIds() {
        List<String> ids = new ArrayList<>();
        for (ExpectedPrice e : EXPECTED) {
            ids.add(EventIds.of(ReferencePrice.TYPE, PAIR, e.t(), EventIds.evaluationId(PAIR, e.t())));
        }
        ids.add(EventIds.of(PriceAlert.UNAVAILABLE, PAIR, STALE_AT, EventIds.evaluationId(PAIR, STALE_AT)));
        ids.add(EventIds.of(PriceAlert.RESTORED, PAIR, T0 + 240_000, EventIds.evaluationId(PAIR, T0 + 240_000)));
        ids.add(EventIds.of(DeadLetter.TYPE, Topics.PRICES, BAD_TIME_TS, badLocations.get(BAD_TIME) + "|INVALID_TIME:eventTime"));
        ids.add(EventIds.of(DeadLetter.TYPE, Topics.PRICES, NOT_JSON_TS, badLocations.get(NOT_JSON) + "|MALFORMED_JSON"));
        return ids;
    }

    // ---------------------------------------------------------------------------------------------

    /** Ticks keyed by pair with their event time as Kafka timestamp; the malformed records in between. */
    private static void publishInput() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            tick(producer, 0, "coinbase", "42000.00");
            tick(producer, 0, "kraken", "42010.00");
            tick(producer, 0, "binance", "41990.00");
            tick(producer, 30, "coinbase", "42100.00");
            tick(producer, 30, "kraken", "42080.00");
            tick(producer, 30, "binance", "42130.00");
            bad(producer, BAD_TIME, BAD_TIME_TS);
            tick(producer, 60, "coinbase", "42050.00");
            tick(producer, 60, "kraken", "42070.00");
            tick(producer, 60, "binance", "42020.00");
            tick(producer, 90, "coinbase", "42200.00");
            tick(producer, 120, "coinbase", "42010.00");
            tick(producer, 150, "coinbase", "42300.00");
            tick(producer, 180, "coinbase", "42040.00");
            bad(producer, NOT_JSON, NOT_JSON_TS);
            tick(producer, 210, "coinbase", "42500.00");
            tick(producer, 240, "coinbase", "42400.00");
            tick(producer, 240, "kraken", "42450.00");
            tick(producer, 270, "coinbase", "42410.00");
            tick(producer, 270, "kraken", "42415.00");
            tick(producer, 300, "coinbase", "42301.01");
            tick(producer, 300, "kraken", "42300.00");
        }
    }

    private static void tick(KafkaProducer<String, String> producer, int second, String source, String price) throws Exception {
        long t = T0 + second * 1000L;
        String json = "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(t) + "\",\"pair\":\"" + PAIR
                + "\",\"source\":\"" + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\",\"volume\":\"0.5\"}";
        // Synchronous sends: the partition order is the order written here.
        producer.send(new ProducerRecord<>(Topics.PRICES, null, t, PAIR, json)).get(30, TimeUnit.SECONDS);
    }

    private static void bad(KafkaProducer<String, String> producer, String payload, long timestamp) throws Exception {
        RecordMetadata m = producer.send(new ProducerRecord<>(Topics.PRICES, null, timestamp, PAIR, payload)).get(30, TimeUnit.SECONDS);
        badLocations.put(payload, Topics.PRICES + "/" + m.partition() + "@" + m.offset());
    }

    /** Runs the job to its end, then reads what it wrote to every output topic. */
    private static KafkaTestCluster.Written run(DeliveryGuarantee guarantee, String groupId) throws Exception {
        Map<TopicPartition, Long> before = kafka.logEndOffsets(kafka.outputPartitions());

        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        KafkaPipeline.build(env, kafka.bootstrapServers(), groupId, RiskConfig.defaults(), guarantee, true, HORIZON, null);
        env.execute("kafka pipeline test " + guarantee);

        return kafka.readCommitted(before);
    }

    private static List<ConsumerRecord<String, String>> onTopic(List<ConsumerRecord<String, String>> records, String topic) {
        // Sorted by (partition, offset) so each key's records are in the order they were written.
        return records.stream()
                .filter(r -> r.topic().equals(topic))
                .sorted((a, b) -> a.partition() != b.partition()
                        ? Integer.compare(a.partition(), b.partition())
                        : Long.compare(a.offset(), b.offset()))
                .toList();
    }

    private static JsonNode json(ConsumerRecord<String, String> r) {
        try {
            return JSON.readTree(r.value().getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.value(), e);
        }
    }

    private static String eventId(ConsumerRecord<String, String> r) {
        return json(r).get("eventId").asText();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
