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
    /** How long an exactly-once batch may wait to fill: far below any checkpoint interval, whose commit flushes it anyway. */
    static final int EXACTLY_ONCE_LINGER_MS = 100;

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
     * and never write a retried batch twice ({@code enable.idempotence}).
     *
     * <p>At-least-once records are visible as soon as the broker has them, so each is sent at once
     * ({@code linger.ms=0}, against the client's default of 5 ms) and uncompressed: a batch of one
     * record gains little from compression, and the LZ4 codec allocates two 64 KB block buffers per
     * batch, which at a thousand records a second was a third of the job's allocations and its
     * longest garbage-collection pauses.
     *
     * <p>Exactly-once records become visible when the checkpoint commits their transaction, and the
     * commit flushes whatever is still lingering: waiting up to {@value #EXACTLY_ONCE_LINGER_MS} ms
     * to fill a batch costs no latency and makes batches large enough to compress.
     */
    static Properties producerProperties(DeliveryGuarantee guarantee) {
        Properties producer = new Properties();
        producer.setProperty("enable.idempotence", "true");
        producer.setProperty("acks", "all");
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            producer.setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
            producer.setProperty("compression.type", "lz4");
            producer.setProperty("linger.ms", String.valueOf(EXACTLY_ONCE_LINGER_MS));
        } else {
            producer.setProperty("compression.type", "none");
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
