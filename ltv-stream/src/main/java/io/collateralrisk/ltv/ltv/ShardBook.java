package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The book of one LTV shard as its metrics read it, kept up to date as facilities are stored and
 * removed, so that a sweep reads sums instead of visiting facilities. Per pair and policy: the
 * facilities with debt in a {@link DebtPerCollateralTree} (distribution, shortfall, shock ladder,
 * watchlist at any price), the count of those without debt, and running sums per band and
 * custodian; per pair: open margin calls, pending, unconfirmed, held and escalated liquidations,
 * and the cure deadlines in order.
 *
 * <p>A facility is measured while its amounts are known and it has a band. The book keeps what it
 * counted for each facility, so a store takes back the facility's previous contribution before
 * adding the new one; only a change of amounts, pair or policy moves it in the tree. Not
 * checkpointed: rebuilt from the keyed state with the shard's index ({@link #rebuild}).
 */
final class ShardBook {

    /** What the book counted for one facility. */
    static final class Measured extends DebtPerCollateralTree.Node {
        final PolicyBook policy;
        Band band;
        String custodian;
        Long cureDeadline;
        boolean pending;
        boolean unconfirmed;
        /** The hold's reason while held, else null. */
        String holdReason;
        boolean escalated;

        Measured(FacilityState s, String id, PolicyBook policy) {
            super(id, compact(s.outstanding), compact(s.collateral));
            this.policy = policy;
            take(s);
        }

        /**
         * Copies what the book counts beside the amounts. A state read back from RocksDB is a
         * fresh copy on every store: what is unchanged keeps the object already held, and the
         * few distinct strings are the JVM's canonical ones.
         */
        void take(FacilityState s) {
            band = s.band;
            if (!Objects.equals(custodian, s.custodian)) {
                custodian = s.custodian == null ? null : s.custodian.intern();
            }
            if (!Objects.equals(cureDeadline, s.cureDeadline)) {
                cureDeadline = s.cureDeadline;
            }
            pending = s.liquidationPending();
            unconfirmed = pending && s.unconfirmedReported;
            String reason = s.held() ? s.holdReason : null;
            if (!Objects.equals(holdReason, reason)) {
                holdReason = reason == null ? null : reason.intern();
            }
            escalated = s.held() && s.holdEscalated;
        }

        boolean hasDebt() {
            return debt.signum() != 0;
        }
    }

    /** Facilities, debt and collateral of one band and custodian of a policy. */
    static final class CellSums {
        long facilities;
        BigDecimal debt = BigDecimal.ZERO;
        BigDecimal collateral = BigDecimal.ZERO;
    }

    /** One policy's facilities of a pair on this shard. */
    static final class PolicyBook {
        final PairBook pair;
        final String name;
        final DebtPerCollateralTree withDebt = new DebtPerCollateralTree();
        long withoutDebt;
        long marginCalls;
        final Map<Band, Map<String, CellSums>> cells = new EnumMap<>(Band.class);

        PolicyBook(PairBook pair, String name) {
            this.pair = pair;
            this.name = name;
        }

        CellSums cell(Band band, String custodian) {
            return cells.computeIfAbsent(band, b -> new HashMap<>()).computeIfAbsent(custodian, c -> new CellSums());
        }
    }

    /** One pair's facilities on this shard. */
    static final class PairBook {
        final String name;
        final Map<String, PolicyBook> policies = new HashMap<>();
        long pending;
        long unconfirmed;
        long escalated;
        final Map<String, Long> heldByReason = new HashMap<>();
        /** Cure deadline -> facilities with it. */
        final TreeMap<Long, Integer> deadlines = new TreeMap<>();

        PairBook(String name) {
            this.name = name;
        }

        PolicyBook policy(String name) {
            return policies.computeIfAbsent(name, n -> new PolicyBook(this, n));
        }

        /** The nearest cure deadline, or {@link Long#MAX_VALUE}. */
        long nearestDeadline() {
            return deadlines.isEmpty() ? Long.MAX_VALUE : deadlines.firstKey();
        }
    }

    private final NodesById<Measured> byId = new NodesById<>();
    private final Map<String, PairBook> pairs = new HashMap<>();

    int size() {
        return byId.size();
    }

    /** The pair's book on this shard, null when no facility of the pair was ever measured here. */
    PairBook pair(String pair) {
        return pairs.get(pair);
    }

