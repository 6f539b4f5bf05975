package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * At-least-once output is visible as soon as the broker has it, not at a checkpoint: with the
 * first checkpoint an hour away, a live job's reference prices reach a {@code read_committed}
 * consumer. Exactly-once records would stay in an open transaction, invisible to it, until then.
 */
class AtLeastOnceVisibilityTest {

    private static final String PAIR = "BTC-USD";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void recordsAreVisibleBeforeAnyCheckpoint() throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
            Configuration conf = RiskJob.baseConfiguration();
            conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofHours(1));
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            KafkaPipeline.build(env, kafka.bootstrapServers(), "at-least-once-visibility", RiskConfig.defaults(),
                    DeliveryGuarantee.AT_LEAST_ONCE, false, Long.MAX_VALUE, null);
            JobClient job = env.executeAsync("at-least-once visibility");
            try (TickHeartbeat ticks = new TickHeartbeat(kafka.bootstrapServers(), PAIR,
                    Map.of("coinbase", "42000.00", "kraken", "42010.00"), System.currentTimeMillis())) {
                List<ConsumerRecord<String, String>> seen = readCommitted(kafka.bootstrapServers(), job);
                assertThat(seen).isNotEmpty().allSatisfy(r -> {
                    assertThat(r.key()).isEqualTo(PAIR);
                    assertThat(r.value()).contains("\"type\":\"REFERENCE_PRICE\"");
                });
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Reference prices read with read_committed while the job runs; waits out the job's start. */
    private static List<ConsumerRecord<String, String>> readCommitted(String bootstrap, JobClient job) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.REFERENCE_PRICES).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records.size() < 3 && System.nanoTime() < deadline) {
                assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()).as("the job ended").isFalse();
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
