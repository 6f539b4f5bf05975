package io.collateralrisk.ltv.price;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * Every scenario of {@link ReferencePriceFunctionTwapStateTest} with the keyed state in RocksDB:
 * there every read is a copy, so a running sum changed but not written back, or a store that
 * leaned on map order, shows here.
 */
class ReferencePriceFunctionTwapStateOnRocksDbTest extends ReferencePriceFunctionTwapStateTest {

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }
}
