package io.collateralrisk.sinks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The watermark lag follows every watermark, records or not, and a clock ahead of the wall clock reads negative. */
class WatermarkLagTest {

    /** Records the watermarks its operator hands it. */
    static final class Watching extends ProcessFunction<String, String> implements WatermarkObserver {
        final List<Long> seen = new ArrayList<>();

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            out.collect(value);
        }

        @Override
        public void onWatermark(long watermark) {
            seen.add(watermark);
        }
    }

    @Test
    void everyWatermarkReachesTheFunctionWithoutARecord() throws Exception {
        Watching function = new Watching();
        try (var harness = new OneInputStreamOperatorTestHarness<>(new WatermarkLagOperator<>(function))) {
            harness.open();
            harness.processWatermark(new Watermark(1_000));
            harness.processWatermark(new Watermark(2_000));
            assertThat(function.seen).containsExactly(1_000L, 2_000L);
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void lagIsTheWallClockMinusTheWatermarkNegativeWhenAhead() {
        assertThat(WatermarkLag.lag(Long.MIN_VALUE, 10_000)).isZero();
        assertThat(WatermarkLag.lag(4_000, 10_000)).isEqualTo(6.0);
        assertThat(WatermarkLag.lag(70_000, 10_000)).isEqualTo(-60.0);

        WatermarkLag gauge = new WatermarkLag();
        long ahead = System.currentTimeMillis() + 3_600_000;
        gauge.observe(ahead);
        assertThat(gauge.getValue()).isLessThan(-3_500.0);
    }
}
