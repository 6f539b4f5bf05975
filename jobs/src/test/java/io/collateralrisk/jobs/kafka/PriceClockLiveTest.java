package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * Live, decisions run on the price clock alone: on a real broker and a MiniCluster running the
 * production pipeline unbounded, a book is loaded, then prices tick; when they cross a facility's
 * margin-call threshold, its margin call comes out
 * <ul>
 *   <li>while {@code facility-events} and {@code risk-control} stay silent after the book, and
 *   <li>while {@code facility-events} trickles (an event every two seconds, for another facility,
 *       stamped at the time the book was opened: a lending core catching up). Each such event is
 *       applied at once and marked applied late; if the facility input had a clock, it would stand
 *       at the book's opening and no decision after it would ever be taken.
 * </ul>
 * Nothing here is timed: the waits are generous, and each ends as soon as its record is read.
 */
class PriceClockLiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAIR = "BTC-USD";
    /** Event time follows the wall clock here: the book was opened a minute before the test. */
    private static final long BOOKED = System.currentTimeMillis() - 60_000;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aMarginCallLeavesWhileTheOtherInputsAreSilent() throws Exception {
        JsonNode call = runUntilMarginCall(false);
        assertThat(call.get("facilityId").asText()).isEqualTo("F-1");
        assertThat(call.get("appliedLate").asBoolean()).isFalse();
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aMarginCallLeavesWhileFacilityEventsTrickleFarBehindTheClock() throws Exception {
        JsonNode call = runUntilMarginCall(true);
        assertThat(call.get("facilityId").asText()).isEqualTo("F-1");
    }

    /**
     * @param trickle keep sending a facility event every two seconds, stamped at the book's time
     * @return the first {@code MARGIN_CALL_ISSUED}
     */
    private static JsonNode runUntilMarginCall(boolean trickle) throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start();
                KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
            String[] book = {
                facility("FACILITY_OPENED", "F-1", ",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"", 0),
                facility("COLLATERAL_UPDATED", "F-1", ",\"collateral\":\"1.00000000\",\"version\":1", 1),
                facility("DEBT_UPDATED", "F-1", ",\"outstanding\":\"15000.00\",\"version\":1", 2),
                facility("FACILITY_OPENED", "F-2", ",\"borrowerId\":\"B-2\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"", 3),
                facility("COLLATERAL_UPDATED", "F-2", ",\"collateral\":\"10.00000000\",\"version\":1", 4),
                facility("DEBT_UPDATED", "F-2", ",\"outstanding\":\"10000.00\",\"version\":1", 5)};
            for (String event : book) {
                producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, JSON.readTree(event).get("facilityId").asText(), event)).get();
            }
            Map<TopicPartition, Long> controlAtStart = kafka.logEndOffsets(allPartitions(kafka, Topics.RISK_CONTROL));

            Configuration conf = RiskJob.baseConfiguration();
            conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            KafkaPipeline.build(env, kafka.bootstrapServers(), "price-clock", RiskConfig.defaults(), DeliveryGuarantee.AT_LEAST_ONCE,
                    false, Long.MAX_VALUE, null);
            JobClient job = env.executeAsync("price clock");

            AtomicReference<String> price = new AtomicReference<>("20000.00");
            AtomicInteger trickled = new AtomicInteger();
            ScheduledExecutorService feed = Executors.newScheduledThreadPool(2);
            try {
                // Two exchanges (the quorum) tick every 100 ms at the wall clock's time.
                feed.scheduleAtFixedRate(() -> {
                    long t = System.currentTimeMillis();
                    for (String source : List.of("coinbase", "kraken")) {
                        producer.send(new ProducerRecord<>(Topics.PRICES, PAIR, "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(t)
                                + "\",\"pair\":\"" + PAIR + "\",\"source\":\"" + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price.get() + "\"}"));
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);
                if (trickle) {
                    feed.scheduleAtFixedRate(() -> {
                        int version = 2 + trickled.getAndIncrement();
                        producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, "F-2",
                                facility("COLLATERAL_UPDATED", "F-2", ",\"collateral\":\"" + (10 + version) + ".00000000\",\"version\":" + version, 10 + version)));
                    }, 0, 2, TimeUnit.SECONDS);
                }
                // The book is evaluated at 20,000 (F-1 at 75%: a warning), then the price falls to
                // 18,000 (F-1 at 83.3%: a margin call).
                awaitFirst(kafka, Topics.MARGIN_CALLS, "LTV_WARNING");
                price.set("18000.00");
                JsonNode call = awaitFirst(kafka, Topics.MARGIN_CALLS, "MARGIN_CALL_ISSUED");
                if (trickle) {
                    assertThat(trickled.get()).as("facility events sent while the job ran").isGreaterThan(0);
                } else {
                    assertThat(kafka.logEndOffsets(allPartitions(kafka, Topics.RISK_CONTROL))).as("risk-control stayed silent")
                            .isEqualTo(controlAtStart);
                }
                return call;
            } finally {
                feed.shutdownNow();
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static String facility(String type, String id, String fields, long offsetMs) {
        return "{\"type\":\"" + type + "\",\"eventTime\":\"" + Times.format(BOOKED + offsetMs) + "\",\"facilityId\":\"" + id + "\"" + fields + "}";
    }

    private static Set<TopicPartition> allPartitions(KafkaTestCluster kafka, String topic) {
        Set<TopicPartition> partitions = new java.util.HashSet<>();
        for (int p = 0; p < KafkaPipeline.topicPartitions().get(topic); p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        return partitions;
    }

    /** The first record of {@code type} on {@code topic}, read as it is written (at-least-once output). */
    private static JsonNode awaitFirst(KafkaTestCluster kafka, String topic, String type) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            Set<TopicPartition> partitions = allPartitions(kafka, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(r.value());
                    seen.add(n.get("type").asText());
                    if (type.equals(n.get("type").asText())) {
                        return n;
                    }
                }
            }
        }
        throw new AssertionError("no " + type + " on " + topic + " within " + WAIT + "; seen " + seen);
    }

    private static KafkaProducer<String, String> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p);
    }
}
