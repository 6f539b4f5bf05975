package io.collateralrisk.sinks.metrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * {@code risk_watermark_lag_seconds{stage}}: the wall clock, read when the gauge is read, minus the
 * latest watermark the output operator received ({@link WatermarkLagOperator}: every watermark,
 * whether a record passes or not). It keeps growing while the watermark stands still; a watermark
 * ahead of the wall clock reads negative. Before the first watermark it reads 0.
 */
final class WatermarkLag implements Gauge<Double> {

    private volatile long watermark = Long.MIN_VALUE;

    static WatermarkLag register(MetricGroup group, String stage) {
        WatermarkLag lag = new WatermarkLag();
        group.addGroup("stage", stage).gauge("risk_watermark_lag_seconds", lag);
        return lag;
    }

    void observe(long currentWatermark) {
        if (currentWatermark > watermark) {
            watermark = currentWatermark;
        }
    }

    @Override
    public Double getValue() {
        return lag(watermark, System.currentTimeMillis());
    }

    /** Seconds from {@code watermark} to {@code now}: negative when the watermark is ahead. */
    static double lag(long watermark, long now) {
        return watermark == Long.MIN_VALUE ? 0.0 : (now - watermark) / 1000.0;
    }
}
