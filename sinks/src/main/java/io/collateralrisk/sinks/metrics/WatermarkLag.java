package io.collateralrisk.sinks.metrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * {@code risk_watermark_lag_seconds{stage}}: the wall clock minus the latest watermark an output
 * operator saw. It keeps growing while no record passes, which is what "watermark stalled" alerts
 * on; before the first watermark it reads 0.
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
        long w = watermark;
        return w == Long.MIN_VALUE ? 0.0 : Math.max(0, System.currentTimeMillis() - w) / 1000.0;
    }
}
