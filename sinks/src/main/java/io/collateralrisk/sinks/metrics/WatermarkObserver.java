package io.collateralrisk.sinks.metrics;

/** A function that measures its operator's watermark, told of every one by {@link WatermarkLagOperator}. */
public interface WatermarkObserver {

    void onWatermark(long watermark);
}
