package io.collateralrisk.jobs.input;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records as {@link InputRecord}s, their Kafka timestamp as reference clock, stamped with the
 * wall clock at deserialization (the source's read); a null value (tombstone) becomes an empty payload, refused downstream.
 */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<InputRecord> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputRecord> out) {
        String payload = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        out.collect(new InputRecord(
                record.topic(), record.topic() + "/" + record.partition() + "@" + record.offset(),
                record.timestamp() >= 0 ? record.timestamp() : ClockGuard.UNKNOWN, payload,
                System.currentTimeMillis()));
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return TypeInformation.of(InputRecord.class);
    }
}
