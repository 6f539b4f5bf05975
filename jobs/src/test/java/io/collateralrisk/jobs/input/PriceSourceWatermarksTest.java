package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PriceSourceWatermarksTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final long T = Times.parseIso("2026-12-07T12:00:00Z");
    private static final long OUT_OF_ORDER = CONFIG.outOfOrderMs();

    /** What a generator told its partition's output. */
    private static final class Recorded implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        int idleMarks;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idleMarks++;
        }

        @Override
        public void markActive() {}
    }

    private final TimestampAssigner<InputRecord> assigner = PriceSourceWatermarks.of(CONFIG, false).createTimestampAssigner(null);
    /** The partition's wall clock, as the source reader keeps it for idleness. */
    private final ManualClock wallClock = new ManualClock();
    /** A partition's generator as the live source makes it: idleness included. */
    private final WatermarkGenerator<InputRecord> generator = PriceSourceWatermarks.of(CONFIG, true)
            .createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }

                @Override
                public RelativeClock getInputActivityClock() {
                    return wallClock;
                }
            });
    private final Recorded output = new Recorded();

    @Test
    void aTickMovesThePartitionsClockAtOnceNotAtTheNextPeriodicEmit() {
        read(tick(T), T);
        assertThat(output.watermarks).containsExactly(T - OUT_OF_ORDER - 1);
        read(tick(T + 1_000), T + 1_000);
        assertThat(output.watermarks).containsExactly(T - OUT_OF_ORDER - 1, T + 1_000 - OUT_OF_ORDER - 1);
    }

    @Test
    void aTickOlderThanTheNewestMovesNothing() {
        read(tick(T), T);
        read(tick(T - 2_000), T);
        assertThat(output.watermarks).containsExactly(T - OUT_OF_ORDER - 1);
    }

    @Test
    void theClockMovesNoFurtherThanTheKafkaTimestamp() {
        read(tick(T + 30_000), T);
        assertThat(output.watermarks).containsExactly(T - OUT_OF_ORDER - 1);
    }

    @Test
    void recordsTheGuardsRefuseMoveNothing() {
        read(tick(T + CONFIG.maxAheadMs() + 1), T);
        read(tick(-1), T);
        read(new InputRecord("prices", "prices/0@9", T, "{not json", 0), T);
        read(new InputRecord("prices", "prices/0@10", T, "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(T)
                + "\",\"pair\":\"BTC-USD\",\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"-1\"}", 0), T);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).isEmpty();
        read(tick(T), T);
        assertThat(output.watermarks).containsExactly(T - OUT_OF_ORDER - 1);
    }

    @Test
    void aPartitionCarryingOnlyRefusedRecordsGoesIdleAndHoldsNoOneBack() {
        Duration idle = Duration.ofMillis(CONFIG.idleTimeoutMs());
        for (int i = 0; i < 5; i++) {
            wallClock.advanceTime(idle.dividedBy(2));
            read(tick(-1), T); // 1969
            read(tick(Times.parseIso("2031-03-10T12:00:00Z")), T);
            read(new InputRecord("prices", "prices/0@" + i, T, "{not json", 0), T);
            generator.onPeriodicEmit(output);
        }
        assertThat(output.idleMarks).as("marked idle although records kept coming").isPositive();
        assertThat(output.watermarks).isEmpty();
    }

    @Test
    void aPartitionTickingWithinTheIdleTimeoutStaysActive() {
        Duration idle = Duration.ofMillis(CONFIG.idleTimeoutMs());
        for (int i = 0; i < 5; i++) {
            wallClock.advanceTime(idle.dividedBy(2));
            read(tick(T + i), T + i);
            generator.onPeriodicEmit(output);
        }
        assertThat(output.idleMarks).isZero();
        // Flink's idleness timer starts counting at the first check without a record.
        generator.onPeriodicEmit(output);
        wallClock.advanceTime(idle.multipliedBy(2));
        generator.onPeriodicEmit(output);
        assertThat(output.idleMarks).as("quiet for twice the idle timeout").isPositive();
    }

    @Test
    void theTimestampIsTheEventTimeOfAnAcceptedTick() {
        assertThat(assigner.extractTimestamp(record(tick(T - 7), T), T)).isEqualTo(T - 7);
        assertThat(assigner.extractTimestamp(record(tick(T + CONFIG.maxAheadMs() + 1), T), T)).isEqualTo(ClockGuard.UNKNOWN);
    }

    @Test
    void thePeriodicEmitRepeatsTheWatermarkSoAnIdlePartitionBecomesActiveAgain() {
        read(tick(T), T);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).containsExactly(T - OUT_OF_ORDER - 1, T - OUT_OF_ORDER - 1);
    }

    @Test
    void inputsWithoutAClockAreIdleFromTheirFirstRecordAndNeverEmitAWatermark() {
        WatermarkGenerator<String> none = new NoClockWatermarks<String>((s, ignored) -> 0L).createWatermarkGenerator(null);
        none.onEvent("a", T, output);
        assertThat(output.idleMarks).as("idle from the first record").isEqualTo(1);
        none.onEvent("b", T + 1, output);
        none.onPeriodicEmit(output);
        assertThat(output.watermarks).isEmpty();
    }

    private void read(String payload, long kafkaTimestamp) {
        read(record(payload, kafkaTimestamp), kafkaTimestamp);
    }

    private void read(InputRecord record, long kafkaTimestamp) {
        generator.onEvent(record, assigner.extractTimestamp(record, kafkaTimestamp), output);
    }

    private static InputRecord record(String payload, long kafkaTimestamp) {
        return new InputRecord("prices", "prices/0@1", kafkaTimestamp, payload, 0);
    }

    private static String tick(long eventTime) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":" + eventTime
                + ",\"pair\":\"BTC-USD\",\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"20000.00\"}";
    }
}
