package io.collateralrisk.ltv.price;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Time-weighted average of the exchange median over the trailing window {@code (t - window, t]}.
 *
 * <p>An exchange median stands from its evaluation until the next evaluation that has one, so
 * through an exchange blackout (evaluations with no exchange median, null points) the last one
 * keeps standing and the primary is still checked against where the exchanges were when they
 * went dark. Each value weighs by how long it stood inside the window; a median computed at
 * {@code t} itself has stood for no time yet and weighs nothing.
 *
 * <p>The TWAP is undefined once no exchange median was computed within the window: a value
 * computed at or before {@code t - window} with none after it no longer counts, even if one is
 * computed at {@code t} again. When nothing has stood for any time (a span of zero: the first
 * median, or the first after such a lapse) the TWAP is the median computed at {@code t}.
 */
public final class Twap {

    private Twap() {}

    /**
     * @param points ascending by time, all before {@code t}; null values (no exchange median) are skipped
     * @param current the exchange median computed at {@code t}, or null when no exchange is fresh at {@code t}
     * @param scale the pair's {@code priceScale}: the quotient is rounded half-even to it
     * @return the TWAP, or null when undefined
     */
    public static BigDecimal at(List<TwapPoint> points, long t, long window, BigDecimal current, int scale) {
        long windowStart = t - window;
        int last = lastValueBefore(points, t);
        if (last < 0 || points.get(last).time() <= windowStart) {
            // Nothing computed within the window before t: the history has lapsed.
            return current == null ? null : PriceRounding.computed(current, scale, current.scale());
        }
        BigDecimal weighted = BigDecimal.ZERO;
        long totalWeight = 0;
        int resultScale = 0;
        long end = t;
        for (int i = last; i >= 0; i--) {
            TwapPoint p = points.get(i);
            if (p.value() == null || p.time() >= t) {
                continue;
            }
            long start = Math.max(p.time(), windowStart);
            long weight = end - start;
            if (weight > 0) {
                weighted = weighted.add(p.value().multiply(BigDecimal.valueOf(weight)));
                totalWeight += weight;
                resultScale = Math.max(resultScale, p.value().scale());
            }
            if (p.time() <= windowStart) {
                break; // stood into the window from before it; nothing earlier reaches inside
            }
            end = p.time();
        }
        return PriceRounding.computed(weighted.divide(BigDecimal.valueOf(totalWeight), scale, RoundingMode.HALF_EVEN), scale, resultScale);
    }

    /**
     * The points still needed at {@code t}: the exchange medians inside the window and the last one
     * at or before its start, which stands into it. Null points carry nothing and are dropped.
     */
    public static List<TwapPoint> prune(List<TwapPoint> points, long t, long window) {
        long windowStart = t - window;
        List<TwapPoint> kept = new ArrayList<>(points.size());
        TwapPoint lastBefore = null;
        for (TwapPoint p : points) {
            if (p.value() == null) {
                continue;
            }
            if (p.time() <= windowStart) {
                lastBefore = p;
            } else {
                kept.add(p);
            }
        }
        if (lastBefore != null) {
            kept.add(0, lastBefore);
        }
        return kept;
    }

    private static int lastValueBefore(List<TwapPoint> points, long t) {
        for (int i = points.size() - 1; i >= 0; i--) {
            TwapPoint p = points.get(i);
            if (p.value() != null && p.time() < t) {
                return i;
            }
        }
        return -1;
    }
}
