package io.collateralrisk.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.OutputRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaOutputSinkTest {

    private static ProducerRecord<byte[], byte[]> serialize(long eventTime) {
        return new KafkaOutputSink.Serializer().serialize(
                new OutputRecord("risk.dead-letter", "prices", eventTime, "id", "{}", false), null, null);
    }

    @Test
    void aRecordIsStampedWithItsEventTime() {
        assertThat(serialize(1_678_449_600_000L).timestamp()).isEqualTo(1_678_449_600_000L);
        assertThat(serialize(0L).timestamp()).isZero();
    }

    @Test
    void aNegativeEventTimeNeverReachesKafka() {
        // new ProducerRecord throws on a negative timestamp: the job would restart on it forever.
        assertThat(serialize(-1L).timestamp()).as("the producer's clock").isNull();
        assertThat(serialize(Long.MIN_VALUE).timestamp()).isNull();
    }
}
