package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.model.config.PolicyConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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

    /** Crossing prices are kept as whole millionths of the quote unit: one small key per facility. */
    private static final int KEY_SCALE = 6;
    private static final long NONE = Long.MIN_VALUE;
    /** By instant or price, then id; a null id sorts first, so (x, null) bounds every key at x. */
    private static final Comparator<Key> ORDER =
            Comparator.comparingLong(Key::at).thenComparing(Key::id, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final TreeSet<Key> worsenAt = new TreeSet<>(ORDER);
    private final TreeSet<Key> improveAbove = new TreeSet<>(ORDER);
    private final TreeSet<Key> timers = new TreeSet<>(ORDER);
    private final Set<String> retestAlways = new HashSet<>();
    private final Map<String, Entry> entries = new HashMap<>();

    private record Key(long at, String id) {}

    private record Entry(long worsen, long improve, long timer) {}

    public int size() {
        return entries.size();
    }

    /** Forgets every facility (the index is rebuilt from state on next use). */
    public void clear() {
        worsenAt.clear();
        improveAbove.clear();
        timers.clear();
        retestAlways.clear();
        entries.clear();
    }

    /** (Re-)indexes a facility from its state. */
    public void put(FacilityState s, PolicyConfig policy, long timer) {
        remove(s.facilityId);
        long worsen = NONE;
        long improve = NONE;
        boolean retest = false;
        if (s.amountsKnown()) {
            boolean priced = s.collateral.signum() > 0 && s.outstanding.signum() > 0 && !s.collateralMissing;
            if (s.band == null || (s.held() && !"CIRCUIT_BREAKER".equals(s.holdReason))) {
                retest = true;
            }
            // A facility in liquidation keeps its band until the sale is booked, fails or is
            // released: no price can move it meanwhile (a held one is re-tested at every price).
            boolean inLiquidation = s.liquidationPending() || s.held() || s.awaitingAmounts;
            if (priced && s.band != null && !inLiquidation) {
                if (s.band != Band.LIQUIDATION) {
                    worsen = crossing(s, threshold(policy, Band.values()[s.band.ordinal() + 1]), RoundingMode.CEILING);
                } else {
                    worsen = crossing(s, policy.liquidation(), RoundingMode.CEILING);
                }
                if (s.band != Band.HEALTHY) {
                    BigDecimal exit = threshold(policy, s.band).subtract(policy.hysteresis());
                    if (exit.signum() > 0) {
                        improve = crossing(s, exit, RoundingMode.FLOOR);
                    }
                }
            } else if (s.band != null && s.collateralMissing) {
                retest = true; // collateral may arrive; the price itself cannot move it
            }
        }
        entries.put(s.facilityId, new Entry(worsen, improve, timer));
        if (worsen != NONE) {
            worsenAt.add(new Key(worsen, s.facilityId));
        }
        if (improve != NONE) {
            improveAbove.add(new Key(improve, s.facilityId));
        }
        if (timer != Long.MAX_VALUE) {
            timers.add(new Key(timer, s.facilityId));
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
        if (e.worsen() != NONE) {
            worsenAt.remove(new Key(e.worsen(), facilityId));
        }
        if (e.improve() != NONE) {
            improveAbove.remove(new Key(e.improve(), facilityId));
        }
        if (e.timer() != Long.MAX_VALUE) {
            timers.remove(new Key(e.timer(), facilityId));
        }
        retestAlways.remove(facilityId);
        return e.timer();
    }

    /** Whether any facility still needs a timer at {@code t}. */
    public boolean hasTimerAt(long t) {
        Key next = timers.ceiling(new Key(t, null));
        return next != null && next.at() == t;
    }

    /** The facilities a usable price can move, in id order (so gate admissions are deterministic). */
    public TreeSet<String> affectedBy(BigDecimal price) {
        TreeSet<String> ids = new TreeSet<>(retestAlways);
        // Widened outwards: the price rounded down for "worsens at or above", up for "improves below".
        long low = price.setScale(KEY_SCALE, RoundingMode.FLOOR).unscaledValue().longValueExact();
        long high = price.setScale(KEY_SCALE, RoundingMode.CEILING).unscaledValue().longValueExact();
        worsenAt.tailSet(new Key(low, null), true).forEach(k -> ids.add(k.id()));
        improveAbove.headSet(new Key(high, null), false).forEach(k -> ids.add(k.id()));
        return ids;
    }

    /** Facilities with a timer at or before {@code t}, in id order. */
    public TreeSet<String> dueAt(long t) {
        TreeSet<String> ids = new TreeSet<>();
        Iterable<Key> due = t == Long.MAX_VALUE ? timers : timers.headSet(new Key(t + 1, null), false);
        due.forEach(k -> ids.add(k.id()));
        return ids;
    }

    private static long crossing(FacilityState s, BigDecimal threshold, RoundingMode widen) {
        // LTV reaches threshold at P = D / (C x threshold).
        BigDecimal price = s.outstanding.divide(s.collateral.multiply(threshold), MathContext.DECIMAL128).setScale(KEY_SCALE, widen);
        return price.unscaledValue().longValueExact();
    }

    private static BigDecimal threshold(PolicyConfig policy, Band band) {
        return switch (band) {
            case HEALTHY -> BigDecimal.ZERO;
            case WARNING -> policy.warning();
            case MARGIN_CALL -> policy.marginCall();
            case LIQUIDATION -> policy.liquidation();
        };
    }
}
