package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * What is at risk, per LTV shard, read periodically (never per price update): facilities and
 * exposure per band, policy and custodian, the LTV distribution, expected shortfall, the
 * price-shock ladder, open margin calls and the nearest cure deadline, pending, unconfirmed, held
 * and escalated liquidations, and the watchlist of the worst facilities ({@link WatchlistMetrics}).
 * Each sweep replaces its shard's figures; a gauge reads the sum over the shards of this subtask
 * (Prometheus sums the subtasks).
 *
 * <p>A sweep reads the shard's {@link ShardBook}, kept up to date as facilities are stored
 * ({@link #stored}, {@link #removed}, {@link #rebuild}): running sums for the counts and exposure,
 * and for the figures that depend on the price, one descent of a {@link DebtPerCollateralTree} per
 * bucket bound, shocked threshold and policy, since {@code LTV >= b} at price {@code P} exactly
 * when {@code D >= b x P x C}. Its cost grows with the series and the logarithm of the facilities,
 * not with the facilities. {@link #walk} computes the same figures by visiting every facility: the
 * plain definition, kept for the tests and the benchmark.
 *
 * <p>A bucket {@code le} counts the facilities whose LTV, {@code D / (C x P)}, is at most
 * {@code le}, exactly; a facility without debt has LTV 0, one with debt and no collateral an
 * infinite LTV. Amounts are summed exactly and turned into doubles (for display; decisions use the
 * exact decimals) once per sweep.
 */
public final class ShardMetrics {

    /** Upper bounds of the LTV distribution's buckets (cumulative, as Prometheus histograms). */
    static final List<String> LTV_BOUNDS = List.of("0.5", "0.6", "0.7", "0.8", "0.9", "1.0", "1.2", "+Inf");
    static final List<Integer> SHOCKS = List.of(10, 20, 30);
    private static final List<Band> SHOCK_BANDS = List.of(Band.MARGIN_CALL, Band.LIQUIDATION);
    private static final List<String> HOLD_REASONS = List.of("PRICE_UNAVAILABLE", "DIVERGENCE_INCIDENT", "CIRCUIT_BREAKER");
    private static final BigDecimal[] FINITE_BOUNDS = LTV_BOUNDS.stream()
            .filter(b -> !b.equals("+Inf")).map(BigDecimal::new).toArray(BigDecimal[]::new);

    /** How the subtask's shards combine into one gauge value. */
    private enum Combine { SUM, MIN, MAX }

    private final MetricGroup group;
    /** Registered series: their count is the next slot. */
    private int slots;
    private final Map<String, PairSeries> byPair = new HashMap<>();
    /** Shard key -> its figures by slot at its last sweep (NaN: not the shard's pair). Read by the reporter's thread. */
    private final Map<String, double[]> byShard = new ConcurrentHashMap<>();
    private final WatchlistMetrics watchlist;
    /** Shard key -> its book; on the task thread only. */
    private final Map<String, ShardBook> books = new HashMap<>();

    public ShardMetrics(MetricGroup group, RiskConfig config) {
        this.group = group;
        this.watchlist = new WatchlistMetrics(group);
        // The series of every configured pair and policy exist from the start, at zero.
        for (String pair : config.pairs().keySet()) {
            PairSeries p = pair(pair);
            config.policies().keySet().forEach(p::policy);
        }
    }

    WatchlistMetrics watchlist() {
        return watchlist;
    }

    /** Replaces the shard's book with these facilities: those the shard measures (configured pair and policy). */
    public void rebuild(String shardKey, Collection<FacilityState> facilities) {
        book(shardKey).rebuild(facilities);
    }

    /** The facility as the shard now stores it (it leaves the figures while it has no band or amounts). */
    public void stored(String shardKey, FacilityState s) {
        book(shardKey).put(s);
    }

    /** The facility is closed, or no longer measured (held for want of its configuration). */
    public void removed(String shardKey, String facilityId) {
        book(shardKey).remove(facilityId);
    }

    private ShardBook book(String shardKey) {
        return books.computeIfAbsent(shardKey, k -> new ShardBook());
    }

    /**
     * The shard's figures from its book; policies not in {@code policies} are left out.
     *
     * @param price the shard's last LTV price, null before the first or while unavailable
     * @param eventTime the shard's current event time (its watermark), for the cure deadlines
     */
    public void sweep(String shardKey, String pair, Map<String, PolicyConfig> policies, BigDecimal price, long eventTime) {
        PairSeries p = pair(pair);
        p.reset();
        ShardBook.PairBook book = book(shardKey).pair(pair);
        List<DebtPerCollateralTree.Node> worst = new ArrayList<>();
        long nearestDeadline = Long.MAX_VALUE;
        if (book != null) {
            for (ShardBook.PolicyBook policyBook : book.policies.values()) {
                if (policies.containsKey(policyBook.name)) {
                    p.read(policyBook, policies, price, worst);
                }
            }
            for (Map.Entry<String, Long> held : book.heldByReason.entrySet()) {
                Integer reason = p.heldIndex.get(held.getKey());
                if (reason != null) {
                    p.held[reason] += held.getValue();
                }
            }
            p.pending = book.pending;
            p.unconfirmed = book.unconfirmed;
            p.escalated = book.escalated;
            nearestDeadline = book.nearestDeadline();
        }
        publish(shardKey, pair, p, price, nearestDeadline, eventTime);
        watchlist.update(shardKey, pair, worstEntries(worst, price));
    }

    /** The {@value WatchlistMetrics#SIZE} worst of the policies' worst, with their LTVs. */
    private static List<WatchlistMetrics.Entry> worstEntries(List<DebtPerCollateralTree.Node> worst, BigDecimal price) {
        worst.sort(DebtPerCollateralTree.ORDER.reversed());
        List<WatchlistMetrics.Entry> entries = new ArrayList<>();
        for (DebtPerCollateralTree.Node n : worst.subList(0, Math.min(WatchlistMetrics.SIZE, worst.size()))) {
            BigDecimal value = n.collateral.multiply(price);
            entries.add(new WatchlistMetrics.Entry(n.id, value.signum() == 0 ? null : n.debt.divide(value, MathContext.DECIMAL64)));
        }
        return entries;
    }

    private void publish(String shardKey, String pair, PairSeries p, BigDecimal price, long nearestDeadline, long eventTime) {
        double[] figures = new double[slots];
        Arrays.fill(figures, Double.NaN);
        // Before the first watermark (just after a restore) there is no event time to count from.
        double cureDeadline = nearestDeadline == Long.MAX_VALUE ? Double.POSITIVE_INFINITY
                : eventTime == Long.MIN_VALUE ? Double.NaN : (nearestDeadline - eventTime) / 1000.0;
        p.write(figures, price, cureDeadline);
        byShard.put(shardKey, figures);
    }

    /**
     * The same figures as {@link #sweep}, by visiting every facility of {@code facilities}: the
     * plain definition the book is tested against, and the benchmark's baseline. It does not
     * touch the shard's book.
     */
    public void walk(String shardKey, String pair, Iterable<FacilityState> facilities, Map<String, PolicyConfig> policies,
            BigDecimal price, long eventTime) {
        PairSeries p = pair(pair);
        p.reset();
        WatchlistMetrics.Top worst = new WatchlistMetrics.Top();
        long nearestDeadline = Long.MAX_VALUE;
        for (FacilityState s : facilities) {
            if (!s.amountsKnown() || s.band == null) {
                continue;
            }
            Cell cell = p.cell(s.band, s.policy, s.custodian);
            PolicySeries policy = cell.policy;
            BigDecimal debt = s.outstanding;
            cell.facilities++;
            cell.debt = cell.debt.add(debt);
            cell.collateral = cell.collateral.add(s.collateral);
            if (price != null) {
                BigDecimal value = s.collateral.multiply(price);
                if (debt.compareTo(value) > 0) {
                    policy.shortfall = policy.shortfall.add(debt.subtract(value));
                }
                if (debt.signum() == 0) {
                    p.buckets[0]++; // no debt: LTV 0, whatever the collateral
                } else if (value.signum() > 0) {
                    BigDecimal ltv = debt.divide(value, MathContext.DECIMAL64);
                    p.buckets[bucket(ltv, debt, value)]++;
                    p.ladder(policy.shocked(policies), ltv, debt, value);
                    worst.offer(s.facilityId, ltv);
                } else {
                    p.buckets[FINITE_BOUNDS.length]++;
                    p.ladderInfinite(debt); // debt under no collateral: every shock finds it beyond every band
                    worst.offer(s.facilityId, null);
                }
            }
            if (s.cureDeadline != null) {
                policy.marginCalls++;
                nearestDeadline = Math.min(nearestDeadline, s.cureDeadline);
            }
            if (s.liquidationPending()) {
                p.pending++;
                if (s.unconfirmedReported) {
                    p.unconfirmed++;
                }
            }
            if (s.held()) {
                Integer reason = p.heldIndex.get(s.holdReason);
                if (reason != null) {
                    p.held[reason]++;
                }
                if (s.holdEscalated) {
                    p.escalated++;
                }
            }
        }
        publish(shardKey, pair, p, price, nearestDeadline, eventTime);
        watchlist.update(shardKey, pair, worst.entries());
    }

    /** The bucket of the first bound at or above the LTV; the last (+Inf) when none. */
    private static int bucket(BigDecimal ltv, BigDecimal debt, BigDecimal value) {
        for (int i = 0; i < FINITE_BOUNDS.length; i++) {
            if (atMost(ltv, debt, value, FINITE_BOUNDS[i])) {
                return i;
            }
        }
        return FINITE_BOUNDS.length;
    }

    /**
     * Whether {@code D / V <= bound}, exactly, from the quotient {@code ltv} rounded to 16 digits.
     * Rounding is monotonic and keeps a bound of at most 16 digits as it is, so the quotient decides
     * unless it equals the bound; only then (or for a bound of more digits) are the amounts compared.
     */
    private static boolean atMost(BigDecimal ltv, BigDecimal debt, BigDecimal value, BigDecimal bound) {
        int c = ltv.compareTo(bound);
        return c == 0 || bound.precision() > 16 ? debt.compareTo(value.multiply(bound)) <= 0 : c < 0;
    }

    /** Whether {@code D / V >= bound}, exactly, as {@link #atMost}. */
    private static boolean atLeast(BigDecimal ltv, BigDecimal debt, BigDecimal value, BigDecimal bound) {
        int c = ltv.compareTo(bound);
        return c == 0 || bound.precision() > 16 ? debt.compareTo(value.multiply(bound)) >= 0 : c > 0;
    }

    private PairSeries pair(String pair) {
        return byPair.computeIfAbsent(pair, PairSeries::new);
    }

    /** Registers a gauge over the shards' figures at a new slot; {@code labels} are key, value pairs. */
    private int register(String name, Combine combine, String pair, String... labels) {
        int slot = slots++;
        MetricGroup g = group.addGroup("pair", pair);
        for (int i = 0; i + 1 < labels.length; i += 2) {
            g = g.addGroup(labels[i], labels[i + 1]);
        }
        g.gauge(name, (Gauge<Double>) () -> read(slot, combine));
        return slot;
    }

    private double read(int slot, Combine combine) {
        double total = combine == Combine.MIN ? Double.POSITIVE_INFINITY : 0;
        for (double[] shard : byShard.values()) {
            double x = slot < shard.length ? shard[slot] : Double.NaN;
            if (Double.isNaN(x)) {
                continue;
            }
            total = switch (combine) {
                case SUM -> total + x;
                case MIN -> Math.min(total, x);
                case MAX -> Math.max(total, x);
            };
        }
        return total;
    }

    /** One policy's series of a pair and its sums during a sweep. */
    private final class PolicySeries {
        final String name;
        final int shortfallSlot;
        final int marginCallsSlot;
        BigDecimal shortfall = BigDecimal.ZERO;
        long marginCalls;
        /** Per shock and band, the threshold times the price's remaining fraction (the LTV now that a fall would raise to the threshold); null until first needed. */
        BigDecimal[][] shocked;
        /** The least of {@link #shocked}: debt below it reaches no shocked threshold. */
        BigDecimal nearest;

        PolicySeries(String pair, String name) {
            this.name = name;
            shortfallSlot = register("risk_expected_shortfall", Combine.SUM, pair, "policy", name);
            marginCallsSlot = register("risk_margin_calls_open", Combine.SUM, pair, "policy", name);
        }

        /** A fall of SHOCKS[i] puts a facility at or beyond SHOCK_BANDS[j] when {@code D / (C x P) >= shocked[i][j]}. */
        PolicySeries shocked(Map<String, PolicyConfig> policies) {
            if (shocked == null) {
                PolicyConfig policy = policies.get(name);
                shocked = new BigDecimal[SHOCKS.size()][SHOCK_BANDS.size()];
                for (int i = 0; i < SHOCKS.size(); i++) {
                    BigDecimal fraction = BigDecimal.valueOf(100 - SHOCKS.get(i)).movePointLeft(2);
                    for (int j = 0; j < SHOCK_BANDS.size(); j++) {
                        BigDecimal threshold = SHOCK_BANDS.get(j) == Band.MARGIN_CALL ? policy.marginCall() : policy.liquidation();
                        shocked[i][j] = threshold.multiply(fraction);
                        nearest = nearest == null || shocked[i][j].compareTo(nearest) < 0 ? shocked[i][j] : nearest;
                    }
                }
            }
            return this;
        }
    }

    /** Facilities and exposure of one band, policy and custodian of a pair, and their sums during a sweep. */
    private final class Cell {
        final PolicySeries policy;
        final int facilitiesSlot;
        final int debtSlot;
        final int collateralValueSlot;
        long facilities;
        BigDecimal debt = BigDecimal.ZERO;
        BigDecimal collateral = BigDecimal.ZERO;

        Cell(String pair, Band band, PolicySeries policy, String custodian) {
            this.policy = policy;
            String[] labels = {"band", band.name(), "policy", policy.name, "custodian", custodian};
            facilitiesSlot = register("risk_facilities", Combine.SUM, pair, labels);
            debtSlot = register("risk_exposure_debt", Combine.SUM, pair, labels);
            collateralValueSlot = register("risk_exposure_collateral_value", Combine.SUM, pair, labels);
        }
    }

    /** A pair's series and the sums of one sweep. */
    private final class PairSeries {
        final String pair;
        final Map<String, PolicySeries> policies = new HashMap<>();
        /** Band -> policy -> custodian -> cell: lookups by the facility's own strings, no key built per facility. */
        final Map<Band, Map<String, Map<String, Cell>>> cells = new EnumMap<>(Band.class);
        final List<Cell> allCells = new ArrayList<>();
        final int[] bucketSlots = new int[LTV_BOUNDS.size()];
        final int[][] shockFacilitiesSlots = new int[SHOCKS.size()][SHOCK_BANDS.size()];
        final int[][] shockDebtSlots = new int[SHOCKS.size()][SHOCK_BANDS.size()];
        final Map<String, Integer> heldIndex = new HashMap<>();
        final int[] heldSlots = new int[HOLD_REASONS.size()];
        final int pendingSlot;
        final int unconfirmedSlot;
        final int escalatedSlot;
        final int cureDeadlineSlot;

        final long[] buckets = new long[LTV_BOUNDS.size()];
        final long[][] shockFacilities = new long[SHOCKS.size()][SHOCK_BANDS.size()];
        final BigDecimal[][] shockDebt = new BigDecimal[SHOCKS.size()][SHOCK_BANDS.size()];
        final long[] held = new long[HOLD_REASONS.size()];
        long pending;
        long unconfirmed;
        long escalated;

        PairSeries(String pair) {
            this.pair = pair;
            for (int i = 0; i < LTV_BOUNDS.size(); i++) {
                bucketSlots[i] = register("risk_ltv_distribution", Combine.SUM, pair, "le", LTV_BOUNDS.get(i));
            }
            for (int i = 0; i < SHOCKS.size(); i++) {
                for (int j = 0; j < SHOCK_BANDS.size(); j++) {
                    String shock = Integer.toString(SHOCKS.get(i));
                    String band = SHOCK_BANDS.get(j).name();
                    shockFacilitiesSlots[i][j] = register("risk_shock_facilities", Combine.SUM, pair, "shock", shock, "band", band);
                    shockDebtSlots[i][j] = register("risk_shock_debt", Combine.SUM, pair, "shock", shock, "band", band);
                }
            }
            for (int i = 0; i < HOLD_REASONS.size(); i++) {
                heldIndex.put(HOLD_REASONS.get(i), i);
                heldSlots[i] = register("risk_liquidations_held", Combine.SUM, pair, "reason", HOLD_REASONS.get(i));
            }
            pendingSlot = register("risk_liquidations_pending", Combine.SUM, pair);
            unconfirmedSlot = register("risk_liquidations_unconfirmed", Combine.SUM, pair);
            escalatedSlot = register("risk_liquidations_escalated", Combine.SUM, pair);
            cureDeadlineSlot = register("risk_cure_deadline_seconds", Combine.MIN, pair);
        }

        PolicySeries policy(String name) {
            return policies.computeIfAbsent(name, n -> new PolicySeries(pair, n));
        }

        Cell cell(Band band, String policy, String custodian) {
            Map<String, Cell> byCustodian = cells.computeIfAbsent(band, b -> new HashMap<>())
                    .computeIfAbsent(policy, p -> new HashMap<>());
            Cell cell = byCustodian.get(custodian);
            if (cell == null) {
                cell = new Cell(pair, band, policy(policy), custodian);
                byCustodian.put(custodian, cell);
                allCells.add(cell);
            }
            return cell;
        }

        /**
         * Adds one policy's book: its cells, margin calls and, at a price, shortfall, distribution,
         * shock ladder and worst facilities, each a prefix of the debt-per-collateral order.
         */
        void read(ShardBook.PolicyBook book, Map<String, PolicyConfig> policies, BigDecimal price,
                List<DebtPerCollateralTree.Node> worst) {
            PolicySeries policy = policy(book.name);
            book.cells.forEach((band, byCustodian) -> byCustodian.forEach((custodian, sums) -> {
                if (sums.facilities != 0) {
                    Cell cell = cell(band, book.name, custodian);
                    cell.facilities += sums.facilities;
                    cell.debt = cell.debt.add(sums.debt);
                    cell.collateral = cell.collateral.add(sums.collateral);
                }
            }));
            policy.marginCalls += book.marginCalls;
            if (price == null) {
                return;
            }
            DebtPerCollateralTree tree = book.withDebt;
            DebtPerCollateralTree.Sums all = tree.total();
            // Debt beyond the collateral's value: D > P x C, past the prefix D <= P x C.
            DebtPerCollateralTree.Sums under = all.minus(tree.atMost(price, false));
            policy.shortfall = policy.shortfall.add(under.debt().subtract(under.collateral().multiply(price)));
            // No debt is LTV 0, in every bucket; debt under no collateral is in +Inf only (last in the order).
            buckets[0] += book.withoutDebt;
            long below = 0;
            for (int i = 0; i < FINITE_BOUNDS.length; i++) {
                long within = tree.atMost(FINITE_BOUNDS[i].multiply(price), false).count();
                buckets[i] += within - below;
                below = within;
            }
            buckets[FINITE_BOUNDS.length] += all.count() - below;
            policy.shocked(policies);
            for (int i = 0; i < SHOCKS.size(); i++) {
                for (int j = 0; j < SHOCK_BANDS.size(); j++) {
                    // At or beyond the shocked threshold: D >= t x (1 - s) x P x C, past the prefix below it.
                    DebtPerCollateralTree.Sums reached = all.minus(tree.atMost(policy.shocked[i][j].multiply(price), true));
                    shockFacilities[i][j] += reached.count();
                    shockDebt[i][j] = shockDebt[i][j].add(reached.debt());
                }
            }
            tree.worst(WatchlistMetrics.SIZE, worst);
        }

        void reset() {
            for (Cell c : allCells) {
                c.facilities = 0;
                c.debt = BigDecimal.ZERO;
                c.collateral = BigDecimal.ZERO;
            }
            for (PolicySeries p : policies.values()) {
                p.shortfall = BigDecimal.ZERO;
                p.marginCalls = 0;
                p.shocked = null; // the policy may have changed with a new configuration
                p.nearest = null;
            }
            Arrays.fill(buckets, 0);
            Arrays.fill(held, 0);
            for (int i = 0; i < SHOCKS.size(); i++) {
                Arrays.fill(shockFacilities[i], 0);
                Arrays.fill(shockDebt[i], BigDecimal.ZERO);
            }
            pending = 0;
            unconfirmed = 0;
            escalated = 0;
        }

        /**
         * The shock ladder of one facility with debt and collateral value: a fall of s puts it at
         * or beyond a band when {@code D / V >= threshold x (1 - s)}. Most facilities are below
         * every shocked threshold, which the lowest of them tells at once.
         */
        void ladder(PolicySeries policy, BigDecimal ltv, BigDecimal debt, BigDecimal value) {
            if (!atLeast(ltv, debt, value, policy.nearest)) {
                return;
            }
            for (int i = 0; i < SHOCKS.size(); i++) {
                for (int j = 0; j < SHOCK_BANDS.size(); j++) {
                    if (atLeast(ltv, debt, value, policy.shocked[i][j])) {
                        shockFacilities[i][j]++;
                        shockDebt[i][j] = shockDebt[i][j].add(debt);
                    }
                }
            }
        }

        void ladderInfinite(BigDecimal debt) {
            for (int i = 0; i < SHOCKS.size(); i++) {
                for (int j = 0; j < SHOCK_BANDS.size(); j++) {
                    shockFacilities[i][j]++;
                    shockDebt[i][j] = shockDebt[i][j].add(debt);
                }
            }
        }

        void write(double[] figures, BigDecimal price, double cureDeadlineSeconds) {
            for (Cell c : allCells) {
                figures[c.facilitiesSlot] = c.facilities;
                figures[c.debtSlot] = c.debt.doubleValue();
                figures[c.collateralValueSlot] = price == null ? 0 : c.collateral.multiply(price).doubleValue();
            }
            for (PolicySeries p : policies.values()) {
                figures[p.shortfallSlot] = p.shortfall.doubleValue();
                figures[p.marginCallsSlot] = p.marginCalls;
            }
            long cumulative = 0;
            for (int i = 0; i < buckets.length; i++) {
                cumulative += buckets[i];
                figures[bucketSlots[i]] = cumulative;
            }
            for (int i = 0; i < SHOCKS.size(); i++) {
                for (int j = 0; j < SHOCK_BANDS.size(); j++) {
                    figures[shockFacilitiesSlots[i][j]] = shockFacilities[i][j];
                    figures[shockDebtSlots[i][j]] = shockDebt[i][j].doubleValue();
                }
            }
            for (int i = 0; i < held.length; i++) {
                figures[heldSlots[i]] = held[i];
            }
            figures[pendingSlot] = pending;
            figures[unconfirmedSlot] = unconfirmed;
            figures[escalatedSlot] = escalated;
            figures[cureDeadlineSlot] = cureDeadlineSeconds;
        }
    }
}
