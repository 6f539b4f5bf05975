package io.collateralrisk.sinks;

import io.collateralrisk.model.OutputRecord;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka sink of every output topic: each record goes to its own topic, keyed by its entity,
 * with its event time as the Kafka timestamp.
 *
 * <p>{@link DeliveryGuarantee#EXACTLY_ONCE} writes in Kafka transactions committed with Flink
 * checkpoints: {@code read_committed} consumers see each record once, at checkpoint latency.
 * {@link DeliveryGuarantee#AT_LEAST_ONCE} has the lowest latency; after a failure a record may
 * appear twice, with the same deterministic {@code eventId}, so consumers de-duplicate by id.
 */
public final class KafkaOutputSink {

    /** Below the broker's default {@code transaction.max.timeout.ms} (15 min), which Flink's 1 h default exceeds. */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    private KafkaOutputSink() {}

    public static KafkaSink<OutputRecord> create(String bootstrapServers, DeliveryGuarantee guarantee, String transactionalIdPrefix) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are required");
        }
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE && (transactionalIdPrefix == null || transactionalIdPrefix.isBlank())) {
            throw new IllegalArgumentException("exactly-once delivery needs a transactional id prefix unique to this job");
        }
        var builder = KafkaSink.<OutputRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(guarantee)
                .setKafkaProducerConfig(producerProperties(guarantee))
                .setRecordSerializer(new Serializer());
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix);
        }
        return builder.build();
    }

    /**
     * Producer settings for each guarantee. Both wait for every in-sync replica ({@code acks=all})
     * and never write a retried batch twice ({@code enable.idempotence}). Exactly-once keeps its
     * transactions open for a checkpoint interval, so batching costs it nothing; at-least-once sends
     * each record at once ({@code linger.ms=0}, against the client's default of 5 ms), since its
     * records are visible as soon as the broker has them.
     */
    static Properties producerProperties(DeliveryGuarantee guarantee) {
        Properties producer = new Properties();
        producer.setProperty("enable.idempotence", "true");
        producer.setProperty("acks", "all");
        producer.setProperty("compression.type", "lz4");
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            producer.setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
        } else {
            producer.setProperty("linger.ms", "0");
        }
        return producer;
    }

    /**
     * The record's event time as its Kafka timestamp. The job guards every input's clock, so a
     * negative one should never arrive; if one did, {@code new ProducerRecord} would throw and the job
     * would restart on the same record forever, so it goes out with the producer's clock instead
     * (null), which every broker accepts.
     */
    static Long timestamp(OutputRecord record) {
        return record.eventTime() >= 0 ? record.eventTime() : null;
    }

    /** Topic, key and value from the record itself. */
    static final class Serializer implements KafkaRecordSerializationSchema<OutputRecord> {
        @Override
        public ProducerRecord<byte[], byte[]> serialize(OutputRecord record, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    record.topic(),
                    null,
                    timestamp(record),
                    record.key().getBytes(StandardCharsets.UTF_8),
                    // A tombstone (a closed facility on the compacted risk.ltv) has a null value.
                    record.tombstone() ? null : record.json().getBytes(StandardCharsets.UTF_8));
        }
    }
}
