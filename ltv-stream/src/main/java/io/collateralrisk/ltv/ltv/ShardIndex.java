package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.model.config.PolicyConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The in-memory index of one LTV shard: for each facility, the prices at which its next decision
 * could happen, so that a price update touches only the facilities it can move.
 *
 * <pre>
 *   price falls to or below worsenAt(f)   -&gt; f may enter a worse band, or a liquidation comes due
 *   price rises above improveAbove(f)      -&gt; f may leave its band (below threshold - hysteresis)
 *   held(f), unevaluated(f)                -&gt; re-tested at every usable price
 *   timerAt(f)                             -&gt; cure deadline, confirmation timeout, hold escalation
 * </pre>
 *
 * Keys are the exact crossing prices widened outwards (worsenAt rounded up, improveAbove rounded
 * down), so a facility may be re-tested one step early but never missed; the decision itself
 * compares exact amounts. Not checkpointed: rebuilt from the keyed state after a restore.
 */
public final class ShardIndex {

    private static final int KEY_SCALE = 10;

    private final NavigableMap<BigDecimal, Set<String>> worsenAt = new TreeMap<>();
    private final NavigableMap<BigDecimal, Set<String>> improveAbove = new TreeMap<>();
    private final NavigableMap<Long, Set<String>> timers = new TreeMap<>();
    private final Set<String> retestAlways = new HashSet<>();
    private final Map<String, Entry> entries = new HashMap<>();

    private record Entry(BigDecimal worsen, BigDecimal improve, long timer) {}

    public int size() {
        return entries.size();
    }

    /** (Re-)indexes a facility from its state. */
    public void put(FacilityState s, PolicyConfig policy, long timer) {
        remove(s.facilityId);
        BigDecimal worsen = null;
        BigDecimal improve = null;
        boolean retest = false;
        if (s.amountsKnown()) {
            boolean priced = s.collateral.signum() > 0 && s.outstanding.signum() > 0 && !s.collateralMissing;
            if (s.band == null || (s.held() && !"CIRCUIT_BREAKER".equals(s.holdReason))) {
                retest = true;
            }
            if (priced && s.band != null) {
                if (s.band != Band.LIQUIDATION) {
                    worsen = crossing(s, threshold(policy, Band.values()[s.band.ordinal() + 1]), RoundingMode.UP);
                } else if (!s.liquidationPending() && !s.held() && !s.awaitingAmounts) {
                    worsen = crossing(s, policy.liquidation(), RoundingMode.UP);
                }
                if (s.band != Band.HEALTHY) {
                    BigDecimal exit = threshold(policy, s.band).subtract(policy.hysteresis());
                    if (exit.signum() > 0) {
                        improve = crossing(s, exit, RoundingMode.DOWN);
                    }
                }
            } else if (s.band != null && s.collateralMissing) {
                retest = true; // collateral may arrive; the price itself cannot move it
            }
        }
        Entry e = new Entry(worsen, improve, timer);
        entries.put(s.facilityId, e);
        if (worsen != null) {
            worsenAt.computeIfAbsent(worsen, k -> new HashSet<>()).add(s.facilityId);
        }
        if (improve != null) {
            improveAbove.computeIfAbsent(improve, k -> new HashSet<>()).add(s.facilityId);
        }
        if (timer != Long.MAX_VALUE) {
            timers.computeIfAbsent(timer, k -> new HashSet<>()).add(s.facilityId);
        }
        if (retest) {
            retestAlways.add(s.facilityId);
        }
    }

    /** @return the facility's timer instant before removal, or {@link Long#MAX_VALUE} */
    public long remove(String facilityId) {
        Entry e = entries.remove(facilityId);
        if (e == null) {
            return Long.MAX_VALUE;
        }
        removeFrom(worsenAt, e.worsen(), facilityId);
        removeFrom(improveAbove, e.improve(), facilityId);
        removeFrom(timers, e.timer() == Long.MAX_VALUE ? null : e.timer(), facilityId);
        retestAlways.remove(facilityId);
        return e.timer();
    }

    /** Whether any facility still needs a timer at {@code t}. */
    public boolean hasTimerAt(long t) {
        return timers.containsKey(t);
    }

    /** The facilities a usable price can move, in id order (so gate admissions are deterministic). */
    public TreeSet<String> affectedBy(BigDecimal price) {
        TreeSet<String> ids = new TreeSet<>(retestAlways);
        worsenAt.tailMap(price, true).values().forEach(ids::addAll);
        improveAbove.headMap(price, false).values().forEach(ids::addAll);
        return ids;
    }

    /** Facilities with a timer at or before {@code t}, in id order. */
    public TreeSet<String> dueAt(long t) {
        TreeSet<String> ids = new TreeSet<>();
        timers.headMap(t, true).values().forEach(ids::addAll);
        return ids;
    }

    private static BigDecimal crossing(FacilityState s, BigDecimal threshold, RoundingMode widen) {
        // LTV reaches threshold at P = D / (C x threshold).
        return s.outstanding.divide(s.collateral.multiply(threshold), MathContext.DECIMAL128).setScale(KEY_SCALE, widen);
    }

    private static BigDecimal threshold(PolicyConfig policy, Band band) {
        return switch (band) {
            case HEALTHY -> BigDecimal.ZERO;
            case WARNING -> policy.warning();
            case MARGIN_CALL -> policy.marginCall();
            case LIQUIDATION -> policy.liquidation();
        };
    }

    private static <K> void removeFrom(NavigableMap<K, Set<String>> map, K key, String id) {
        if (key == null) {
            return;
        }
        Set<String> ids = map.get(key);
        if (ids != null && ids.remove(id) && ids.isEmpty()) {
            map.remove(key);
        }
    }
}
