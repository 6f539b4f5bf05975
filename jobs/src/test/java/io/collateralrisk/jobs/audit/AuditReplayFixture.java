package io.collateralrisk.jobs.audit;

import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.data.LoanBook;
import io.collateralrisk.jobs.replay.Replay;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.FileUtils;

/**
 * One replay of real data into an audit warehouse, shared by the audit tests of this JVM (it takes
 * a minute): March 2023 prices of three venues with the USDC leg as oracle, a generated book of
 * 300 facilities, two malformed ticks and an event for a facility never opened. Read it only:
 * a test that alters tables works on a copy.
 */
final class AuditReplayFixture {

    static final String PAIR = "BTC-USD";
    static final List<String> BAD = List.of(
            "{not json",
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T00:00:00\",\"pair\":\"BTC-USD\",\"source\":\"x\",\"kind\":\"EXCHANGE\",\"price\":\"1\"}");

    private static AuditReplayFixture shared;

    final Replay.Result result;
    final Path out;
    final int tickLines;
    final int facilityLines;

    private AuditReplayFixture(Replay.Result result, Path out, int tickLines, int facilityLines) {
        this.result = result;
        this.out = out;
        this.tickLines = tickLines;
        this.facilityLines = facilityLines;
    }

    /** The replay's warehouse: a Hadoop catalog's directory. */
    Path warehouse() {
        return out.resolve("warehouse");
    }

    static synchronized AuditReplayFixture get() throws Exception {
        if (shared == null) {
            shared = run();
        }
        return shared;
    }

    private static AuditReplayFixture run() throws Exception {
        Path dir = Files.createTempDirectory("audit-replay-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> FileUtils.deleteDirectoryQuietly(dir.toFile())));
        List<String> ticks = BundledPrices.merge(List.of(
                BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD),
                BundledPrices.oracleTicks(PAIR, BundledPrices.MARCH_2023_BTC_USDC)));
        List<String> prices = new ArrayList<>(ticks);
        prices.addAll(BAD);
        LoanBook book = new LoanBook(7, 300, PAIR, new BigDecimal("24000.00"), BundledPrices.eventTime(ticks.get(0)) - 60_000,
                new BigDecimal("0.40"), new BigDecimal("0.95"));
        List<String> facilityEvents = new ArrayList<>(book.events());
        facilityEvents.add("{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"2023-03-10T00:00:00Z\",\"facilityId\":\"NEVER-OPENED\",\"outstanding\":\"1.00\",\"version\":1}");
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve("prices.jsonl"), prices, StandardCharsets.UTF_8);
        Files.write(in.resolve("facility-events.jsonl"), facilityEvents, StandardCharsets.UTF_8);

        RiskConfig config = RiskConfig.defaults();
        Path out = dir.resolve("out");
        Replay.Result result = new Replay(config, 2, Replay.auditCatalog(config, out)).run(in, out);
        return new AuditReplayFixture(result, out, prices.size(), facilityEvents.size());
    }

}
