package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KafkaInputDeserializerTest {

    @Test
    void aRecordIsStampedWithTheWallClockWhenItIsRead() throws Exception {
        List<InputRecord> out = new ArrayList<>();
        long before = System.currentTimeMillis();
        new KafkaInputDeserializer().deserialize(
                new ConsumerRecord<>("prices", 3, 1042L, "BTC-USD".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)),
                new ListCollector<>(out));
        long after = System.currentTimeMillis();

        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("prices/3@1042");
            assertThat(r.payload()).isEqualTo("{}");
            assertThat(r.ingestedAt()).isBetween(before, after);
        });
    }
}
