package io.collateralrisk.jobs.input;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * For live inputs that have no clock of their own ({@code facility-events}, {@code risk-control}):
 * records keep their event time as timestamp, and the stream is idle for good, so every operator
 * that joins it with prices runs on the price clock alone. However quiet, trickling or bursting
 * such a topic is, it never holds a decision back; its events are applied when the price clock
 * reaches them (or at once, and marked applied late, when it has passed them).
 */
public final class NoClockWatermarks<T> implements WatermarkStrategy<T> {

    private final SerializableTimestampAssigner<T> eventTime;

    public NoClockWatermarks(SerializableTimestampAssigner<T> eventTime) {
        this.eventTime = eventTime;
    }

    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return eventTime;
    }

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new WatermarkGenerator<>() {
            // Idle from the first record on, not only from the first periodic emit; a record does
            // not make the stream active again, only a watermark would, and none comes. Repeated
            // marks are no-ops for Flink's emitter.
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
                output.markIdle();
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        };
    }
}
