package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodySnapshot;

/**
 * A parsed {@code custody-snapshots} record on its way through Flink, with where it came from and
 * its raw payload, so that a snapshot the rules refuse ({@code MINT_MISMATCH}) is still
 * dead-lettered with the input it was.
 */
public record CustodyInput(CustodySnapshot snapshot, String location, String payload) {

    public String custody() {
        return snapshot.custody();
    }

    public long eventTime() {
        return snapshot.eventTime();
    }
}
