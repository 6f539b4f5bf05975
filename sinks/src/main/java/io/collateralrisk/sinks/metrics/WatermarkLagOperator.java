package io.collateralrisk.sinks.metrics;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * A process operator that hands every watermark it receives to its function
 * ({@link WatermarkObserver}), so that the watermark-lag gauges follow the stage's clock on the
 * wall clock and not only when a record passes (a quiet book emits no lifecycle event for hours).
 */
public class WatermarkLagOperator<IN, OUT> extends ProcessOperator<IN, OUT> {

    private static final long serialVersionUID = 1L;

    private final WatermarkObserver observer;

    public <F extends ProcessFunction<IN, OUT> & WatermarkObserver> WatermarkLagOperator(F function) {
        super(function);
        this.observer = function;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        observer.onWatermark(mark.getTimestamp());
    }
}
