package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyEvent;
import java.util.List;

/**
 * What one snapshot did to its custody: applied (with the events it raised, possibly none), or
 * refused without touching the state.
 *
 * @param events the events to publish, in order; empty unless applied
 * @param detail why a snapshot was not applied; null when it was
 */
public record CustodyOutcome(Status status, List<CustodyEvent> events, String detail) {

    /**
     * The dead-letter reason of a snapshot naming another token than its custody's: a field code of
     * the existing vocabulary, so the dead-letter schema and metric labels need nothing new.
     */
    public static final String MINT_MISMATCH_REASON = "INVALID_FIELD:mint";

    public enum Status {
        /** The snapshot is now the custody's last; its events follow. */
        APPLIED,
        /** Its slot is not newer than the last applied one: a no-op, counted by the caller. */
        STALE_SLOT,
        /**
         * It names another mint than the custody's first snapshot did. The spec does not say what
         * a custody whose token changes means, so it is neither applied nor dropped silently: the
         * caller dead-letters it with {@link #MINT_MISMATCH_REASON}.
         */
        MINT_MISMATCH
    }

    static CustodyOutcome applied(List<CustodyEvent> events) {
        return new CustodyOutcome(Status.APPLIED, List.copyOf(events), null);
    }

    static CustodyOutcome refused(Status status, String detail) {
        return new CustodyOutcome(status, List.of(), detail);
    }

    public boolean applied() {
        return status == Status.APPLIED;
    }
}
