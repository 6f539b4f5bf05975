package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation whose reading opens a divergence incident is itself priced conservatively, and
 * the liquidation that price makes due is held, not triggered: whatever order the sources' ticks
 * arrive in and whatever the parallelism, the feed-health and LTV stages see the incident at that
 * very instant.
 *
 * <p>Two exchanges stay at 20,000; the primary oracle falls to 18,800 (6% under the TWAP) at
 * minute 10 and stays there. Minute 10 is the first reading above 5%; minute 11 the second, 60 s
 * later: the incident opens at 11. The facility (1 BTC, 16,920 debt) is at LTV 0.846 at the
 * median 20,000 (a margin call, no liquidation) and at exactly 0.90 at the oracle's 18,800.
 */
class IncidentOpeningHoldReplayTest {

    private static final long T0 = Times.parseIso("2024-03-01T12:00:00Z");
    private static final long MINUTE = 60_000;

    @Test
    void theOpeningEvaluationIsConservativeAndHoldsTheLiquidation(@TempDir Path dir) throws Exception {
        List<String> orderA = new ArrayList<>();
        List<String> orderB = new ArrayList<>();
        for (int m = 1; m <= 15; m++) {
            String oracle = m >= 10 ? "18800.00" : "20000.00";
            String ex1 = tick(m, "ex1", "EXCHANGE", "20000.00");
            String ex2 = tick(m, "ex2", "EXCHANGE", "20000.00");
            String or = tick(m, "oracle", "ORACLE", oracle);
            orderA.addAll(List.of(ex1, ex2, or));
            orderB.addAll(List.of(or, ex2, ex1));
        }
        List<String> book = List.of(
                "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}",
                "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"collateral\":\"1.00000000\",\"version\":1}",
                "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"outstanding\":\"16920.00\",\"version\":1}");

        ReplayFixtures.write(dir.resolve("a"), Topics.PRICES, orderA);
        ReplayFixtures.write(dir.resolve("a"), Topics.FACILITY_EVENTS, book);
        ReplayFixtures.write(dir.resolve("b"), Topics.PRICES, orderB);
        ReplayFixtures.write(dir.resolve("b"), Topics.FACILITY_EVENTS, book);

        Replay.Result a = new Replay(RiskConfig.defaults(), 1).run(dir.resolve("a"));
        Replay.Result b = new Replay(RiskConfig.defaults(), 2).run(dir.resolve("b"));

        for (Replay.Result r : List.of(a, b)) {
            long opening = T0 + 11 * MINUTE;
            List<JsonNode> incidents = r.topic(Topics.DIVERGENCE).stream().map(ReplayFixtures::json).toList();
            assertThat(incidents).hasSize(1);
            assertThat(incidents.get(0).get("type").asText()).isEqualTo("DIVERGENCE_OPENED");
            assertThat(incidents.get(0).get("openedAt").asText()).isEqualTo(Times.format(opening));

            JsonNode before = price(r, opening - MINUTE);
            assertThat(before.get("incidentOpen").asBoolean()).isFalse();
            assertThat(before.get("price").asText()).isEqualTo("20000.00");
            JsonNode atOpening = price(r, opening);
            assertThat(atOpening.get("incidentOpen").asBoolean()).isTrue();
            assertThat(atOpening.get("price").asText()).isEqualTo("18800.00");

            List<JsonNode> lifecycle = r.topic(Topics.MARGIN_CALLS).stream().map(ReplayFixtures::json)
                    .filter(n -> n.get("type").asText().startsWith("LIQUIDATION_") && !n.get("type").asText().equals("LIQUIDATION_HOLD_ESCALATED"))
                    .toList();
            assertThat(lifecycle).extracting(n -> n.get("type").asText()).containsExactly("LIQUIDATION_HELD");
            JsonNode held = lifecycle.get(0);
            assertThat(held.get("eventTime").asText()).isEqualTo(Times.format(opening));
            assertThat(held.get("holdReason").asText()).isEqualTo("DIVERGENCE_INCIDENT");
            assertThat(held.get("ltvPrice").asText()).isEqualTo("18800.00");
            assertThat(held.get("evaluationId").asText()).isEqualTo(atOpening.get("evaluationId").asText());
            ReplayFixtures.assertAllValid(r);
        }
        assertThat(ids(b, Topics.MARGIN_CALLS)).isEqualTo(ids(a, Topics.MARGIN_CALLS));
        assertThat(ids(b, Topics.DIVERGENCE)).isEqualTo(ids(a, Topics.DIVERGENCE));
    }

    private static JsonNode price(Replay.Result r, long t) {
        return r.topic(Topics.REFERENCE_PRICES).stream().filter(o -> o.eventTime() == t).map(ReplayFixtures::json).findFirst().orElseThrow();
    }

    private static List<String> ids(Replay.Result r, String topic) {
        return r.topic(topic).stream().map(OutputRecord::eventId).toList();
    }

    private static String tick(int minute, String source, String kind, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(T0 + minute * MINUTE) + "\",\"pair\":\"BTC-USD\",\"source\":\""
                + source + "\",\"kind\":\"" + kind + "\",\"price\":\"" + price + "\"}";
    }
}
