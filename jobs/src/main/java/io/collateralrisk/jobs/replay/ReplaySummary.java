package io.collateralrisk.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.model.OutputRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A readable account of a run: what came out, per topic, type and reason. */
public final class ReplaySummary {

    private ReplaySummary() {}

    public static String render(Replay.Result result, Path outDir) {
        return render(result.byTopic(), result.eventTimeHorizon(), outDir);
    }

    public static String render(Map<String, List<OutputRecord>> byTopic, long horizon, Path outDir) {
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
        if (outDir != null) {
            s.append("\nOutput files: ").append(outDir.toAbsolutePath()).append("/<topic>.jsonl\n");
        }
        return s.toString();
    }

    private static void section(StringBuilder s, String title, Map<String, Integer> counts) {
        s.append('\n').append(title).append('\n');
        if (counts.isEmpty()) {
            s.append("  none\n");
        }
        counts.forEach((k, v) -> s.append(String.format("  %-40s %8d%n", k, v)));
    }

    private static JsonNode read(OutputRecord r) {
        try {
            return Json.outputReader().readTree(r.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
