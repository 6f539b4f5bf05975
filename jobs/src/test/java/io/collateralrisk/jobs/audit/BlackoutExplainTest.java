package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.replay.Replay;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain --verify} recomputes the TWAP through an exchange blackout from the audit tables
 * alone: the evaluations without an exchange median carry nothing, and the last exchange median
 * before the window, older than the dark evaluations, still stands into it.
 *
 * <p>Exchanges at 20,000 every minute to minute 5, dark until minute 10 (stale from 7:00.001), then
 * 19,480; the oracle 20,000 to minute 7, 18,800 from minute 8, 18,500 at minute 13. F-1 (17,600
 * debt) is held at minute 10 (the incident opened in the dark). F-2 (13,020 debt) reaches its 0.70
 * warning at 18,500, minute 13, whose window (minute 8, minute 13] starts on a dark evaluation: the
 * 20,000 computed at minute 7 stood in it until minute 10.
 */
class BlackoutExplainTest {

    private static final long T0 = Times.parseIso("2024-03-01T12:00:00Z");
    private static final long MINUTE = 60_000;

    @Test
    void everyEventThroughTheBlackoutVerifies(@TempDir Path dir) throws Exception {
        List<String> prices = new ArrayList<>();
        for (int m = 1; m <= 14; m++) {
            if (m <= 5 || m >= 10) {
                String exchange = m <= 5 ? "20000.00" : "19480.00";
                prices.add(tick(m, "ex1", "EXCHANGE", exchange));
                prices.add(tick(m, "ex2", "EXCHANGE", exchange));
            }
            prices.add(tick(m, "oracle", "ORACLE", m <= 7 ? "20000.00" : m == 13 ? "18500.00" : "18800.00"));
        }
        List<String> book = new ArrayList<>();
        book.addAll(facility("F-1", "17600.00"));
        book.addAll(facility("F-2", "13020.00"));
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve(Topics.PRICES + ".jsonl"), prices, StandardCharsets.UTF_8);
        Files.write(in.resolve(Topics.FACILITY_EVENTS + ".jsonl"), book, StandardCharsets.UTF_8);
        RiskConfig config = RiskConfig.defaults();
        Path out = dir.resolve("out");
        Replay.Result result = new Replay(config, 1, Replay.auditCatalog(config, out)).run(in, out);

        List<JsonNode> events = new ArrayList<>();
        for (OutputRecord r : result.topic(Topics.MARGIN_CALLS)) {
            events.add(Json.outputReader().readTree(r.json()));
        }
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("LIQUIDATION_HELD");
            assertThat(e.get("eventTime").asText()).isEqualTo(Times.format(T0 + 10 * MINUTE));
        });
        JsonNode warning = events.stream()
                .filter(e -> e.get("facilityId").asText().equals("F-2") && e.get("type").asText().equals("LTV_WARNING"))
                .findFirst().orElseThrow();
        assertThat(warning.get("eventTime").asText()).isEqualTo(Times.format(T0 + 13 * MINUTE));

        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), out.resolve("warehouse").toString())) {
            Explainer explainer = new Explainer(AuditSource.cached(catalog));
            List<String> failures = new ArrayList<>();
            for (JsonNode e : events) {
                StoryVerifier.Verification v = StoryVerifier.verify(explainer.story(e.get("eventId").asText()));
                if (!v.passed()) {
                    failures.add(v.summary());
                }
            }
            assertThat(failures).isEmpty();
            StoryVerifier.Verification atWarning = StoryVerifier.verify(explainer.story(warning.get("eventId").asText()));
            // (20,000 x 120 s + 19,480 x 180 s) / 300 s: the 20,000 of before the blackout still counts.
            assertThat(atWarning.checks()).anySatisfy(c -> {
                assertThat(c.field()).isEqualTo("reference.twap");
                assertThat(c.ok()).isTrue();
            });
        }
        JsonNode atThirteen = result.topic(Topics.REFERENCE_PRICES).stream().filter(r -> r.eventTime() == T0 + 13 * MINUTE)
                .map(r -> {
                    try {
                        return Json.outputReader().readTree(r.json());
                    } catch (java.io.IOException ex) {
                        throw new AssertionError(ex);
                    }
                }).findFirst().orElseThrow();
        assertThat(atThirteen.get("twap").asText()).isEqualTo("19688.00");
    }

    private static List<String> facility(String id, String debt) {
        return List.of(
                "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"" + id
                        + "\",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}",
                "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"" + id
                        + "\",\"collateral\":\"1.00000000\",\"version\":1}",
                "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"" + id
                        + "\",\"outstanding\":\"" + debt + "\",\"version\":1}");
    }

    private static String tick(int minute, String source, String kind, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(T0 + minute * MINUTE) + "\",\"pair\":\"BTC-USD\",\"source\":\""
                + source + "\",\"kind\":\"" + kind + "\",\"price\":\"" + price + "\"}";
    }
}
