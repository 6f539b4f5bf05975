package io.collateralrisk.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.model.OutputRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A readable account of a run: what came out, per topic, type and reason. */
public final class ReplaySummary {

    private ReplaySummary() {}

    public static String render(Replay.Result result, RiskConfig config, Path outDir) {
        return render(result.byTopic(), result.eventTimeHorizon(), config, outDir);
    }

    public static String render(Map<String, List<OutputRecord>> byTopic, long horizon, RiskConfig config, Path outDir) {
        StringBuilder s = new StringBuilder();
        s.append("Event time ends at ").append(horizon == Long.MIN_VALUE ? "-" : Times.format(horizon)).append('\n');
        s.append('\n').append(String.format("%-24s %10s%n", "output topic", "records"));
        for (String topic : Topics.OUTPUTS) {
            s.append(String.format("%-24s %10d%n", topic, byTopic.getOrDefault(topic, List.of()).size()));
        }

        Map<String, Integer> status = new TreeMap<>();
        Map<String, Integer> exclusions = new TreeMap<>();
        for (OutputRecord r : byTopic.getOrDefault(Topics.REFERENCE_PRICES, List.of())) {
            JsonNode n = read(r);
            status.merge(n.get("status").asText(), 1, Integer::sum);
            for (JsonNode e : n.get("excluded")) {
                exclusions.merge(e.get("reason").asText() + " " + e.get("source").asText(), 1, Integer::sum);
            }
        }
        section(s, "Reference prices by status", status);
        section(s, "Exclusions by reason and source", exclusions);

        s.append("\nPrice alerts\n");
        List<OutputRecord> alerts = byTopic.getOrDefault(Topics.PRICE_ALERTS, List.of());
        if (alerts.isEmpty()) {
            s.append("  none\n");
        }
        for (OutputRecord r : alerts) {
            JsonNode n = read(r);
            s.append(String.format("  %s  %-18s %s%n", n.get("eventTime").asText(), n.get("type").asText(), n.get("pair").asText()));
        }

        Map<String, Integer> reasons = new TreeMap<>();
        for (OutputRecord r : byTopic.getOrDefault(Topics.DEAD_LETTER, List.of())) {
            JsonNode n = read(r);
            reasons.merge(n.get("topic").asText() + " " + n.get("reason").asText(), 1, Integer::sum);
        }
        section(s, "Dead letters by topic and reason", reasons);
        divergence(s, byTopic);
        lifecycle(s, byTopic, config);
        if (outDir != null) {
            s.append("\nOutput files: ").append(outDir.toAbsolutePath()).append("/<topic>.jsonl\n");
        }
        return s.toString();
    }

    /** Each incident, its peak and duration; the liquidations held during incidents and what became of them. */
    private static void divergence(StringBuilder s, Map<String, List<OutputRecord>> byTopic) {
        List<OutputRecord> incidents = byTopic.getOrDefault(Topics.DIVERGENCE, List.of());
        if (incidents.isEmpty()) {
            return;
        }
        s.append("\nDivergence incidents (primary oracle against the exchange TWAP)\n");
        s.append(String.format("  %-8s %-24s %-24s %10s %-24s %10s  %s%n", "pair", "opened", "closed", "peak", "peak at", "minutes", "closed by"));
        Map<String, JsonNode> open = new TreeMap<>();
        for (OutputRecord r : incidents) {
            JsonNode n = read(r);
            if ("DIVERGENCE_OPENED".equals(n.get("type").asText())) {
                open.put(n.get("incidentId").asText(), n);
            } else {
                open.remove(n.get("incidentId").asText());
                s.append(String.format("  %-8s %-24s %-24s %10s %-24s %10d  %s%n", n.get("pair").asText(),
                        n.get("openedAt").asText(), n.get("eventTime").asText(), n.get("peakDivergence").asText(),
                        n.get("peakAt").asText(), n.get("durationSeconds").asLong() / 60, n.get("closedBy").asText()));
            }
        }
        open.values().forEach(n -> s.append(String.format("  %-8s %-24s %-24s %10s %-24s %10s  %s%n", n.get("pair").asText(),
                n.get("openedAt").asText(), "(still open)", n.get("peakDivergence").asText(), n.get("peakAt").asText(), "-", "-")));

        // Holds for an incident, and the facility's next liquidation decision after each.
        Map<String, String> outcome = new TreeMap<>();
        Map<String, String> heldAt = new TreeMap<>();
        for (OutputRecord r : byTopic.getOrDefault(Topics.MARGIN_CALLS, List.of())) {
            JsonNode n = read(r);
            String type = n.get("type").asText();
            String facility = n.get("facilityId").asText();
            if ("LIQUIDATION_HELD".equals(type) && "DIVERGENCE_INCIDENT".equals(n.get("holdReason").asText())) {
                heldAt.put(facility, n.get("eventTime").asText());
                outcome.put(facility, "still held");
            } else if (outcome.containsKey(facility) && "still held".equals(outcome.get(facility))
                    && (type.equals("LIQUIDATION_TRIGGERED") || type.equals("LIQUIDATION_RELEASED") || type.equals("LIQUIDATION_HELD"))) {
                outcome.put(facility, type + " at " + n.get("eventTime").asText());
            }
        }
        if (!heldAt.isEmpty()) {
            Map<String, Integer> counts = new TreeMap<>();
            outcome.values().forEach(o -> counts.merge(o.startsWith("LIQUIDATION_") ? o.substring(0, o.indexOf(' ')) : o, 1, Integer::sum));
            s.append("\nLiquidations held while an incident was open: ").append(heldAt.size()).append(", then ").append(counts).append('\n');
            heldAt.entrySet().stream().limit(5).forEach(e -> s.append(String.format("  %-10s held %s -> %s%n", e.getKey(), e.getValue(), outcome.get(e.getKey()))));
        }
    }

