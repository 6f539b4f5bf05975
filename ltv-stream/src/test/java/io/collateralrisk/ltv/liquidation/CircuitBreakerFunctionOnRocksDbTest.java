package io.collateralrisk.ltv.liquidation;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/** Every scenario of {@link CircuitBreakerFunctionTest} with the keyed state in RocksDB, where every read is a copy. */
class CircuitBreakerFunctionOnRocksDbTest extends CircuitBreakerFunctionTest {

    @Override
    StateBackend stateBackend() {
        return new EmbeddedRocksDBStateBackend();
    }
}
