package io.collateralrisk.ltv.ops;

import java.util.List;

/**
 * What one subtask of a stateful operator found in its state when it started: whether it was
 * restored, the configuration hashes its state was taken under, what of its state names a pair or
 * policy the configuration lacks, and the latest event time in it.
 *
 * @param topic the input the operator's state came from (the key of the alerts it leads to)
 * @param previousConfigHashes the hashes in the restored state (empty when not restored, or when
 *     the state predates the hash being kept)
 * @param clock the latest event time in the restored state; 0 when it holds none
 */
public record RestoreReport(
        String operator,
        String topic,
        int subtask,
        int parallelism,
        boolean restored,
        List<String> previousConfigHashes,
        List<Missing> missing,
        long clock) {

    /**
     * A pair or policy the configuration lacks, and how many facilities of the subtask's state name it.
     *
     * @param kind {@code PAIR} or {@code POLICY}
     */
    public record Missing(String kind, String name, long facilities) {}
}
