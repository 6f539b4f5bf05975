package io.collateralrisk.ltv.price;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Time-weighted average over a trailing window of a step function: each point's value stands
 * from its time until the next point's, and weighs by how long it stood inside {@code [t - window, t]}.
 * Points with no value (no fresh exchange) carry no weight.
 */
public final class Twap {

    private Twap() {}

    /**
     * @param points ascending by time, all at or before {@code t}
     * @param current the value at {@code t}; null means there is no TWAP now
     * @return the TWAP, or {@code current} when nothing stood inside the window for any time
     */
    public static BigDecimal at(List<TwapPoint> points, long t, long window, BigDecimal current) {
        if (current == null) {
            return null;
        }
        long windowStart = t - window;
        BigDecimal weighted = BigDecimal.ZERO;
        long totalWeight = 0;
        for (int i = 0; i < points.size(); i++) {
            TwapPoint p = points.get(i);
            long end = i + 1 < points.size() ? points.get(i + 1).time() : t;
            long start = Math.max(p.time(), windowStart);
            long weight = Math.min(end, t) - start;
            if (p.value() == null || weight <= 0) {
                continue;
            }
            weighted = weighted.add(p.value().multiply(BigDecimal.valueOf(weight)));
            totalWeight += weight;
        }
        if (totalWeight == 0) {
            return current;
        }
        return weighted.divide(BigDecimal.valueOf(totalWeight), MathContext.DECIMAL128);
    }

    /** The points still needed at {@code t}: those inside the window and the last one before it. */
    public static List<TwapPoint> prune(List<TwapPoint> points, long t, long window) {
        long windowStart = t - window;
        int first = 0;
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).time() <= windowStart) {
                first = i;
            }
        }
        return new ArrayList<>(points.subList(first, points.size()));
    }
}
