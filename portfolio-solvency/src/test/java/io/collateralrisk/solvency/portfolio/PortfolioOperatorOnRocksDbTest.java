package io.collateralrisk.solvency.portfolio;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * Every scenario of {@link PortfolioOperatorTest}, restores and rescales included, with the keyed
 * state in RocksDB: there every read is a copy, so a change not written back to state, or a book
 * that leans on state objects staying alive, shows here.
 */
class PortfolioOperatorOnRocksDbTest extends PortfolioOperatorTest {

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }
}
