package io.collateralrisk.ltv.ltv;

import java.util.List;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * Every scenario of {@link LtvFunctionTest}, snapshot and restore included, with the keyed state in
 * RocksDB, as a large book runs: there every read is a copy, so a change not written back to
 * state, or an index that leans on the state objects staying alive, shows here.
 */
class LtvFunctionOnRocksDbTest extends LtvFunctionTest {

    /** Every keyed state {@link LtvFunction} registers. */
    private static final List<String> STATES = List.of("facilities", "last-price", "pending-commands", "pending-prices", "next-sweep-at", "processed-up-to");

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }

    /** The harness counts entries on the heap backend only: here, the shard keys holding each state. */
    @Override
    int keyedStateEntries(Stage stage) throws Exception {
        KeyedStateBackend<String> backend = stage.harness.getOperator().getKeyedStateBackend();
        int entries = 0;
        for (String state : STATES) {
            try (var keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                entries += (int) keys.count();
            }
        }
        return entries;
    }
}
