package io.collateralrisk.jobs;

import java.util.Locale;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;

/**
 * Where the job keeps its keyed state: Flink's {@code state.backend.type}.
 *
 * <ul>
 *   <li>{@code HASHMAP}: Java objects on the TaskManager heap. The fastest; every facility of the
 *       LTV stage costs heap for its state and its index.
 *   <li>{@code ROCKSDB}: serialized in an embedded RocksDB on the TaskManager's local disk, off the
 *       heap, with incremental checkpoints. For large books: only the LTV stage's crossing-price
 *       index stays on the heap, and each state read or write costs a (de)serialization.
 * </ul>
 * The figures per facility for each are in {@code docs/performance.md}.
 */
public enum StateBackendChoice {
    HASHMAP,
    ROCKSDB;

    public void applyTo(Configuration conf) {
        conf.set(StateBackendOptions.STATE_BACKEND, name().toLowerCase(Locale.ROOT));
        if (this == ROCKSDB) {
            // A checkpoint uploads the files RocksDB wrote since the last one, not the whole book.
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
    }
}
