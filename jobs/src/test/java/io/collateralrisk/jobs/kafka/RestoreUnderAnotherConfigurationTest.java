package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real broker, stopped with a savepoint under a configuration with a policy
 * ({@code bespoke}), and restored under one that has lost it: the job runs on, the facility on the
 * lost policy is held while the one beside it is liquidated, and {@code risk.ops-alerts} says
 * {@code CONFIG_CHANGED} and {@code STATE_WITHOUT_CONFIG} once each.
 */
class RestoreUnderAnotherConfigurationTest {

    private static final String PAIR = "BTC-USD";
    private static final String GROUP = "restore-test";
    private static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    private static final RiskConfig BEFORE = ConfigLoader.parse("""
            policies:
              bespoke: {initialMargin: 0.60, warning: 0.70, marginCall: 0.80, liquidation: 0.90, curePeriod: 48h, liquidationTarget: 0.60, hysteresis: 0.01}
            """);
    private static final RiskConfig AFTER = RiskConfig.defaults();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a run may take to produce what it is waited for on a loaded machine. */
    private static final Duration WAIT = Duration.ofSeconds(180);

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void aRestoreThatLostAPolicyHoldsItsFacilitiesAndSaysSo(@TempDir Path savepoints) throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start();
                KafkaProducer<String, String> producer = producer(kafka)) {
            facility(producer, "F-BESPOKE", "bespoke");
            facility(producer, "F-STANDARD", "standard");
            JobClient first = run(kafka, BEFORE, null);
            // Facility events carry no clock: read after the prices had passed their time, they would
            // be opened (late) at 98,000. The ticks go out once the job has read them.
            awaitRead(kafka, Topics.FACILITY_EVENTS, 2);
            // Calm at the opening (0.571), then margin call for both (80,000 against 1 BTC at 98,000: 0.816).
            tick(producer, 0, "coinbase", "140000.00");
            tick(producer, 0, "kraken", "140010.00");
            for (int s = 10; s <= 60; s += 10) {
                tick(producer, s, "coinbase", "98000.00");
                tick(producer, s, "kraken", "98010.00");
            }
            List<JsonNode> calls;
            try (TickHeartbeat feed = new TickHeartbeat(kafka.bootstrapServers(), PAIR,
                    Map.of("coinbase", "98000.00", "kraken", "98010.00"), T0 + 60_100)) {
                calls = decisions(await(kafka, Topics.MARGIN_CALLS, r -> decisions(r).size() >= 2));
            }
            assertThat(calls).extracting(r -> r.get("facilityId").asText() + " " + r.get("type").asText())
                    .containsExactlyInAnyOrder("F-BESPOKE MARGIN_CALL_ISSUED", "F-STANDARD MARGIN_CALL_ISSUED");
            String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(120, TimeUnit.SECONDS);

            JobClient second = run(kafka, AFTER, savepoint);
            TickHeartbeat feed = null;
            try {
                // After the restore: the price falls to liquidation (0.94) and the held facility posts collateral.
                for (int s = 120; s <= 180; s += 10) {
                    tick(producer, s, "coinbase", "85000.00");
                    tick(producer, s, "kraken", "85010.00");
                }
                send(producer, Topics.FACILITY_EVENTS, "F-BESPOKE", event("COLLATERAL_UPDATED", 150, "F-BESPOKE")
                        + ",\"collateral\":\"0.90000000\",\"version\":2}");
                feed = new TickHeartbeat(kafka.bootstrapServers(), PAIR, Map.of("coinbase", "85000.00", "kraken", "85010.00"), T0 + 180_100);

                List<JsonNode> alerts = await(kafka, Topics.OPS_ALERTS, r -> r.size() >= 2);
                alerts.forEach(a -> OutputContract.assertValid(a.toString()));
                assertThat(alerts).extracting(a -> a.get("type").asText()).containsExactlyInAnyOrder("CONFIG_CHANGED", "STATE_WITHOUT_CONFIG");
                JsonNode held = alerts.stream().filter(a -> a.get("type").asText().equals("STATE_WITHOUT_CONFIG")).findFirst().orElseThrow();
                assertThat(held.get("operator").asText()).isEqualTo("ltv-lifecycle");
                assertThat(held.get("missingKind").asText()).isEqualTo("POLICY");
                assertThat(held.get("missing").asText()).isEqualTo("bespoke");
                assertThat(held.get("facilities").asLong()).isEqualTo(1);
                JsonNode changed = alerts.stream().filter(a -> a.get("type").asText().equals("CONFIG_CHANGED")).findFirst().orElseThrow();
                assertThat(changed.get("previousConfigHash").asText()).isEqualTo(BEFORE.configHash());
                assertThat(changed.get("configHash").asText()).isEqualTo(AFTER.configHash());

                // The job runs on: the configured facility is liquidated, the held one never decided.
                List<JsonNode> after = decisions(await(kafka, Topics.MARGIN_CALLS,
                        r -> r.stream().anyMatch(e -> e.get("type").asText().equals("LIQUIDATION_TRIGGERED"))));
                assertThat(after).extracting(r -> r.get("facilityId").asText() + " " + r.get("type").asText())
                        .containsExactlyInAnyOrder("F-BESPOKE MARGIN_CALL_ISSUED", "F-STANDARD MARGIN_CALL_ISSUED",
                                "F-STANDARD LIQUIDATION_TRIGGERED");
                assertThat(second.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
                // Said once: nothing more on the topic a while later.
                Thread.sleep(3_000);
                assertThat(read(kafka, Topics.OPS_ALERTS)).hasSize(2);
            } finally {
                if (feed != null) {
                    feed.close();
                }
                second.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** The lifecycle decisions, without the CEP flags (which only follow them). */
    private static List<JsonNode> decisions(List<JsonNode> records) {
        return records.stream().filter(r -> !r.get("type").asText().equals("RAPID_DETERIORATION")
                && !r.get("type").asText().equals("REPEATED_MARGIN_CALLS")).toList();
    }

    private static JobClient run(KafkaTestCluster kafka, RiskConfig config, String savepoint) throws Exception {
        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        KafkaPipeline.build(env, kafka.bootstrapServers(), GROUP, config, DeliveryGuarantee.AT_LEAST_ONCE, false,
                Long.MAX_VALUE, null);
        return env.executeAsync("restore under another configuration");
    }

    /**
     * Waits until the job's consumer group has committed {@code records} offsets of {@code topic}:
     * a checkpoint completed after them, so every stage has taken them in.
     */
    private static void awaitRead(KafkaTestCluster kafka, String topic, long records) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            while (true) {
                long committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                        .entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (committed >= records) {
                    return;
                }
                assertThat(System.nanoTime()).as("%s read by the job in time", topic).isLessThan(deadline);
                Thread.sleep(500);
            }
        }
    }

    private static List<JsonNode> await(KafkaTestCluster kafka, String topic, Predicate<List<JsonNode>> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<JsonNode> records = read(kafka, topic);
        while (!done.test(records)) {
            assertThat(System.nanoTime()).as("records on " + topic + " in time: " + records).isLessThan(deadline);
            Thread.sleep(1_000);
            records = read(kafka, topic);
        }
        return records;
    }

    /** Everything on the topic so far. */
    private static List<JsonNode> read(KafkaTestCluster kafka, String topic) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.add(JSON.readTree(r.value()));
                    }
                }
            }
        }
        return out;
    }

    private static KafkaProducer<String, String> producer(KafkaTestCluster kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static void facility(KafkaProducer<String, String> producer, String id, String policy) throws Exception {
        send(producer, Topics.FACILITY_EVENTS, id, event("FACILITY_OPENED", 0, id)
                + ",\"borrowerId\":\"B-" + id + "\",\"custodian\":\"bitgo\",\"pair\":\"" + PAIR + "\",\"policy\":\"" + policy + "\"}");
        send(producer, Topics.FACILITY_EVENTS, id, event("COLLATERAL_UPDATED", 0, id) + ",\"collateral\":\"1.00000000\",\"version\":1}");
        send(producer, Topics.FACILITY_EVENTS, id, event("DEBT_UPDATED", 0, id) + ",\"outstanding\":\"80000.00\",\"version\":1}");
    }

    /** The start of a facility event's JSON, without its closing brace. */
    private static String event(String type, int second, String id) {
        return "{\"type\":\"" + type + "\",\"eventTime\":\"" + Times.format(T0 + second * 1000L) + "\",\"facilityId\":\"" + id + "\"";
    }

    private static void tick(KafkaProducer<String, String> producer, int second, String source, String price) throws Exception {
        send(producer, Topics.PRICES, PAIR, "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(T0 + second * 1000L)
                + "\",\"pair\":\"" + PAIR + "\",\"source\":\"" + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price
                + "\",\"volume\":\"0.5\"}");
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, String json) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, json)).get(30, TimeUnit.SECONDS);
    }
}
