package io.collateralrisk.ltv.ops;

/**
 * What the stall rule keeps about one input's clock (Flink state: public fields, no-arg constructor).
 * Times named {@code ...At} are wall-clock milliseconds; {@code clock} and {@code stalledClock} are
 * event time.
 */
public class ClockWatch {

    /** The highest clock seen; null before the first. */
    public Long clock;
    /** When the clock last moved, or the watch started. */
    public long movedAt;
    /** When a record of the input last arrived; {@link Long#MIN_VALUE} before the first. */
    public long arrivedAt = Long.MIN_VALUE;
    public boolean stalled;
    /** The clock when the stall was raised. */
    public Long stalledClock;

    public ClockWatch() {}
}
