package io.collateralrisk.ltv.price;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The TWAP of {@link Twap#at} in constant time per evaluation: a running time-weighted sum kept as
 * exchange medians enter and leave the window, identical to {@link Twap#at} on every input.
 *
 * <p>The non-null exchange medians still within reach of the window are numbered in arrival order
 * and kept in a {@link Points} store, from {@code head} (the front: the last one at or before the
 * window's start, or the first one) to {@code tail - 1} (the last one). {@code fullSum} is the
 * exact sum of {@code value x (next time - time)} over every point but the last: the time each
 * value stood until the next one, in price x milliseconds. An evaluation at {@code t} clips it to
 * {@code (t - window, t]} in constant time: it subtracts the part of the front that stood before
 * the window's start and adds the last value's span up to {@code t}. Only the quotient is rounded
 * (half-even to {@code priceScale}, as {@link Twap#at} does).
 *
 * <pre>
 * append(t, v):  store[tail++] = v; fullSum += last x (t - last.time)
 * slide(start):  while next.time &lt;= start: fullSum -= front x (next.time - front.time); drop store[head++]
 * at(t):         (fullSum - front x (start - front.time)+ + last x (t - last.time)) / (t - max(start, front.time))
 * </pre>
 *
 * <p>{@link Twap#at} gives its quotient the largest scale of the values that stood for some time
 * in the window (at least 0); {@code scaleCounts[s]} counts the points but the last whose span was
 * longer than zero and whose scale is {@code s}, so that largest scale is found without a walk.
 *
 * <p>The front and the point after it are copied here, so an evaluation reads the store only when
 * a point leaves the window (one read and one removal) and writes it once per appended point: the
 * store is appended to and pruned, never rewritten. The store is looked up by sequence number
 * only, never iterated, so its iteration order (unordered on Flink's heap backend) does not matter.
 *
 * <p>Fields are public for Flink's POJO serializer: this object is the small keyed state beside
 * the store; change it only through the methods.
 */
public final class RunningTwap {

    /** Where the points between {@code head} and {@code tail} live: keyed state in the job, a map in tests. */
    public interface Points {
        void put(long seq, TwapPoint point) throws Exception;

        TwapPoint get(long seq) throws Exception;

        void remove(long seq) throws Exception;

        /** Points held in a plain map: what heap keyed state amounts to, for tests and benchmarks. */
        static Points of(java.util.Map<Long, TwapPoint> store) {
            return new Points() {
                @Override
                public void put(long seq, TwapPoint point) {
                    store.put(seq, point);
                }

                @Override
                public TwapPoint get(long seq) {
                    return store.get(seq);
                }

                @Override
                public void remove(long seq) {
                    store.remove(seq);
                }
            };
        }
    }

    /** No point: a time no point can have (event times are non-negative). */
    public static final long NONE = Long.MIN_VALUE;

    /** Sequence number of the front point; {@code tail - head} points are stored. */
    public long head;
    /** Sequence number the next appended point gets. */
    public long tail;
    public long frontTime = NONE;
    public BigDecimal frontValue;
    /** The point after the front ({@code head + 1}); NONE when the front is the last point. */
    public long nextTime = NONE;
    public BigDecimal nextValue;
    public long lastTime = NONE;
    public BigDecimal lastValue;
    /** Time of the latest point appended before {@code lastTime}'s first point (NONE if none), stored or not. */
    public long beforeLastTime = NONE;
    /** Sum of value x span (ms) over the stored points but the last. */
    public BigDecimal fullSum = BigDecimal.ZERO;
    /** Per scale (negative scales counted as 0), the stored points but the last whose span was longer than zero. */
    public int[] scaleCounts = new int[0];

    public RunningTwap() {}

    /** How many points are stored. */
    public long size() {
        return tail - head;
    }

    /**
     * Takes in the exchange median of the evaluation at {@code t}, after that evaluation. A null
     * (no fresh exchange) carries nothing: the last value keeps standing.
     *
     * @throws IllegalArgumentException when {@code t} is before the last point
     */
    public void append(long t, BigDecimal value, Points points) throws Exception {
        if (value == null) {
            return;
        }
        if (lastTime != NONE && t < lastTime) {
            throw new IllegalArgumentException("TWAP point at " + t + " before the last one at " + lastTime);
        }
        if (size() > 0) {
            long span = t - lastTime;
            if (span > 0) {
                fullSum = fullSum.add(lastValue.multiply(BigDecimal.valueOf(span)));
                count(lastValue, 1);
                beforeLastTime = lastTime;
            }
        }
        points.put(tail, new TwapPoint(t, value));
        long size = ++tail - head;
        if (size == 1) {
            frontTime = t;
            frontValue = value;
        } else if (size == 2) {
            nextTime = t;
            nextValue = value;
        }
        lastTime = t;
        lastValue = value;
    }

    /**
     * Drops the points no longer needed for a window starting at {@code windowStart} (exclusive):
     * every point whose successor is at or before that start, so the front is the value standing
     * into the window. Call before {@link #at} with that evaluation's start.
     */
    public void slide(long windowStart, Points points) throws Exception {
        while (nextTime != NONE && nextTime <= windowStart) {
            long span = nextTime - frontTime;
            if (span > 0) {
                fullSum = fullSum.subtract(frontValue.multiply(BigDecimal.valueOf(span)));
                count(frontValue, -1);
            }
            points.remove(head);
            head++;
            frontTime = nextTime;
            frontValue = nextValue;
            if (size() > 1) {
                TwapPoint p = points.get(head + 1);
                nextTime = p.time();
                nextValue = p.value();
            } else {
                nextTime = NONE;
                nextValue = null;
            }
        }
    }

    /**
     * The TWAP at {@code t} over {@code (t - window, t]}, as {@link Twap#at} defines it over the
     * points appended so far. {@link #slide} must have been called with {@code t - window}.
     *
     * @param current the exchange median computed at {@code t}, or null
     * @param scale the pair's {@code priceScale}
     * @return the TWAP, or null when undefined
     */
    public BigDecimal at(long t, long window, BigDecimal current, int scale) {
        long windowStart = t - window;
        if (lastTime != NONE && t < lastTime) {
            throw new IllegalArgumentException("TWAP evaluated at " + t + " before its last point at " + lastTime);
        }
        if (nextTime != NONE && nextTime <= windowStart) {
            throw new IllegalStateException("TWAP not slid to the window starting at " + windowStart);
        }
        // Points at t itself have stood for no time: the value in force just before t decides.
        long lastBefore = size() == 0 ? NONE : lastTime < t ? lastTime : beforeLastTime;
        if (lastBefore == NONE || lastBefore <= windowStart) {
            // Nothing computed within the window before t: the history has lapsed.
            return current == null ? null : PriceRounding.computed(current, scale, current.scale());
        }
        BigDecimal weighted = fullSum;
        if (frontTime < windowStart) {
            weighted = weighted.subtract(frontValue.multiply(BigDecimal.valueOf(windowStart - frontTime)));
        }
        int resultScale = maxCountedScale();
        if (lastTime < t) {
            weighted = weighted.add(lastValue.multiply(BigDecimal.valueOf(t - lastTime)));
            resultScale = Math.max(resultScale, lastValue.scale());
        }
        long totalWeight = t - Math.max(windowStart, frontTime);
        return PriceRounding.computed(
                weighted.divide(BigDecimal.valueOf(totalWeight), scale, RoundingMode.HALF_EVEN), scale, resultScale);
    }

    private void count(BigDecimal value, int delta) {
        int s = Math.max(0, value.scale());
        if (s >= scaleCounts.length) {
            scaleCounts = Arrays.copyOf(scaleCounts, s + 1);
        }
        scaleCounts[s] += delta;
    }

    private int maxCountedScale() {
        for (int s = scaleCounts.length - 1; s > 0; s--) {
            if (scaleCounts[s] > 0) {
                return s;
            }
        }
        return 0;
    }
}
