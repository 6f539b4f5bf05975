package io.collateralrisk.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.OutputRecord;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
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

    @Test
    void atLeastOnceSendsEachRecordAtOnceUncompressedToEveryReplica() {
        Properties p = KafkaOutputSink.producerProperties(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(p.getProperty("linger.ms")).isEqualTo("0");
        assertThat(p.getProperty("compression.type")).as("no codec buffers for batches of one").isEqualTo("none");
        assertThat(p.getProperty("acks")).isEqualTo("all");
        assertThat(p.getProperty("enable.idempotence")).isEqualTo("true");
        assertThat(p).doesNotContainKey("transaction.timeout.ms");
    }

    @Test
    void exactlyOnceBatchesCompressedTransactions() {
        Properties p = KafkaOutputSink.producerProperties(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(p.getProperty("transaction.timeout.ms")).isEqualTo(KafkaOutputSink.TRANSACTION_TIMEOUT_MS);
        assertThat(p.getProperty("acks")).isEqualTo("all");
        assertThat(p.getProperty("enable.idempotence")).isEqualTo("true");
        assertThat(p.getProperty("compression.type")).isEqualTo("lz4");
        assertThat(Long.parseLong(p.getProperty("linger.ms"))).as("well inside a checkpoint interval, whose commit flushes")
                .isPositive().isLessThan(1_000);
    }
}
