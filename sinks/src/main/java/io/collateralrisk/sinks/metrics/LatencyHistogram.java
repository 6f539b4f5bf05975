package io.collateralrisk.sinks.metrics;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * A latency histogram that is updated in milliseconds (Flink's {@link Histogram#update} takes a
 * long) and reports seconds, as the catalogue's {@code _seconds} metrics are. The samples are
 * Flink's {@link DescriptiveStatisticsHistogram}: a sliding window of the last {@code window}
 * values, so quantiles describe recent events, not the operator's whole life; the count is every
 * value since the operator started.
 *
 * <p>Quantiles, mean and standard deviation keep the fraction of a second. Min, max and the values
 * are longs in Flink's interface, so they are whole seconds, rounded; the Prometheus reporter
 * exports only the quantiles and the count.
 */
final class LatencyHistogram implements Histogram {

    private static final double MS_PER_SECOND = 1000.0;

    private final DescriptiveStatisticsHistogram millis;

    LatencyHistogram(int window) {
        this.millis = new DescriptiveStatisticsHistogram(window);
    }

    /** @param latencyMs a latency in milliseconds */
    @Override
    public void update(long latencyMs) {
        millis.update(latencyMs);
    }

    @Override
    public long getCount() {
        return millis.getCount();
    }

    @Override
    public HistogramStatistics getStatistics() {
        return new InSeconds(millis.getStatistics());
    }

    /** A snapshot of the window, in seconds. */
    private static final class InSeconds extends HistogramStatistics {

        private final HistogramStatistics ms;

        InSeconds(HistogramStatistics ms) {
            this.ms = ms;
        }

        @Override
        public double getQuantile(double quantile) {
            return ms.getQuantile(quantile) / MS_PER_SECOND;
        }

        @Override
        public long[] getValues() {
            long[] values = ms.getValues();
            for (int i = 0; i < values.length; i++) {
                values[i] = seconds(values[i]);
            }
            return values;
        }

        @Override
        public int size() {
            return ms.size();
        }

        @Override
        public double getMean() {
            return ms.getMean() / MS_PER_SECOND;
        }

        @Override
        public double getStdDev() {
            return ms.getStdDev() / MS_PER_SECOND;
        }

        @Override
        public long getMax() {
            return seconds(ms.getMax());
        }

        @Override
        public long getMin() {
            return seconds(ms.getMin());
        }

        private static long seconds(long ms) {
            return Math.round(ms / MS_PER_SECOND);
        }
    }
}
