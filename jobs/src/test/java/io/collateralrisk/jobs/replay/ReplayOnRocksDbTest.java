package io.collateralrisk.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.data.LoanBook;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job with its keyed state in RocksDB writes the same files as with it on the heap: a
 * generated book of 400 facilities (opening LTVs 40% to 95% at 21,700, standard and tri-party)
 * through the first two days of the March 2023 candles, the crash of the 10th included.
 */
class ReplayOnRocksDbTest {

    @Test
    void theRocksDbChoiceLoadsFlinksEmbeddedRocksDbBackend() throws Exception {
        Configuration conf = new Configuration();
        StateBackendChoice.ROCKSDB.applyTo(conf);
        assertThat(StateBackendLoader.loadStateBackendFromConfig(conf, getClass().getClassLoader(), null))
                .isInstanceOf(EmbeddedRocksDBStateBackend.class);
    }

    @Test
    void rocksDbAndHeapGiveIdenticalFiles(@TempDir Path dir) throws Exception {
        List<String> ticks = BundledPrices.exchangeTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USD);
        List<String> twoDays = ticks.subList(0, 3 * 2 * 1440);
        LoanBook book = new LoanBook(7, 400, "BTC-USD", new BigDecimal("21700"), BundledPrices.eventTime(twoDays.get(0)) - 60_000,
                new BigDecimal("0.40"), new BigDecimal("0.95"));
        ReplayFixtures.write(dir.resolve("in"), Topics.PRICES, twoDays);
        ReplayFixtures.write(dir.resolve("in"), Topics.FACILITY_EVENTS, book.events());

        new Replay(RiskConfig.defaults(), 2, null, StateBackendChoice.HASHMAP).run(dir.resolve("in"), dir.resolve("heap"));
        new Replay(RiskConfig.defaults(), 2, null, StateBackendChoice.ROCKSDB).run(dir.resolve("in"), dir.resolve("rocksdb"));

        for (String topic : Topics.OUTPUTS) {
            byte[] heap = Files.readAllBytes(dir.resolve("heap").resolve(topic + ".jsonl"));
            byte[] rocksDb = Files.readAllBytes(dir.resolve("rocksdb").resolve(topic + ".jsonl"));
            assertThat(rocksDb).as(topic).isEqualTo(heap);
        }
        // The book went through the lifecycle, not just opened.
        String marginCalls = Files.readString(dir.resolve("rocksdb").resolve(Topics.MARGIN_CALLS + ".jsonl"));
        assertThat(marginCalls).contains("\"MARGIN_CALL_ISSUED\"", "\"LIQUIDATION_TRIGGERED\"", "\"LTV_WARNING\"");
        assertThat(Files.readAllLines(dir.resolve("rocksdb").resolve(Topics.LTV + ".jsonl"))).hasSizeGreaterThan(400);
    }
}
