package io.collateralrisk.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import io.collateralrisk.jobs.audit.AuditSource;
import io.collateralrisk.jobs.audit.Explainer;
import io.collateralrisk.jobs.audit.StoryPrinter;
import io.collateralrisk.jobs.audit.StoryVerifier;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The circuit breaker counts across the whole pair, whatever the parallelism and sharding, and an
 * operator's {@code HOLDS_RELEASED} re-tests its holds (lifecycle rule 8). At most 5 triggers in 15
 * minutes; facilities of 1 BTC, two exchanges, one tick a minute each:
 *
 * <pre>
 * minute  price   what happens
 *  0      100000  F-01..F-12 open (debt 50,000; F-10..F-12 52,000), G-01..G-06 (debt 40,000)
 *  5       55000  all twelve F due at once: F-01..F-05 trigger, F-06..F-12 held (CIRCUIT_BREAKER)
 * 35              F-01..F-05 unconfirmed (the LTV stage); the seven holds escalate (the breaker)
 * 36       57000
 * 40              HOLDS_RELEASED: re-tested at 57,000: F-06..F-09 (LTV 0.877) released, F-10..F-12 (0.912)
 *                 triggered under their held trigger's liquidation id, uncounted
 * 60       44000  watched F-06..F-09 due again, counted: they and G-01 trigger; G-02..G-06 held
 * 61              the exchanges go dark: the price is unavailable from 63:00.001
 * 65              HOLDS_RELEASED: G-02..G-06 held again (PRICE_UNAVAILABLE)
 * 70       44000  the price returns: G-02..G-06 triggered (uncounted: the window from 60 is full);
 *                 F-10..F-12 unconfirmed, 30 minutes after their release
 * </pre>
 */
class CircuitBreakerReplayTest {

    private static final long T0 = Times.parseIso("2024-03-01T12:00:00Z");
    private static final long MINUTE = 60_000;
    private static final RiskConfig CONFIG = ConfigLoader.parse("lifecycle: {circuitBreaker: {maxLiquidations: 5, window: 15m}}");

    @Test
    void thePairWideCountHoldsTheSixthTriggerAcrossShardsAndReleasesReTestThem(@TempDir Path dir) throws Exception {
        List<String> ids = new ArrayList<>();
        List<String> book = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            String id = String.format("F-%02d", i);
            ids.add(id);
            book.addAll(open(id, i >= 10 ? "52000.00" : "50000.00"));
        }
        for (int i = 1; i <= 6; i++) {
            book.addAll(open(String.format("G-%02d", i), "40000.00"));
        }
        Set<String> shards = ids.stream().map(id -> LtvStage.shardOf("BTC-USD", id)).collect(Collectors.toSet());
        assertThat(shards).as("the first wave spans several LTV shards").hasSizeGreaterThan(3);

        List<String> prices = new ArrayList<>();
        for (int m = 0; m <= 70; m++) {
            if (m > 61 && m < 70) {
                continue; // the exchanges are dark
            }
            String p = m < 5 ? "100000.00" : m < 36 ? "55000.00" : m < 60 ? "57000.00" : "44000.00";
            prices.add(tick(m, "ex1", p));
            prices.add(tick(m, "ex2", p));
        }
        List<String> control = List.of(
                release(40, "BTC-USD"),
                release(50, "DOGE-USD"),
                release(65, "BTC-USD"));
        ReplayFixtures.write(dir, Topics.PRICES, prices);
        ReplayFixtures.write(dir, Topics.FACILITY_EVENTS, book);
        ReplayFixtures.write(dir, Topics.RISK_CONTROL, control);

        Replay.Result parallel = new Replay(CONFIG, 4, Replay.auditCatalog(CONFIG, dir.resolve("out"))).run(dir, dir.resolve("out"));
        Replay.Result single = new Replay(CONFIG, 1).run(dir);

