package io.collateralrisk.sinks.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.flink.metrics.HistogramStatistics;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void updatedInMillisecondsReportsSeconds() {
        LatencyHistogram h = new LatencyHistogram(1024);
        // 1 ms to 1000 ms: the quantiles of an even spread are easy to read off.
        for (long ms = 1; ms <= 1000; ms++) {
            h.update(ms);
        }
        HistogramStatistics s = h.getStatistics();
        assertThat(h.getCount()).isEqualTo(1000);
        assertThat(s.size()).isEqualTo(1000);
        assertThat(s.getQuantile(0.5)).isCloseTo(0.5, within(0.001));
        assertThat(s.getQuantile(0.99)).isCloseTo(0.99, within(0.001));
        assertThat(s.getQuantile(0.999)).isCloseTo(0.999, within(0.001));
        assertThat(s.getMean()).isCloseTo(0.5005, within(1e-9));
        // Whole seconds where Flink's interface has longs.
        assertThat(s.getMin()).isZero();
        assertThat(s.getMax()).isEqualTo(1);
    }

    @Test
    void quantilesCoverTheLastWindowOfValuesAndTheCountEveryValue() {
        LatencyHistogram h = new LatencyHistogram(4);
        for (long ms : new long[] {60_000, 60_000, 60_000, 60_000, 2_000, 2_000, 2_000, 2_000}) {
            h.update(ms);
        }
        assertThat(h.getCount()).isEqualTo(8);
        assertThat(h.getStatistics().size()).isEqualTo(4);
        assertThat(h.getStatistics().getQuantile(0.999)).isEqualTo(2.0);
        assertThat(h.getStatistics().getValues()).containsOnly(2L);
    }

    @Test
    void anEmptyWindowHasNoQuantiles() {
        LatencyHistogram h = new LatencyHistogram(1024);
        assertThat(h.getCount()).isZero();
        assertThat(h.getStatistics().getQuantile(0.5)).isNaN();
    }
}
