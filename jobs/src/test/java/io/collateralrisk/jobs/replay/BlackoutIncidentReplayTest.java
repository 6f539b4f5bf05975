package io.collateralrisk.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exchanges go dark while the primary oracle falls: the TWAP keeps where the exchanges were,
 * so the divergence is read through the blackout, the incident opens before they return, and the
 * liquidation their return would make due is held.
 *
 * <p>Two exchanges tick 20,000 every minute up to minute 5, then nothing until minute 10 (stale
 * from 7:00.001: no exchange is fresh at minutes 8 and 9). The oracle ticks every minute: 20,000
 * up to minute 7, then 18,800, 6% under the exchanges' last 20,000. The exchanges come back at
 * 19,480, 3.5% above the oracle. The facility (1 BTC, 17,600 debt) is in margin call at 20,000
 * (LTV 0.88) and reaches the 0.90 liquidation at the returning median 19,480 (LTV 0.9035).
 */
class BlackoutIncidentReplayTest {

    private static final long T0 = Times.parseIso("2024-03-01T12:00:00Z");
    private static final long MINUTE = 60_000;

    @Test
    void incidentOpensDuringTheBlackoutAndHoldsTheLiquidationWhenTheExchangesReturn(@TempDir Path dir) throws Exception {
        Replay.Result r = new Replay(RiskConfig.defaults(), 1).run(write(dir.resolve("in")));

        // Minutes 8 and 9: no exchange fresh, the TWAP is still the 20,000 they left at.
        for (int m : new int[] {8, 9}) {
            JsonNode dark = price(r, T0 + m * MINUTE);
            assertThat(dark.get("used")).extracting(u -> u.get("kind").asText()).containsExactly("ORACLE");
            assertThat(dark.get("twap").asText()).isEqualTo("20000.00");
            assertThat(dark.get("primary").asText()).isEqualTo("18800.00");
        }
        List<JsonNode> incidents = r.topic(Topics.DIVERGENCE).stream().map(ReplayFixtures::json).toList();
        assertThat(incidents).extracting(n -> n.get("type").asText()).containsExactly("DIVERGENCE_OPENED");
        // Readings at 8 and 9 (60 s apart): opened at 9, while the exchanges are still dark.
        assertThat(incidents.get(0).get("openedAt").asText()).isEqualTo(Times.format(T0 + 9 * MINUTE));

        long back = T0 + 10 * MINUTE;
        JsonNode returned = price(r, back);
        assertThat(returned.get("median").asText()).isEqualTo("19480.00");
        // The median computed at 10 has stood for no time yet: the TWAP is still 20,000.
        assertThat(returned.get("twap").asText()).isEqualTo("20000.00");
        assertThat(returned.get("incidentOpen").asBoolean()).isTrue();
        assertThat(returned.get("price").asText()).isEqualTo("18800.00");

        List<JsonNode> liquidations = liquidations(r);
        assertThat(liquidations).extracting(n -> n.get("type").asText()).containsExactly("LIQUIDATION_HELD");
        JsonNode held = liquidations.get(0);
        assertThat(held.get("eventTime").asText()).isEqualTo(Times.format(back));
        assertThat(held.get("holdReason").asText()).isEqualTo("DIVERGENCE_INCIDENT");
        ReplayFixtures.assertAllValid(r);
    }

    @Test
    void withoutTheIncidentTheSameReturnTriggersTheLiquidation(@TempDir Path dir) throws Exception {
        // The control: a threshold the 6% never crosses, so nothing holds the return's median.
        RiskConfig noIncident = ConfigLoader.parse("divergence: {threshold: 0.5}");
        Replay.Result r = new Replay(noIncident, 1).run(write(dir.resolve("in")));

        assertThat(r.topic(Topics.DIVERGENCE)).isEmpty();
        List<JsonNode> liquidations = liquidations(r);
        assertThat(liquidations).extracting(n -> n.get("type").asText()).containsExactly("LIQUIDATION_TRIGGERED");
        assertThat(liquidations.get(0).get("eventTime").asText()).isEqualTo(Times.format(T0 + 10 * MINUTE));
        assertThat(liquidations.get(0).get("ltvPrice").asText()).isEqualTo("19480.00");
    }

    private static Path write(Path in) throws Exception {
        List<String> prices = new ArrayList<>();
        for (int m = 1; m <= 12; m++) {
            if (m <= 5 || m >= 10) {
                String exchange = m <= 5 ? "20000.00" : "19480.00";
                prices.add(tick(m, "ex1", "EXCHANGE", exchange));
                prices.add(tick(m, "ex2", "EXCHANGE", exchange));
            }
            prices.add(tick(m, "oracle", "ORACLE", m <= 7 ? "20000.00" : "18800.00"));
        }
        ReplayFixtures.write(in, Topics.PRICES, prices);
        ReplayFixtures.write(in, Topics.FACILITY_EVENTS, List.of(
                "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}",
                "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"collateral\":\"1.00000000\",\"version\":1}",
                "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"outstanding\":\"17600.00\",\"version\":1}"));
        return in;
    }

    private static List<JsonNode> liquidations(Replay.Result r) {
        return r.topic(Topics.MARGIN_CALLS).stream().map(ReplayFixtures::json)
                .filter(n -> n.get("type").asText().startsWith("LIQUIDATION_") && !n.get("type").asText().equals("LIQUIDATION_HOLD_ESCALATED"))
                .toList();
    }

    private static JsonNode price(Replay.Result r, long t) {
        return r.topic(Topics.REFERENCE_PRICES).stream().filter(o -> o.eventTime() == t).map(ReplayFixtures::json).findFirst().orElseThrow();
    }

    private static String tick(int minute, String source, String kind, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(T0 + minute * MINUTE) + "\",\"pair\":\"BTC-USD\",\"source\":\""
                + source + "\",\"kind\":\"" + kind + "\",\"price\":\"" + price + "\"}";
    }
}