        List<String> lines = liquidations(parallel);
        assertThat(lines).containsExactlyElementsOf(expected());
        assertThat(ids(parallel)).as("the same decisions, ids and all, at any parallelism").isEqualTo(ids(single));

        // A release triggers under the liquidation id the LTV stage holds as pending, so the custodian's answer matches.
        String evaluationAt5 = evaluationId(parallel, T0 + 5 * MINUTE);
        for (String id : List.of("F-10", "F-11", "F-12")) {
            JsonNode trigger = event(parallel, id, "LIQUIDATION_TRIGGERED", T0 + 40 * MINUTE);
            assertThat(trigger.get("liquidationId").asText())
                    .isEqualTo(EventIds.of("LIQUIDATION", id, T0 + 5 * MINUTE, "THRESHOLD|" + evaluationAt5 + "|1|1"));
            assertThat(trigger.get("evaluationId").asText()).isEqualTo(evaluationId(parallel, T0 + 39 * MINUTE));
            assertThat(trigger.get("ltvPrice").asText()).isEqualTo("57000.00");
        }
        JsonNode shortfall = event(parallel, "F-06", "LIQUIDATION_SHORTFALL", T0 + 60 * MINUTE);
        assertThat(shortfall.get("shortfall").asText()).isEqualTo("6000.00");

        // CEP sees the hold that left the job, not the trigger it replaced.
        JsonNode held = event(parallel, "F-06", "LIQUIDATION_HELD", T0 + 5 * MINUTE);
        assertThat(parallel.topic(Topics.MARGIN_CALLS).stream().map(ReplayFixtures::json)
                .filter(n -> n.get("type").asText().equals("LIQUIDATION_TRIGGERED") && n.get("facilityId").asText().equals("F-06")
                        && n.get("eventTime").asText().equals(Times.format(T0 + 5 * MINUTE))))
                .isEmpty();
        assertThat(held.get("bandAfter").asText()).isEqualTo("LIQUIDATION");
        JsonNode rapid = event(parallel, "F-06", "RAPID_DETERIORATION", T0 + 5 * MINUTE);
        assertThat(rapid.get("changes").get(0).get("cause").asText()).isEqualTo(held.get("eventId").asText());
        assertThat(rapid.get("changes").get(0).get("eventType").asText()).isEqualTo("LIQUIDATION_HELD");

        List<JsonNode> deadLetters = parallel.topic(Topics.DEAD_LETTER).stream().map(ReplayFixtures::json).toList();
        assertThat(deadLetters).extracting(n -> n.get("reason").asText()).containsExactly("UNKNOWN_PAIR");
        ReplayFixtures.assertAllValid(parallel);

