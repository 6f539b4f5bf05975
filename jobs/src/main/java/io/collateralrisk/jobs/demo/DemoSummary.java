package io.collateralrisk.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.replay.ReplaySummary;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The demo's summary of what came out, in about 25 lines so the whole run fits on a screen or two:
 * counts run along a line, and only the incidents and the worst facilities get a table. The
 * records themselves are in the audit tables the demo points to.
 */
final class DemoSummary {

    /** Wide enough for a terminal, narrow enough to read. */
    private static final int WIDTH = 110;
    private static final int WORST = 5;

    private DemoSummary() {}

    static String render(Map<String, List<OutputRecord>> byTopic, long horizon, RiskConfig config) {
        StringBuilder s = new StringBuilder();
        s.append("Summary (event time ends at ").append(Times.format(horizon)).append(")\n");
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> empty = new ArrayList<>();
        for (String topic : Topics.OUTPUTS) {
            int n = size(byTopic, topic);
            if (n > 0) {
                counts.put(topic, n);
            } else {
                empty.add(topic);
            }
        }
        List<String> none = new ArrayList<>(empty);
        if (!none.isEmpty()) {
            none.set(0, "none on " + none.get(0));
        }
        wrap(s, "records out", counts, none);

        Map<String, Integer> status = new TreeMap<>();
        Map<String, Integer> exclusions = new TreeMap<>();
        BigDecimal lowest = null;
        String lowestAt = null;
        for (OutputRecord r : records(byTopic, Topics.REFERENCE_PRICES)) {
            JsonNode n = read(r);
            status.merge(n.get("status").asText(), 1, Integer::sum);
            for (JsonNode e : n.get("excluded")) {
                exclusions.merge(e.get("reason").asText() + " " + e.get("source").asText(), 1, Integer::sum);
            }
            JsonNode price = n.get("price");
            if (price != null && !price.isNull() && (lowest == null || new BigDecimal(price.asText()).compareTo(lowest) < 0)) {
                lowest = new BigDecimal(price.asText());
                lowestAt = n.get("eventTime").asText();
            }
        }
        wrap(s, "reference prices", status, lowest == null ? "" : "lowest " + lowest.toPlainString() + " at " + lowestAt);
        wrap(s, "  sources excluded", exclusions, "");
        wrap(s, "price alerts", countBy(byTopic, Topics.PRICE_ALERTS, n -> n.get("type").asText() + " " + n.get("pair").asText()), "");
        wrap(s, "dead letters", countBy(byTopic, Topics.DEAD_LETTER, n -> n.get("topic").asText() + " " + n.get("reason").asText()), "");
        divergence(s, byTopic);
        lifecycle(s, byTopic, config);
        return s.toString();
    }

    /** One line per closed or open incident, then the liquidations they held and what became of them. */
    private static void divergence(StringBuilder s, Map<String, List<OutputRecord>> byTopic) {
        List<String> rows = new ArrayList<>();
        Map<String, JsonNode> open = new TreeMap<>();
        for (OutputRecord r : records(byTopic, Topics.DIVERGENCE)) {
            JsonNode n = read(r);
            if ("DIVERGENCE_OPENED".equals(n.get("type").asText())) {
                open.put(n.get("incidentId").asText(), n);
            } else {
                open.remove(n.get("incidentId").asText());
                rows.add(String.format("  %-8s %-24s %-24s %9s %8d  %s", n.get("pair").asText(), n.get("openedAt").asText(),
                        n.get("eventTime").asText(), n.get("peakDivergence").asText(), n.get("durationSeconds").asLong() / 60,
                        n.get("closedBy").asText()));
            }
        }
        open.values().forEach(n -> rows.add(String.format("  %-8s %-24s %-24s %9s %8s  %s", n.get("pair").asText(),
                n.get("openedAt").asText(), "(still open)", n.get("peakDivergence").asText(), "-", "-")));
        if (rows.isEmpty()) {
            s.append("divergence incidents: none\n");
            return;
        }
        s.append("divergence incidents (primary oracle against the exchange TWAP): ").append(rows.size()).append('\n');
        s.append(String.format("  %-8s %-24s %-24s %9s %8s  %s%n", "pair", "opened", "closed", "peak", "minutes", "closed by"));
        rows.forEach(row -> s.append(row).append('\n'));

        // A hold for an incident, and the facility's next liquidation decision after it.
        Map<String, String> outcome = new TreeMap<>();
        for (OutputRecord r : records(byTopic, Topics.MARGIN_CALLS)) {
            JsonNode n = read(r);
            String type = n.get("type").asText();
            String facility = n.get("facilityId").asText();
            if ("LIQUIDATION_HELD".equals(type) && "DIVERGENCE_INCIDENT".equals(n.path("holdReason").asText())) {
                outcome.put(facility, "still held");
            } else if ("still held".equals(outcome.get(facility))
                    && (type.equals("LIQUIDATION_TRIGGERED") || type.equals("LIQUIDATION_RELEASED") || type.equals("LIQUIDATION_HELD"))) {
                outcome.put(facility, type);
            }
        }
        if (!outcome.isEmpty()) {
            Map<String, Integer> then = new TreeMap<>();
            outcome.values().forEach(o -> then.merge(o, 1, Integer::sum));
            wrap(s, "  liquidations held while an incident was open: " + outcome.size() + ", then", then, "");
        }
    }

