package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
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
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lateness is judged per pair and source, never against the watermark one source subtask shares
 * across partitions: a partition published an hour after another, and so read an hour behind it
 * by the same source subtask (parallelism 1), loses no tick.
 *
 * <p>BTC-USD ticks on partition 0 and ETH-USD ticks on partition 1, for the same hour of event
 * time, every minute from two exchanges each. The job runs live; partition 0's hour is published
 * and evaluated first, which takes the price watermark an hour past every ETH-USD tick; then
 * partition 1's hour is published. Judged against the watermark all of them would be late.
 */
class PartitionReadBehindKafkaTest {

    private static final long T0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final int MINUTES = 60;
    private static final RiskConfig CONFIG = ConfigLoader.parse("pairs: {ETH-USD: {bounds: {min: '10', max: '100000'}}}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(240)
    void aPartitionReadAnHourBehindAnotherLosesNoTick() throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start();
                KafkaProducer<String, String> producer = producer(kafka)) {
            Configuration conf = RiskJob.baseConfiguration();
            conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            KafkaPipeline.build(env, kafka.bootstrapServers(), "read-behind", CONFIG, DeliveryGuarantee.AT_LEAST_ONCE, false,
                    Long.MAX_VALUE, null);
            JobClient job = env.executeAsync("partition read behind");
            try (KafkaConsumer<String, String> outputs = consumer(kafka)) {
                for (int m = 0; m < MINUTES; m++) {
                    publish(producer, 0, "BTC-USD", m, "coinbase", "42000.00");
                    publish(producer, 0, "BTC-USD", m, "kraken", "42001.00");
                }
                List<JsonNode> seen = new ArrayList<>();
                // Partition 0 goes on ticking, as a live feed does (a partition quiet for
                // live.idleTimeout is idle, and one that goes idle with the others at once leaves
                // its last watermark behind), two minutes after its hour and on.
                try (TickHeartbeat feed = new TickHeartbeat(kafka.bootstrapServers(), 0, "BTC-USD",
                        Map.of("coinbase", "42000.00", "kraken", "42001.00"), T0 + (MINUTES + 2) * MINUTE)) {
                    // The hour of partition 0 evaluated: the watermark is an hour past the first ETH-USD tick.
                    awaitOutput(outputs, seen, n -> isPrice(n, "BTC-USD", T0 + (MINUTES - 2) * MINUTE));

                    for (int m = 0; m < MINUTES; m++) {
                        publish(producer, 1, "ETH-USD", m, "coinbase", "2300.00");
                        publish(producer, 1, "ETH-USD", m, "kraken", "2300.01");
                    }
                    producer.flush();
                    awaitOutput(outputs, seen, n -> isPrice(n, "ETH-USD", T0 + (MINUTES - 1) * MINUTE + 120_001));
                }

                List<JsonNode> deadLetters = seen.stream().filter(n -> "DEAD_LETTER".equals(n.get("type").asText())).toList();
                assertThat(deadLetters).isEmpty();
                List<JsonNode> eth = seen.stream().filter(n -> isPrice(n, "ETH-USD", null)).toList();
                // Every ETH-USD instant evaluated once, in event time, with both of its exchanges ...
                List<Long> expected = new ArrayList<>();
                for (int m = 0; m < MINUTES; m++) {
                    expected.add(T0 + m * MINUTE);
                }
                // ... and then once more where both turn stale, two minutes after their last tick.
                expected.add(T0 + (MINUTES - 1) * MINUTE + 120_001);
                assertThat(eth).extracting(n -> Times.parseIso(n.get("eventTime").asText())).containsExactlyElementsOf(expected);
                assertThat(eth.subList(0, MINUTES)).allSatisfy(n -> {
                    assertThat(n.get("status").asText()).isEqualTo("OK");
                    assertThat(n.get("median").asText()).isEqualTo("2300.005");
                    assertThat(n.get("used")).hasSize(2);
                });
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean isPrice(JsonNode n, String pair, Long t) {
        return "REFERENCE_PRICE".equals(n.get("type").asText()) && pair.equals(n.get("pair").asText())
                && (t == null || Times.parseIso(n.get("eventTime").asText()) == t);
    }

    private static void awaitOutput(KafkaConsumer<String, String> consumer, List<JsonNode> seen, Predicate<JsonNode> until)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen.stream().noneMatch(until)) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    seen.add(JSON.readTree(r.value()));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such output within 120 s; seen " + seen.size() + " records");
            }
        }
    }

    private static void publish(KafkaProducer<String, String> producer, int partition, String pair, int minute, String source,
            String price) throws Exception {
        long t = T0 + minute * MINUTE;
        String json = "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(t) + "\",\"pair\":\"" + pair
                + "\",\"source\":\"" + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
        producer.send(new ProducerRecord<>(Topics.PRICES, partition, t, pair, json)).get(30, TimeUnit.SECONDS);
    }

    private static KafkaProducer<String, String> producer(KafkaTestCluster kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, String> consumer(KafkaTestCluster kafka) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = kafka.outputPartitions().stream()
                .filter(tp -> tp.topic().equals(Topics.REFERENCE_PRICES) || tp.topic().equals(Topics.DEAD_LETTER)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
