package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.fail;

import io.collateralrisk.model.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft cluster in the test's JVM with every topic of {@link KafkaPipeline} created,
 * and the read_committed reading the Kafka tests check the job's output with.
 */
final class KafkaTestCluster implements AutoCloseable {

    /** What a run wrote: the records, and how many offsets they and any transaction markers took. */
    record Written(List<ConsumerRecord<String, String>> records, long offsets) {}

    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private KafkaTestCluster(KafkaClusterTestKit cluster, Admin admin) {
        this.cluster = cluster;
        this.admin = admin;
    }

    static KafkaTestCluster start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                // One node: internal topics and transactions need every factor and ISR at 1.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("min.insync.replicas", "1")
                .setConfigProp("default.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // A topic the job writes but nobody created must fail, not appear silently.
                .setConfigProp("auto.create.topics.enable", "false")
                // Records carry their event times (2023, 2024) as timestamps: the default 7-day
                // retention would delete them at the broker's first retention check.
                .setConfigProp("log.retention.ms", "-1")
                // The tests count every record the job wrote. Event times years old next to commit
                // markers stamped with the wall clock roll segments at once, so the log cleaner would
                // soon compact risk.ltv and drop its superseded records while a test reads them
                // (the topic's own lag is lifted too: TopicLayout.configsKeepingHistory).
                .setConfigProp("log.cleaner.min.compaction.lag.ms", String.valueOf(Long.MAX_VALUE))
                .build();
        Admin admin = null;
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
            List<NewTopic> topics = new ArrayList<>();
            Map<String, Map<String, String>> configs = KafkaPipeline.topicConfigs();
            KafkaPipeline.topicPartitions().forEach((name, partitions) ->
                    topics.add(new NewTopic(name, partitions, (short) 1).configs(configs.getOrDefault(name, Map.of()))));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            return new KafkaTestCluster(cluster, admin);
        } catch (Exception | Error e) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            cluster.close();
            throw e;
        }
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Every partition of the output topics. */
    Set<TopicPartition> outputPartitions() throws Exception {
        Map<String, TopicDescription> topics = admin.describeTopics(Topics.OUTPUTS).allTopicNames().get(30, TimeUnit.SECONDS);
        Set<TopicPartition> partitions = new HashSet<>();
        topics.forEach((name, d) -> d.partitions().forEach(info -> partitions.add(new TopicPartition(name, info.partition()))));
        return partitions;
    }

    /** Log end offsets, markers and open transactions included (the admin default is read_uncommitted). */
    Map<TopicPartition, Long> logEndOffsets(Set<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /**
     * Reads from {@code from} until the consumer's position reaches each partition's log end: a
     * read_committed consumer cannot pass an open transaction, so this also proves none is left.
     */
    Written readCommitted(Map<TopicPartition, Long> from) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            while (true) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                // Commit markers are written just after the commit returns: refresh the ends each time.
                Map<TopicPartition, Long> ends = logEndOffsets(from.keySet());
                Map<TopicPartition, Long> behind = new HashMap<>();
                for (TopicPartition tp : from.keySet()) {
                    long position = consumer.position(tp);
                    if (position < ends.get(tp)) {
                        behind.put(tp, position);
                    }
                }
                if (behind.isEmpty()) {
                    long offsets = from.entrySet().stream().mapToLong(e -> ends.get(e.getKey()) - e.getValue()).sum();
                    return new Written(records, offsets);
                }
                if (System.nanoTime() > deadline) {
                    fail("read_committed consumer stuck before the log end (an open transaction?): positions "
                            + behind + ", log ends " + ends);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            cluster.close();
        }
    }
}
