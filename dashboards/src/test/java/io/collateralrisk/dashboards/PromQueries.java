package io.collateralrisk.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every PromQL expression of the dashboards and the rules, as a list a test can evaluate against a
 * live Prometheus:
 *
 * <pre>{@code
 * DashboardFiles files = DashboardFiles.locate();
 * for (PromQuery q : PromQueries.all(files)) {
 *     String expr = q.resolve(PromQueries.pair("BTC-USD"));   // or q.resolveAll() for ".*"
 *     ... evaluate expr; unless q.mayBeEmpty(), expect data
 * }
 * }</pre>
 *
 * Panels are read from the generated dashboard JSON (nested rows included), template variables'
 * {@code label_values(series, label)} are turned into the PromQL Grafana runs for them
 * ({@code group by (label) (series)}), rules are read from the rule files.
 */
public final class PromQueries {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Pattern LABEL_VALUES =
            Pattern.compile("^\\s*label_values\\((?:(.*),)?\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)\\s*$", Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

    private PromQueries() {
    }

    /** Template variable values for one pair; the others stay "All". */
    public static Map<String, String> pair(String pair) {
        return Map.of("pair", pair);
    }

    /** Everything: every dashboard's panels and variables, then the recording and alerting rules. */
    public static List<PromQuery> all(DashboardFiles files) {
        List<PromQuery> all = new ArrayList<>();
        all.addAll(dashboards(files));
        all.addAll(rules(files));
        return all;
    }

    /** The panel and variable queries of every dashboard JSON file. */
    public static List<PromQuery> dashboards(DashboardFiles files) {
        List<PromQuery> all = new ArrayList<>();
        for (Path json : files.grafanaDashboards()) {
            all.addAll(dashboard(json, files.root().relativize(json).toString()));
        }
        return all;
    }

    /**
     * The series names the recording rules write: what the panels read, so what a live test waits
     * for (each needs two samples of its inputs and then an evaluation of its group).
     */
    public static List<String> recordedSeries(DashboardFiles files) {
        return rules(files).stream()
                .filter(r -> r.kind() == PromQuery.Kind.RECORDING_RULE)
                .map(r -> r.location().substring(r.location().indexOf(" / ") + 3))
                .toList();
    }

    /** The recording and alerting rules of both rule files. */
    public static List<PromQuery> rules(DashboardFiles files) {
        List<PromQuery> all = new ArrayList<>();
        for (Path rules : files.ruleFiles()) {
            all.addAll(rules(rules, files.root().relativize(rules).toString()));
        }
        return all;
    }

    /** The panel queries (every target with an expr, in nested rows too) and variable queries of one dashboard. */
    public static List<PromQuery> dashboard(Path json, String name) {
        JsonNode root = read(JSON, json);
        String uid = root.path("uid").asText("?");
        List<PromQuery> out = new ArrayList<>();
        collectPanels(root.path("panels"), uid, name, out);
        for (JsonNode v : root.path("templating").path("list")) {
            if (!"query".equals(v.path("type").asText())) {
                continue;
            }
            JsonNode q = v.path("query");
            String query = q.isObject() ? q.path("query").asText("") : q.asText("");
            String expr = variableToPromQL(query);
            if (!expr.isBlank()) {
                out.add(new PromQuery(PromQuery.Kind.VARIABLE, name, uid + " / $" + v.path("name").asText(), expr));
            }
        }
        return out;
    }

    private static void collectPanels(JsonNode panels, String uid, String file, List<PromQuery> out) {
        for (JsonNode panel : panels) {
            for (JsonNode t : panel.path("targets")) {
                String expr = t.path("expr").asText("");
                if (!expr.isBlank()) {
                    out.add(new PromQuery(PromQuery.Kind.PANEL, file,
                            uid + " / " + panel.path("title").asText("") + " / " + t.path("refId").asText(""), expr));
                }
            }
            collectPanels(panel.path("panels"), uid, file, out);
        }
    }

    /**
     * The PromQL behind a Grafana Prometheus variable query: {@code label_values(series, label)}
     * lists the label's values on the series, i.e. {@code group by (label) (series)};
     * {@code query_result(expr)} is the expression itself.
     */
    public static String variableToPromQL(String query) {
        Matcher lv = LABEL_VALUES.matcher(query);
        if (lv.matches()) {
            String label = lv.group(2);
            String series = lv.group(1) == null || lv.group(1).isBlank() ? "{" + label + "!=\"\"}" : lv.group(1).trim();
            return "group by (" + label + ") (" + series + ")";
        }
        Matcher qr = QUERY_RESULT.matcher(query);
        if (qr.matches()) {
            return qr.group(1).trim();
        }
        return query.trim();
    }

    /** The rules of one Prometheus rule file. */
    public static List<PromQuery> rules(Path yaml, String name) {
        JsonNode root = read(YAML, yaml);
        List<PromQuery> out = new ArrayList<>();
        for (JsonNode group : root.path("groups")) {
            String g = group.path("name").asText();
            for (JsonNode rule : group.path("rules")) {
                String expr = rule.path("expr").asText("").trim();
                if (rule.hasNonNull("record")) {
                    out.add(new PromQuery(PromQuery.Kind.RECORDING_RULE, name, g + " / " + rule.get("record").asText(), expr));
                } else if (rule.hasNonNull("alert")) {
                    out.add(new PromQuery(PromQuery.Kind.ALERTING_RULE, name, g + " / " + rule.get("alert").asText(), expr));
                }
            }
        }
        return out;
    }

    static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
