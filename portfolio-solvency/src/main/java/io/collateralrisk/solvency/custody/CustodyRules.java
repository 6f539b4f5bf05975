package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodySnapshot;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rules of one custody pool over its sequence of snapshots (SPEC.md, "Custody pools"),
 * without Flink: {@link #onSnapshot} takes the custody's state and one snapshot, updates the state
 * in place and returns what to publish. A keyed operator (keyed by {@code custody}) only loads
 * the state, calls it, stores the state, emits the events and counts or dead-letters refusals.
 *
 * <pre>
 * snapshot                                   | condition                                      | outcome / events
 * -------------------------------------------+------------------------------------------------+----------------------------------
 * slot not newer than the last applied one   |                                                | STALE_SLOT (no-op, counted)
 * mint differs from the custody's first      |                                                | MINT_MISMATCH (no-op, dead letter)
 * each invariant, in CustodyInvariant order  | evaluated, fails, was holding                  | CUSTODY_INVARIANT_BROKEN
 *                                            | evaluated, holds, was failing                  | CUSTODY_INVARIANT_RESTORED
 *                                            | not evaluated (optional field absent; losses   | nothing: its state stays
 *                                            | on the custody's first snapshot)               |
 * impairmentLosses, then userLosses          | greater than on the last applied snapshot      | CUSTODY_LOSS_RECORDED (per field)
 * utilization locked / base                  | base &gt; 0 and locked &gt;= threshold x base,       | TRADE_BLOCKAGE
 *                                            | no blockage running                            |
 *                                            | below it, or base = 0, with a blockage running | TRADE_BLOCKAGE_CLEARED
 * </pre>
 *
 * An invariant that keeps failing, or a blockage that keeps running, raises nothing more until it
 * ends. The blockage threshold is the snapshot's {@code tradeBlockageUtilizationBps} when given,
 * else {@code custody.tradeBlockageUtilization}; every comparison is exact on integers and decimals.
 * Snapshots are ordered by slot alone: nothing here reads a clock. The rules hold only their
 * configuration, so an operator may keep them as a (serializable) field or build them in {@code open}.
 */
public final class CustodyRules implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final BigDecimal BPS_PER_ONE = BigDecimal.valueOf(10_000);

    private final BigDecimal tradeBlockageUtilization;
    private final CustodyEvents events;

    /**
     * @param tradeBlockageUtilization {@code custody.tradeBlockageUtilization}, from 0 to 1: the
     *     threshold for snapshots that do not carry their own
     */
    public CustodyRules(BigDecimal tradeBlockageUtilization, String configHash, String codeVersion) {
        if (tradeBlockageUtilization == null
                || tradeBlockageUtilization.signum() < 0
                || tradeBlockageUtilization.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException(
                    "custody.tradeBlockageUtilization must be from 0 to 1, not " + tradeBlockageUtilization);
        }
        this.tradeBlockageUtilization = tradeBlockageUtilization;
        this.events = new CustodyEvents(configHash, codeVersion);
    }

    /** Applies {@code snapshot} to its custody's state {@code s}, unless it is stale or names another token. */
    public CustodyOutcome onSnapshot(CustodyPoolState s, CustodySnapshot snapshot) {
        if (s.started() && snapshot.slot().compareTo(s.lastSlot) <= 0) {
            return CustodyOutcome.refused(
                    CustodyOutcome.Status.STALE_SLOT, "slot " + snapshot.slot() + " is not newer than the last applied slot " + s.lastSlot);
        }
        if (s.started() && !s.mint.equals(snapshot.mint())) {
            return CustodyOutcome.refused(
                    CustodyOutcome.Status.MINT_MISMATCH,
                    "custody " + s.custody + " holds mint " + s.mint + "; the snapshot names " + snapshot.mint());
        }
        List<CustodyEvent> out = new ArrayList<>();
        checkInvariants(s, snapshot, out);
        if (s.started()) {
            recordLoss(s, snapshot, "impairmentLosses", s.lastAmounts.impairmentLosses(), snapshot.amounts().impairmentLosses(), out);
            recordLoss(s, snapshot, "userLosses", s.lastAmounts.userLosses(), snapshot.amounts().userLosses(), out);
        }
        checkBlockage(s, snapshot, out);
        s.custody = snapshot.custody();
        s.mint = snapshot.mint();
        s.lastSlot = snapshot.slot();
        s.lastEventTime = snapshot.eventTime();
        s.lastAmounts = snapshot.amounts();
        return CustodyOutcome.applied(out);
    }

    /** The threshold in force for {@code snapshot}, as a fraction of 1, and where it came from. */
    Threshold threshold(CustodySnapshot snapshot) {
        Integer bps = snapshot.tradeBlockageUtilizationBps();
        return bps == null
                ? new Threshold(tradeBlockageUtilization, CustodyEvent.THRESHOLD_FROM_CONFIG)
                : new Threshold(BigDecimal.valueOf(bps).divide(BPS_PER_ONE), CustodyEvent.THRESHOLD_FROM_SNAPSHOT);
    }

    record Threshold(BigDecimal value, String source) {}

    /** Whether utilization has reached {@code threshold}: {@code locked >= threshold x base}; never while base is 0. */
    static boolean blocks(CustodyAmounts a, BigDecimal threshold) {
        return a.base().signum() > 0 && new BigDecimal(a.locked()).compareTo(threshold.multiply(new BigDecimal(a.base()))) >= 0;
    }

    private void checkInvariants(CustodyPoolState s, CustodySnapshot snapshot, List<CustodyEvent> out) {
        for (CustodyInvariant invariant : CustodyInvariant.values()) {
            InvariantCheck check = CustodyInvariants.check(invariant, s.lastAmounts, snapshot.amounts());
            if (check == null) {
                continue;
            }
            BrokenInvariant was = s.brokenNow(invariant);
            if (!check.holds() && was == null) {
                s.broken.add(new BrokenInvariant(invariant, snapshot.slot(), snapshot.eventTime()));
                s.broken.sort(Comparator.comparing(BrokenInvariant::invariant));
                out.add(events.invariantBroken(snapshot, check));
            } else if (check.holds() && was != null) {
                s.broken.remove(was);
                out.add(events.invariantRestored(snapshot, check, was));
            }
        }
    }

    private void recordLoss(
            CustodyPoolState s, CustodySnapshot snapshot, String field, BigInteger previous, BigInteger current, List<CustodyEvent> out) {
        BigInteger increase = current.subtract(previous);
        if (increase.signum() > 0) {
            out.add(events.lossRecorded(snapshot, field, previous, increase, s.lastSlot));
        }
    }

    private void checkBlockage(CustodyPoolState s, CustodySnapshot snapshot, List<CustodyEvent> out) {
        Threshold threshold = threshold(snapshot);
        boolean blocks = blocks(snapshot.amounts(), threshold.value());
        if (blocks && !s.blocked()) {
            s.blockedSinceSlot = snapshot.slot();
            s.blockedSince = snapshot.eventTime();
            out.add(events.blockage(snapshot, threshold.value(), threshold.source()));
        } else if (!blocks && s.blocked()) {
            String reason = snapshot.amounts().base().signum() == 0 ? CustodyEvent.CLEARED_NO_BASE : CustodyEvent.CLEARED_BELOW_THRESHOLD;
            out.add(events.blockageCleared(snapshot, threshold.value(), threshold.source(), s.blockedSinceSlot, reason));
            s.blockedSinceSlot = null;
            s.blockedSince = null;
        }
    }
}