    /** Replaces the book with these facilities (distinct ids), sorting each policy's once. */
    void rebuild(Collection<FacilityState> facilities) {
        byId.clear();
        pairs.clear();
        Map<PolicyBook, List<Measured>> byPolicy = new HashMap<>();
        for (FacilityState s : facilities) {
            if (measured(s)) {
                Measured m = new Measured(s, s.facilityId, policyBook(s));
                byId.put(m);
                count(m, 1);
                if (m.hasDebt()) {
                    byPolicy.computeIfAbsent(m.policy, p -> new ArrayList<>()).add(m);
                }
            }
        }
        byPolicy.forEach((policy, list) -> {
            list.sort(DebtPerCollateralTree.ORDER);
            policy.withDebt.build(list);
        });
    }

    /** The facility as it is now stored. */
    void put(FacilityState s) {
        Measured old = byId.get(s.facilityId);
        if (!measured(s)) {
            if (old != null) {
                remove(old);
            }
            return;
        }
        if (old != null && old.policy.pair.name.equals(s.pair) && old.policy.name.equals(s.policy)
                && same(old.debt, s.outstanding) && same(old.collateral, s.collateral)) {
            // Same place in the order: only what is counted beside the amounts moves.
            count(old, -1);
            old.take(s);
            count(old, 1);
            return;
        }
        if (old != null) {
            remove(old);
        }
        // Keep the id object already held: a state read back from RocksDB brings a copy of it.
        Measured m = new Measured(s, old != null ? old.id : s.facilityId, policyBook(s));
        byId.put(m);
        count(m, 1);
        if (m.hasDebt()) {
            m.policy.withDebt.insert(m);
        }
    }

    void remove(String facilityId) {
        Measured old = byId.get(facilityId);
        if (old != null) {
            remove(old);
        }
    }

    private void remove(Measured m) {
        byId.remove(m.id);
        count(m, -1);
        if (m.hasDebt()) {
            m.policy.withDebt.remove(m);
        }
    }

    /**
     * The amount itself, shared with the state (the heap backend's object, or one that a command
     * already compacted); a copy without the {@code BigInteger} that Flink's decimal serializer
     * leaves behind (about 64 bytes) when it carries one and its unscaled value fits a long.
     * A decimal that carries its {@code BigInteger} returns the same object on every call (a
     * compact one makes a new one, except the few small values {@code BigInteger} caches).
     */
    private static BigDecimal compact(BigDecimal d) {
        BigInteger unscaled = d.unscaledValue();
        if (unscaled != d.unscaledValue() || unscaled.bitLength() > 63) {
            return d;
        }
        return BigDecimal.valueOf(unscaled.longValue(), d.scale());
    }

    private static boolean measured(FacilityState s) {
        return s.amountsKnown() && s.band != null;
    }

    private static boolean same(BigDecimal counted, BigDecimal now) {
        return counted == now || counted.compareTo(now) == 0;
    }

    private PolicyBook policyBook(FacilityState s) {
        return pairs.computeIfAbsent(s.pair, PairBook::new).policy(s.policy);
    }

    /** Adds ({@code sign} 1) or takes back (-1) what the facility counts for, beside its place in the tree. */
    private static void count(Measured m, int sign) {
        PolicyBook policy = m.policy;
        PairBook pair = policy.pair;
        CellSums cell = policy.cell(m.band, m.custodian);
        cell.facilities += sign;
        cell.debt = sign > 0 ? cell.debt.add(m.debt) : cell.debt.subtract(m.debt);
        cell.collateral = sign > 0 ? cell.collateral.add(m.collateral) : cell.collateral.subtract(m.collateral);
        if (!m.hasDebt()) {
            policy.withoutDebt += sign;
        }
        if (m.cureDeadline != null) {
            policy.marginCalls += sign;
            pair.deadlines.merge(m.cureDeadline, sign, (a, b) -> a + b == 0 ? null : a + b);
        }
        if (m.pending) {
            pair.pending += sign;
        }
        if (m.unconfirmed) {
            pair.unconfirmed += sign;
        }
        if (m.holdReason != null) {
            pair.heldByReason.merge(m.holdReason, (long) sign, (a, b) -> a + b == 0 ? null : a + b);
        }
        if (m.escalated) {
            pair.escalated += sign;
        }
    }
}