    /** Lifecycle events by type, the first liquidation, and the worst facilities with their trigger prices. */
    private static void lifecycle(StringBuilder s, Map<String, List<OutputRecord>> byTopic, RiskConfig config) {
        Map<String, Integer> byType = new TreeMap<>();
        OutputRecord firstLiquidation = null;
        for (OutputRecord r : records(byTopic, Topics.MARGIN_CALLS)) {
            JsonNode n = read(r);
            byType.merge(n.get("type").asText(), 1, Integer::sum);
            // First in event time, key and id, not in arrival order: the same one on every run.
            if ("LIQUIDATION_TRIGGERED".equals(n.get("type").asText())
                    && (firstLiquidation == null || OutputRecord.ORDER.compare(r, firstLiquidation) < 0)) {
                firstLiquidation = r;
            }
        }
        wrap(s, "lifecycle events", byType, "");
        if (firstLiquidation != null) {
            JsonNode n = read(firstLiquidation);
            s.append(String.format("  first liquidation: %s %s %s, LTV %s at %s, sell %s of the collateral%n",
                    n.get("eventTime").asText(), n.get("facilityId").asText(), n.get("reason").asText(), n.get("ltv").asText(),
                    n.get("ltvPrice").asText(), n.get("liquidateCollateral").asText()));
        }

        List<JsonNode> worst = ReplaySummary.worstFacilities(records(byTopic, Topics.LTV), WORST);
        if (worst.isEmpty()) {
            return;
        }
        s.append("worst facilities (latest risk.ltv; the price at which each threshold is reached = debt per collateral / threshold)\n");
        s.append(String.format("  %-10s %-10s %-12s %9s %18s %12s %12s%n", "facility", "policy", "band", "ltv", "debt/collateral",
                "call price", "liq. price"));
        for (JsonNode n : worst) {
            BigDecimal perCollateral = new BigDecimal(n.get("debtPerCollateral").asText());
            PolicyConfig policy = config.policies().get(n.get("policy").asText());
            s.append(String.format("  %-10s %-10s %-12s %9s %18s %12s %12s%n", n.get("facilityId").asText(), n.get("policy").asText(),
                    n.get("band").asText(), n.get("ltv").asText(), perCollateral.setScale(2, RoundingMode.HALF_EVEN).toPlainString(),
                    policy == null ? "-" : perCollateral.divide(policy.marginCall(), 2, RoundingMode.DOWN).toPlainString(),
                    policy == null ? "-" : perCollateral.divide(policy.liquidation(), 2, RoundingMode.DOWN).toPlainString()));
        }
    }

    /**
     * {@code title: a 1, b 2; tail, more}, wrapped at {@link #WIDTH} under the first item; "none"
     * when there are no counts.
     */
    private static void wrap(StringBuilder s, String title, Map<String, Integer> counts, List<String> tail) {
        List<String> items = new ArrayList<>();
        counts.forEach((k, v) -> items.add(k + " " + v));
        if (items.isEmpty()) {
            items.add("none");
        }
        int counted = items.size();
        items.addAll(tail);
        String indent = " ".repeat(title.length() + 2);
        StringBuilder line = new StringBuilder(title).append(": ");
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i) + (i == items.size() - 1 ? "" : i == counted - 1 ? ";" : ",");
            if (line.length() > indent.length() && line.length() + item.length() > WIDTH) {
                s.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
            }
            line.append(item).append(' ');
        }
        s.append(line.toString().stripTrailing()).append('\n');
    }

    private static void wrap(StringBuilder s, String title, Map<String, Integer> counts, String tail) {
        wrap(s, title, counts, tail.isEmpty() ? List.of() : List.of(tail));
    }

    private static Map<String, Integer> countBy(Map<String, List<OutputRecord>> byTopic, String topic,
            java.util.function.Function<JsonNode, String> key) {
        return records(byTopic, topic).stream().map(DemoSummary::read)
                .collect(Collectors.toMap(key, n -> 1, Integer::sum, TreeMap::new));
    }

    private static List<OutputRecord> records(Map<String, List<OutputRecord>> byTopic, String topic) {
        return byTopic.getOrDefault(topic, List.of());
    }

    private static int size(Map<String, List<OutputRecord>> byTopic, String topic) {
        return records(byTopic, topic).size();
    }

    private static JsonNode read(OutputRecord r) {
        try {
            return Json.outputReader().readTree(r.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
