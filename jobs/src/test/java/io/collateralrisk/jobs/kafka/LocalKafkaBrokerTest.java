package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LocalKafkaBrokerTest {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void startsServesTransactionsAndCleansUp() throws Exception {
        long pid;
        int brokerPort;
        int controllerPort;
        Path dir;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            pid = broker.pid();
            dir = broker.directory();
            String bootstrap = broker.bootstrapServers();
            brokerPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
            controllerPort = broker.controllerPort();
            assertThat(ProcessHandle.of(pid)).map(ProcessHandle::isAlive).contains(true);

            Map<String, Integer> partitions = Map.of("positions", 2, "prices", 1);
            Map<String, Map<String, String>> configs = Map.of("prices", Map.of("cleanup.policy", "compact"));
            broker.createTopics(partitions, configs);
            // Existing topics are fine.
            broker.createTopics(partitions, configs);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Map<String, TopicDescription> topics =
                        admin.describeTopics(Set.of("positions", "prices")).allTopicNames().get(30, TimeUnit.SECONDS);
                assertThat(topics.get("positions").partitions()).hasSize(2);
                assertThat(topics.get("prices").partitions()).hasSize(1);
                ConfigResource prices = new ConfigResource(ConfigResource.Type.TOPIC, "prices");
                assertThat(admin.describeConfigs(List.of(prices)).all().get(30, TimeUnit.SECONDS)
                        .get(prices).get("cleanup.policy").value()).isEqualTo("compact");
            }

            produceTransactionally(bootstrap, "positions", 10);
            List<ConsumerRecord<String, String>> read = readCommitted(bootstrap, "positions", 10);
            assertThat(read).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder(expectedValues(10).toArray(String[]::new));
            assertThat(read).extracting(ConsumerRecord::partition).containsOnly(0, 1).contains(0, 1);
        }

        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        assertThat(handle.isEmpty() || !handle.get().isAlive()).as("broker process %d is gone", pid).isTrue();
        assertThat(dir).doesNotExist();
        assertPortFree(brokerPort);
        assertPortFree(controllerPort);
    }

    private static void produceTransactionally(String bootstrap, String topic, int count) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-kafka-broker-test");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < count; i++) {
                // Explicit partitions so both partitions of the topic get records.
                producer.send(new ProducerRecord<>(topic, i % 2, "key-" + i, "value-" + i));
            }
            producer.commitTransaction();
        }
    }

    private static List<ConsumerRecord<String, String>> readCommitted(String bootstrap, String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "local-kafka-broker-test");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    private static List<String> expectedValues(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("value-" + i);
        }
        return values;
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }
}
