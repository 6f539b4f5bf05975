package io.collateralrisk.jobs.input;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Bounded out-of-orderness on the records' event time, where a record moves the watermark no further
 * than its reference clock: the generator sees {@code min(eventTime, referenceClock)}
 * ({@link ClockGuard#watermarkTime}). Records keep their own event time as timestamp, so every
 * decision downstream still runs on it.
 *
 * <p>The reference clock arrives as the record's incoming timestamp: the sources stamp each
 * {@link InputRecord} with it ({@link #stampReferenceClock()}) and parsing keeps it. Flink hands that
 * timestamp only to the timestamp assigner, which runs just before the generator's
 * {@code onEvent} for the same record in the same operator, so the assigner passes it on.
 */
public final class ReferenceClockWatermarks<T> implements WatermarkStrategy<T> {

    private final Duration outOfOrder;
    private final SerializableTimestampAssigner<T> eventTime;
    /** Set per subtask: each deserializes its own copy of the strategy. */
    private transient long[] lastReferenceClock;

    public ReferenceClockWatermarks(Duration outOfOrder, SerializableTimestampAssigner<T> eventTime) {
        this.outOfOrder = outOfOrder;
        this.eventTime = eventTime;
    }

    /** For the sources: each raw record's timestamp is its reference clock, unknown ones left without. */
    public static WatermarkStrategy<InputRecord> stampReferenceClock() {
        return WatermarkStrategy.<InputRecord>noWatermarks().withTimestampAssigner((r, ignored) -> r.referenceClock());
    }

    private long[] referenceClock() {
        if (lastReferenceClock == null) {
            lastReferenceClock = new long[] {ClockGuard.UNKNOWN};
        }
        return lastReferenceClock;
    }

    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        long[] clock = referenceClock();
        return (event, referenceClock) -> {
            clock[0] = referenceClock;
            return eventTime.extractTimestamp(event, referenceClock);
        };
    }

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        long[] clock = referenceClock();
        BoundedOutOfOrdernessWatermarks<T> bounded = new BoundedOutOfOrdernessWatermarks<>(outOfOrder);
        return new WatermarkGenerator<>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
                bounded.onEvent(event, ClockGuard.watermarkTime(eventTimestamp, clock[0]), output);
                clock[0] = ClockGuard.UNKNOWN;
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                bounded.onPeriodicEmit(output);
            }
        };
    }
}
