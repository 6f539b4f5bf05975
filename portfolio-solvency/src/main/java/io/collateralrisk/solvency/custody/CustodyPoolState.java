package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyAmounts;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the custody rules keep per custody: a mutable POJO (Flink serializes it field by
 * field) that {@link CustodyRules} updates in place. A new custody starts with
 * {@code new CustodyPoolState()}: no snapshot applied, every invariant holding, no blockage.
 */
public class CustodyPoolState {

    public String custody;
    /** The token of the custody, fixed by its first applied snapshot. */
    public String mint;

    /** The slot of the last applied snapshot; null until the first. */
    public BigInteger lastSlot;
    public long lastEventTime;
    /** The amounts of the last applied snapshot: losses are compared with them. */
    public CustodyAmounts lastAmounts;

    /** The invariants failing now, in {@link CustodyInvariant} order; an invariant not listed holds. */
    public List<BrokenInvariant> broken = new ArrayList<>();

    /** The slot at which the running trade blockage started; null while there is none. */
    public BigInteger blockedSinceSlot;
    public Long blockedSince;

    public CustodyPoolState() {}

    public boolean started() {
        return lastSlot != null;
    }

    public boolean blocked() {
        return blockedSinceSlot != null;
    }

    /** The failure of {@code invariant} running now, or null when it holds. */
    public BrokenInvariant brokenNow(CustodyInvariant invariant) {
        for (BrokenInvariant b : broken) {
            if (b.invariant() == invariant) {
                return b;
            }
        }
        return null;
    }
}
