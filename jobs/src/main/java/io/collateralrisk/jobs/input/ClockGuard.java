package io.collateralrisk.jobs.input;

/**
 * The clock guards every input record passes before it may move a watermark, a timer or state: an
 * event time before 1970 is invalid, and one more than {@code lateness.maxAhead} ahead of the
 * record's reference clock is a broken clock. One record with a bad clock must never fire a
 * deadline early or make later records late, so such records become dead letters.
 */
public final class ClockGuard {

    /** The reason for an event time before 1970-01-01. */
    public static final String INVALID_TIME = "INVALID_TIME:eventTime";
    /** The reason for an event time more than {@code maxAhead} ahead of the reference clock. */
    public static final String FUTURE_EVENT = "FUTURE_EVENT";
    /** A record whose reference clock is not known (a replay file with no other valid time): it is judged on 1970 alone. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    private ClockGuard() {}

    /** Null when the record is accepted, else the reason it is refused. */
    public static String refusal(long eventTime, long referenceClock, long maxAheadMs) {
        if (eventTime < 0) {
            return INVALID_TIME;
        }
        if (referenceClock >= 0 && eventTime - referenceClock > maxAheadMs) {
            return FUTURE_EVENT;
        }
        return null;
    }

    /** The time an accepted record may move the watermark to: no further than its reference clock. */
    public static long watermarkTime(long eventTime, long referenceClock) {
        return referenceClock >= 0 ? Math.min(eventTime, referenceClock) : eventTime;
    }

    /**
     * The time a dead letter is stamped with (its event time and Kafka timestamp): the record's own
     * event time when it has one the guard accepts, else its reference clock, else the epoch, so no
     * output ever carries a broken clock onward.
     *
     * @param eventTime the record's event time, {@link #UNKNOWN} when it has none that parses
     */
    public static long deadLetterTime(long eventTime, long referenceClock, long maxAheadMs) {
        if (eventTime != UNKNOWN && refusal(eventTime, referenceClock, maxAheadMs) == null) {
            return eventTime;
        }
        return referenceClock >= 0 ? referenceClock : 0L;
    }
}