        // explain --verify recomputes every decision from the audit tables: the pair-wide count, the releases and their re-tests.
        List<String> failures = new ArrayList<>();
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), dir.resolve("out").resolve("warehouse").toString())) {
            Explainer explainer = new Explainer(AuditSource.cached(catalog));
            for (OutputRecord o : parallel.topic(Topics.MARGIN_CALLS)) {
                StoryVerifier.Verification v = StoryVerifier.verify(explainer.story(o.eventId()));
                if (!v.passed()) {
                    failures.add(v.summary());
                }
            }
            String story = StoryPrinter.render(explainer.story(event(parallel, "F-12", "LIQUIDATION_HELD", T0 + 5 * MINUTE)
                    .get("eventId").asText()));
            assertThat(story).contains("CIRCUIT_BREAKER, circuitBreaker.maxLiquidations was reached on the pair (5 triggers of the pair");
        }
        assertThat(failures).isEmpty();
    }

    /** Every LIQUIDATION_* event as "minute facility type holdReason", in time and facility order. */
    private static List<String> liquidations(Replay.Result r) {
        Map<String, String> sorted = new TreeMap<>();
        for (OutputRecord o : r.topic(Topics.MARGIN_CALLS)) {
            JsonNode n = ReplayFixtures.json(o);
            String type = n.get("type").asText();
            if (!type.startsWith("LIQUIDATION_")) {
                continue;
            }
            long minute = (o.eventTime() - T0) / MINUTE;
            String hold = n.hasNonNull("holdReason") ? " " + n.get("holdReason").asText() : "";
            String line = String.format("%02d %s %s%s", minute, n.get("facilityId").asText(), type, hold);
            sorted.put(line + "|" + o.eventId(), line);
        }
        return new ArrayList<>(sorted.values());
    }

    private static List<String> expected() {
        List<String> e = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            e.add(String.format("05 F-%02d %s", i, i <= 5 ? "LIQUIDATION_TRIGGERED" : "LIQUIDATION_HELD CIRCUIT_BREAKER"));
        }
        for (int i = 1; i <= 12; i++) {
            e.add(String.format("35 F-%02d %s", i, i <= 5 ? "LIQUIDATION_UNCONFIRMED" : "LIQUIDATION_HOLD_ESCALATED CIRCUIT_BREAKER"));
        }
        for (int i = 6; i <= 12; i++) {
            e.add(String.format("40 F-%02d %s", i, i <= 9 ? "LIQUIDATION_RELEASED" : "LIQUIDATION_TRIGGERED"));
        }
        for (int i = 6; i <= 9; i++) {
            e.add(String.format("60 F-%02d LIQUIDATION_SHORTFALL", i));
            e.add(String.format("60 F-%02d LIQUIDATION_TRIGGERED", i));
        }
        for (int i = 1; i <= 6; i++) {
            e.add(String.format("60 G-%02d %s", i, i == 1 ? "LIQUIDATION_TRIGGERED" : "LIQUIDATION_HELD CIRCUIT_BREAKER"));
        }
        for (int i = 2; i <= 6; i++) {
            e.add(String.format("65 G-%02d LIQUIDATION_HELD PRICE_UNAVAILABLE", i));
        }
        for (int i = 10; i <= 12; i++) {
            e.add(String.format("70 F-%02d LIQUIDATION_UNCONFIRMED", i));
        }
        for (int i = 2; i <= 6; i++) {
            e.add(String.format("70 G-%02d LIQUIDATION_TRIGGERED", i));
        }
        return e;
    }

    private static List<String> ids(Replay.Result r) {
        return r.topic(Topics.MARGIN_CALLS).stream().map(OutputRecord::eventId).sorted().toList();
    }

    private static JsonNode event(Replay.Result r, String facility, String type, long t) {
        return r.topic(Topics.MARGIN_CALLS).stream().map(ReplayFixtures::json)
                .filter(n -> n.get("facilityId").asText().equals(facility) && n.get("type").asText().equals(type)
                        && n.get("eventTime").asText().equals(Times.format(t)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " of " + facility + " at " + Times.format(t)));
    }

    private static String evaluationId(Replay.Result r, long t) {
        return r.topic(Topics.REFERENCE_PRICES).stream().filter(o -> o.eventTime() == t).map(ReplayFixtures::json)
                .findFirst().orElseThrow().get("evaluationId").asText();
    }

    private static List<String> open(String id, String debt) {
        String at = Times.format(T0);
        return List.of(
                "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"" + at + "\",\"facilityId\":\"" + id
                        + "\",\"borrowerId\":\"B-" + id + "\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}",
                "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"" + at + "\",\"facilityId\":\"" + id + "\",\"collateral\":\"1.00000000\",\"version\":1}",
                "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"" + at + "\",\"facilityId\":\"" + id + "\",\"outstanding\":\"" + debt + "\",\"version\":1}");
    }

    private static String tick(int minute, String source, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(T0 + minute * MINUTE) + "\",\"pair\":\"BTC-USD\",\"source\":\""
                + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
    }

    private static String release(int minute, String pair) {
        return "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":\"" + Times.format(T0 + minute * MINUTE) + "\",\"pair\":\"" + pair
                + "\",\"releasedBy\":\"ops@lender\",\"reason\":\"crash reviewed\"}";
    }
}