    /** Margin calls, cures and liquidations; the worst facilities; deadlines left running. */
    private static void lifecycle(StringBuilder s, Map<String, List<OutputRecord>> byTopic, RiskConfig config) {
        List<OutputRecord> events = byTopic.getOrDefault(Topics.MARGIN_CALLS, List.of());
        List<OutputRecord> ltv = byTopic.getOrDefault(Topics.LTV, List.of());
        if (events.isEmpty() && ltv.isEmpty()) {
            return;
        }
        Map<String, Integer> byType = new TreeMap<>();
        List<JsonNode> liquidations = new ArrayList<>();
        for (OutputRecord r : events) {
            JsonNode n = read(r);
            byType.merge(n.get("type").asText(), 1, Integer::sum);
            if ("LIQUIDATION_TRIGGERED".equals(n.get("type").asText())) {
                liquidations.add(n);
            }
        }
        section(s, "Lifecycle events by type", byType);

        if (!liquidations.isEmpty()) {
            s.append("\nLiquidations triggered (first 10)\n");
            s.append(String.format("  %-24s %-10s %-12s %10s %14s %16s%n", "time", "facility", "reason", "ltv", "price", "sell collateral"));
            liquidations.stream().limit(10).forEach(n -> s.append(String.format("  %-24s %-10s %-12s %10s %14s %16s%n",
                    n.get("eventTime").asText(), n.get("facilityId").asText(), n.get("reason").asText(),
                    n.get("ltv").asText(), n.get("ltvPrice").asText(), n.get("liquidateCollateral").asText())));
        }

        List<JsonNode> worst = worstFacilities(ltv, 10);
        if (!worst.isEmpty()) {
            s.append("\nWorst facilities by debt per unit of collateral (their latest risk.ltv line; LTV = debtPerCollateral / price)\n");
            s.append(String.format("  %-10s %-10s %-12s %10s %18s %14s %14s%n", "facility", "policy", "band", "ltv",
                    "debtPerCollateral", "call price", "liq. price"));
            for (JsonNode n : worst) {
                // The price at which LTV reaches a threshold: debtPerCollateral / threshold, rounded down.
                BigDecimal perCollateral = new BigDecimal(n.get("debtPerCollateral").asText());
                PolicyConfig policy = config.policies().get(n.get("policy").asText());
                s.append(String.format("  %-10s %-10s %-12s %10s %18s %14s %14s%n", n.get("facilityId").asText(),
                        n.get("policy").asText(), n.get("band").asText(), n.get("ltv").asText(), perCollateral.toPlainString(),
                        perCollateral.divide(policy.marginCall(), 2, RoundingMode.DOWN).toPlainString(),
                        perCollateral.divide(policy.liquidation(), 2, RoundingMode.DOWN).toPlainString()));
            }
        }

        List<OutputRecord> unfired = byTopic.getOrDefault(Replay.UNFIRED_DEADLINES, List.of());
        s.append("\nCure deadlines after the last input time (not fired): ").append(unfired.size()).append('\n');
        unfired.stream().limit(10).forEach(r -> {
            JsonNode n = read(r);
            s.append(String.format("  %-10s deadline %s%n", n.get("facilityId").asText(), n.get("cureDeadline").asText()));
        });
    }

    private static void section(StringBuilder s, String title, Map<String, Integer> counts) {
        s.append('\n').append(title).append('\n');
        if (counts.isEmpty()) {
            s.append("  none\n");
        }
        counts.forEach((k, v) -> s.append(String.format("  %-40s %8d%n", k, v)));
    }

    /**
     * The latest {@code risk.ltv} line of each facility still open, worst first by debt per unit of
     * collateral (a facility without debt is never listed); Kafka tombstones are skipped, the closing
     * line before them already removed the facility.
     */
    public static List<JsonNode> worstFacilities(List<OutputRecord> ltv, int limit) {
        Map<String, JsonNode> latest = new TreeMap<>();
        for (OutputRecord r : ltv) {
            if (r.tombstone()) {
                continue;
            }
            JsonNode n = read(r);
            if (n.get("closed").asBoolean()) {
                latest.remove(n.get("facilityId").asText());
            } else {
                latest.put(n.get("facilityId").asText(), n);
            }
        }
        return latest.values().stream()
                .filter(n -> !n.get("debtPerCollateral").isNull())
                .sorted(Comparator.comparing((JsonNode n) -> new BigDecimal(n.get("debtPerCollateral").asText())).reversed())
                .limit(limit)
                .toList();
    }

    private static JsonNode read(OutputRecord r) {
        try {
            return Json.outputReader().readTree(r.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
