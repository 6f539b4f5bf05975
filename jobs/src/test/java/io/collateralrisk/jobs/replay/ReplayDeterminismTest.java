package io.collateralrisk.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same input gives byte-identical output files, whatever the scheduling of a parallel run. */
class ReplayDeterminismTest {

    @Test
    void twoRunsGiveIdenticalFiles(@TempDir Path dir) throws Exception {
        List<String> ticks = BundledPrices.exchangeTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USD);
        // Two days, with the Coinbase gap and the crash, plus a malformed line and a late tick.
        List<String> slice = new java.util.ArrayList<>(ticks.subList(0, 3 * 2 * 1440));
        slice.add(1000, "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-09 05:00\"}");
        slice.add(3000, slice.get(10));
        ReplayFixtures.write(dir.resolve("in"), Topics.PRICES, slice);

        new Replay(RiskConfig.defaults(), 2).run(dir.resolve("in"), dir.resolve("a"));
        new Replay(RiskConfig.defaults(), 2).run(dir.resolve("in"), dir.resolve("b"));

        for (String topic : Topics.OUTPUTS) {
            byte[] a = Files.readAllBytes(dir.resolve("a").resolve(topic + ".jsonl"));
            byte[] b = Files.readAllBytes(dir.resolve("b").resolve(topic + ".jsonl"));
            assertThat(b).as(topic).isEqualTo(a);
        }
        assertThat(Files.readAllLines(dir.resolve("a").resolve(Topics.DEAD_LETTER + ".jsonl")))
                .hasSize(2)
                .anyMatch(l -> l.contains("LATE_EVENT"))
                .anyMatch(l -> l.contains("INVALID_TIME"));
        assertThat(Files.size(dir.resolve("a").resolve(Topics.REFERENCE_PRICES + ".jsonl"))).isPositive();
        // Written like every output, and empty: a replay never reads the wall clock and restores nothing.
        assertThat(Files.size(dir.resolve("a").resolve(Topics.OPS_ALERTS + ".jsonl"))).isZero();
    }

    @Test
    void refusesANonEmptyOutputDirectory(@TempDir Path dir) throws Exception {
        ReplayFixtures.write(dir.resolve("in"), Topics.PRICES, List.of());
        Files.createDirectories(dir.resolve("out"));
        Files.writeString(dir.resolve("out").resolve("keep.txt"), "x");
        assertThatThrownBy(() -> new Replay(RiskConfig.defaults(), 1).run(dir.resolve("in"), dir.resolve("out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not empty");
    }
}
