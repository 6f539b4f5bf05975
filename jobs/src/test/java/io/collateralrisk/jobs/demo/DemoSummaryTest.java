package io.collateralrisk.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoSummaryTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final long HORIZON = Times.parseIso("2023-03-15T00:00:00.000Z");

    private static OutputRecord liquidation(String facility, String time, String id) {
        String json = "{\"type\":\"LIQUIDATION_TRIGGERED\",\"eventId\":\"" + id + "\",\"eventTime\":\"" + time + "\",\"facilityId\":\"" + facility
                + "\",\"reason\":\"THRESHOLD\",\"ltv\":\"0.910000\",\"ltvPrice\":\"21710.30\",\"liquidateCollateral\":\"1.00000000\"}";
        return new OutputRecord(Topics.MARGIN_CALLS, facility, Times.parseIso(time), id, json, false);
    }

    private static OutputRecord lifecycle(String type, int i) {
        String json = "{\"type\":\"" + type + "\",\"eventId\":\"id-" + type + i + "\",\"eventTime\":\"2023-03-10T00:00:00.000Z\",\"facilityId\":\"F-" + i + "\"}";
        return new OutputRecord(Topics.MARGIN_CALLS, "F-" + i, Times.parseIso("2023-03-10T00:00:00.000Z"), "id-" + type + i, json, false);
    }

    private static OutputRecord ltv(String facility, String debtPerCollateral) {
        String json = "{\"type\":\"LTV\",\"eventId\":\"l-" + facility + "\",\"eventTime\":\"2023-03-10T00:00:00.000Z\",\"facilityId\":\"" + facility
                + "\",\"policy\":\"standard\",\"band\":\"LIQUIDATION\",\"ltv\":\"0.950000\",\"debtPerCollateral\":\"" + debtPerCollateral
                + "\",\"closed\":false}";
        return new OutputRecord(Topics.LTV, facility, 0, "l-" + facility, json, false);
    }

    @Test
    void theFirstLiquidationIsTheEarliestWhateverOrderTheRecordsArrivedIn() {
        List<OutputRecord> calls = List.of(
                liquidation("F-9", "2023-03-09T00:05:00.000Z", "c"),
                liquidation("F-7", "2023-03-09T00:01:00.000Z", "b"),
                liquidation("F-3", "2023-03-09T00:01:00.000Z", "a"),
                liquidation("F-1", "2023-03-09T00:02:00.000Z", "d"));
        String summary = DemoSummary.render(Map.of(Topics.MARGIN_CALLS, calls), HORIZON, CONFIG);
        assertThat(summary).contains("first liquidation: 2023-03-09T00:01:00.000Z F-3 THRESHOLD")
                .contains("lifecycle events: LIQUIDATION_TRIGGERED 4");
    }

    @Test
    void countsRunAlongLinesOfATerminalsWidthAndEmptyTopicsAreNamedOnce() {
        List<OutputRecord> calls = new ArrayList<>();
        List<String> types = List.of("INITIAL_MARGIN_BREACH", "LIQUIDATION_HELD", "LIQUIDATION_HOLD_ESCALATED", "LIQUIDATION_TRIGGERED",
                "LIQUIDATION_UNCONFIRMED", "LTV_HEALTHY", "LTV_WARNING", "MARGIN_CALL_CURED", "MARGIN_CALL_ISSUED", "RAPID_DETERIORATION",
                "REPEATED_MARGIN_CALLS");
        for (int i = 0; i < types.size(); i++) {
            calls.add(types.get(i).equals("LIQUIDATION_TRIGGERED") ? liquidation("F-" + i, "2023-03-10T00:00:00.000Z", "id" + i)
                    : lifecycle(types.get(i), i));
        }
        List<OutputRecord> ltv = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ltv.add(ltv("F-" + i, "20" + String.format("%03d", i) + ".5"));
        }
        String summary = DemoSummary.render(Map.of(Topics.MARGIN_CALLS, calls, Topics.LTV, ltv), HORIZON, CONFIG);
        List<String> lines = summary.lines().toList();
        assertThat(lines).allMatch(line -> line.length() <= 120, "lines of a terminal's width");
        // Eleven types on three lines, every one of them shown.
        int first = lines.indexOf(lines.stream().filter(l -> l.startsWith("lifecycle events: ")).findFirst().orElseThrow());
        assertThat(lines.get(first + 1)).startsWith(" ".repeat("lifecycle events: ".length()) + "L");
        assertThat(lines.get(first + 3)).doesNotStartWith(" ".repeat("lifecycle events: ".length()));
        types.forEach(t -> assertThat(summary).contains(t + " 1"));
        assertThat(lines.get(1)).startsWith("records out: risk.margin-calls 11, risk.ltv 50; none on risk.reference-prices,");
        assertThat(lines.get(2)).isEqualTo("             risk.price-alerts, risk.ops-alerts, risk.dead-letter");
        assertThat(summary)
                .contains("divergence incidents: none").contains("price alerts: none").contains("dead letters: none");
        // The five worst facilities only, worst first, with the prices at which they reach the margin call and liquidation.
        assertThat(summary).contains("  F-49       standard   LIQUIDATION   0.950000           20049.50     25061.87     22277.22");
        assertThat(lines.stream().filter(l -> l.matches("  F-\\d+ .*"))).hasSize(5);
        assertThat(lines).hasSizeLessThanOrEqualTo(20);
    }
}
