package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.model.config.PolicyConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.HashSet;
import java.util.NavigableSet;
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
 *
 * <p>Sized for a million facilities a shard: the ordered sets are chunked arrays of (key, id)
 * ({@link IdsByKey}) and each facility's keys sit in an open-addressing table ({@link KeysById}),
 * about 65 bytes a facility beside the id itself; the facility state is not referenced, so the
 * index stays the same size whichever state backend holds the state.
 */
public final class ShardIndex {

    /** Crossing prices are kept as whole millionths of the quote unit: one small key per facility. */
    private static final int KEY_SCALE = 6;
    private static final long NONE = Long.MIN_VALUE;
    private static final long NO_TIMER = Long.MAX_VALUE;
    private static final int WORSEN = 0;
    private static final int IMPROVE = 1;
    private static final int TIMER = 2;

    /** Per facility: its worsen key, improve key and timer (or the sentinels), to find its entries again. */
    private final KeysById filed = new KeysById();
    private final IdsByKey worsenAt = new IdsByKey();
    private final IdsByKey improveAbove = new IdsByKey();
    private final IdsByKey timers = new IdsByKey();
    /** Usually empty: unevaluated and held facilities. Replaced when emptied, so a burst leaves no big table behind. */
    private Set<String> retestAlways = new HashSet<>();

    public int size() {
        return filed.size();
    }

    /** Forgets every facility (the index is rebuilt from state on next use). */
    public void clear() {
        filed.clear();
        worsenAt.clear();
        improveAbove.clear();
        timers.clear();
        retestAlways = new HashSet<>();
    }

    /** (Re-)indexes a facility from its state. */
    public void put(FacilityState s, PolicyConfig policy, long timer) {
        long worsen = NONE;
        long improve = NONE;
        boolean retest = false;
        if (s.amountsKnown()) {
            boolean priced = s.collateral.signum() > 0 && s.outstanding.signum() > 0 && !s.collateralMissing;
            if (s.band == null || s.held()) {
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
        String id = s.facilityId;
        int slot = filed.slotOf(id);
        if (slot >= 0) {
            // Keep the id object already filed: the ordered sets hold it, and one copy is enough.
            id = filed.idAt(slot);
            refile(worsenAt, filed.key(slot, WORSEN), worsen, NONE, id);
            refile(improveAbove, filed.key(slot, IMPROVE), improve, NONE, id);
            refile(timers, filed.key(slot, TIMER), timer, NO_TIMER, id);
        } else {
            refile(worsenAt, NONE, worsen, NONE, id);
            refile(improveAbove, NONE, improve, NONE, id);
            refile(timers, NO_TIMER, timer, NO_TIMER, id);
        }
        filed.put(id, worsen, improve, timer);
        if (retest) {
            retestAlways.add(id);
        } else {
            noLongerRetested(id);
        }
    }

    /** @return the facility's timer instant before removal, or {@link Long#MAX_VALUE} */
    public long remove(String facilityId) {
        int slot = filed.slotOf(facilityId);
        if (slot < 0) {
            return NO_TIMER;
        }
        String id = filed.idAt(slot);
        long timer = filed.key(slot, TIMER);
        refile(worsenAt, filed.key(slot, WORSEN), NONE, NONE, id);
        refile(improveAbove, filed.key(slot, IMPROVE), NONE, NONE, id);
        refile(timers, timer, NO_TIMER, NO_TIMER, id);
        noLongerRetested(id);
        filed.removeAt(slot);
        return timer;
    }

    /** Whether any facility still needs a timer at {@code t}. */
    public boolean hasTimerAt(long t) {
        return timers.containsKey(t);
    }

    /** The facilities a usable price can move, in id order (so gate admissions are deterministic). */
    public NavigableSet<String> affectedBy(BigDecimal price) {
        return affectedBy(PriceKeys.of(price));
    }

    /**
     * The same for a price already turned into keys: a price reaches every shard of its pair, and
     * most shards have nothing it can move, which the ends of the two sets tell without a search.
     */
    public NavigableSet<String> affectedBy(PriceKeys price) {
        if (retestAlways.isEmpty() && worsenAt.maxKey() < price.low() && improveAbove.minKey() >= price.high()) {
            return Collections.emptyNavigableSet();
        }
        TreeSet<String> ids = new TreeSet<>(retestAlways);
        worsenAt.forEachFrom(price.low(), ids::add);
        improveAbove.forEachBelow(price.high(), ids::add);
        return ids;
    }

    /**
     * A price as the index compares it, widened outwards: rounded down for "worsens at or above",
     * up for "improves below".
     */
    public record PriceKeys(long low, long high) {
        public static PriceKeys of(BigDecimal price) {
            return new PriceKeys(price.setScale(KEY_SCALE, RoundingMode.FLOOR).unscaledValue().longValueExact(),
                    price.setScale(KEY_SCALE, RoundingMode.CEILING).unscaledValue().longValueExact());
        }
    }

    /** Facilities with a timer at or before {@code t}, in id order. */
    public TreeSet<String> dueAt(long t) {
        TreeSet<String> ids = new TreeSet<>();
        if (t == Long.MAX_VALUE) {
            timers.forEach(ids::add);
        } else {
            timers.forEachBelow(t + 1, ids::add);
        }
        return ids;
    }

    private void noLongerRetested(String id) {
        if (retestAlways.remove(id) && retestAlways.isEmpty()) {
            retestAlways = new HashSet<>();
        }
    }

    /** Moves {@code id} from key {@code was} to key {@code now} in {@code set}; {@code none} is "not in the set". */
    private static void refile(IdsByKey set, long was, long now, long none, String id) {
        if (was == now) {
            return;
        }
        if (was != none) {
            set.remove(was, id);
        }
        if (now != none) {
            set.add(now, id);
        }
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
