package io.collateralrisk.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link PromQueries} finds every query of every panel, variable and rule, and resolves them. */
class PromQueriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DashboardFiles files = DashboardFiles.locate();

    @Test
    void findsEveryPanelQueryOfEveryDashboard() throws IOException {
        List<Path> dashboards = files.grafanaDashboards();
        assertThat(dashboards).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("risk-overview.json", "price-feeds.json", "pipeline-health.json");
        List<PromQuery> panels = PromQueries.dashboards(files).stream()
                .filter(q -> q.kind() == PromQuery.Kind.PANEL).toList();
        // Counted independently of the JSON walk: every "expr" key in the files is a panel query.
        int exprKeys = 0;
        for (Path d : dashboards) {
            Matcher m = Pattern.compile("\"expr\"\\s*:").matcher(Files.readString(d));
            while (m.find()) {
                exprKeys++;
            }
        }
        assertThat(panels).hasSize(exprKeys);
        assertThat(panels).hasSizeGreaterThan(60);
        for (Path d : dashboards) {
            String name = files.root().relativize(d).toString();
            assertThat(panels).as(name).anyMatch(q -> q.file().equals(name));
        }
        assertThat(panels).extracting(PromQuery::location).doesNotHaveDuplicates();
        assertThat(panels).anyMatch(q -> q.expr().startsWith("topk(20, max by (pair, facility) (risk_watchlist_ltv"));
    }

    @Test
    void everyPanelHasQueriesADescriptionAndThePinnedDatasource() throws IOException {
        Set<String> queried = new HashSet<>();
        PromQueries.dashboards(files).forEach(q -> queried.add(q.location().substring(0, q.location().lastIndexOf(" / "))));
        for (Path d : files.grafanaDashboards()) {
            JsonNode root = JSON.readTree(d.toFile());
            String uid = root.path("uid").asText();
            for (JsonNode panel : root.path("panels")) {
                if ("row".equals(panel.path("type").asText())) {
                    continue;
                }
                String title = panel.path("title").asText();
                assertThat(queried).as(uid + ": " + title + " has a query").contains(uid + " / " + title);
                assertThat(panel.path("description").asText()).as(uid + ": " + title + " description").hasSizeGreaterThan(40);
                assertThat(panel.path("datasource").path("uid").asText()).as(uid + ": " + title).isEqualTo("risk-prometheus");
                for (JsonNode t : panel.path("targets")) {
                    assertThat(t.path("datasource").path("uid").asText()).isEqualTo("risk-prometheus");
                }
            }
            Set<String> variables = new HashSet<>();
            root.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
            assertThat(variables).as(uid + " variables").contains("pair");
        }
    }

    @Test
    void findsVariablesAsThePromQLGrafanaRuns() {
        List<PromQuery> variables = PromQueries.dashboards(files).stream()
                .filter(q -> q.kind() == PromQuery.Kind.VARIABLE).toList();
        assertThat(variables).extracting(PromQuery::location)
                .contains("risk-overview / $pair", "risk-overview / $policy", "risk-price-feeds / $source");
        assertThat(variables).extracting(PromQuery::expr)
                .contains("group by (pair) (risk_price_available)", "group by (policy) (risk_facilities)");
        assertThat(PromQueries.variableToPromQL("label_values(job)")).isEqualTo("group by (job) ({job!=\"\"})");
        assertThat(PromQueries.variableToPromQL("query_result(up == 1)")).isEqualTo("up == 1");
    }

    @Test
    void findsEveryRule() throws IOException {
        List<PromQuery> rules = PromQueries.rules(files);
        long records = countLines(files.recordingRules(), "^\\s*- record:");
        long alerts = countLines(files.alertingRules(), "^\\s*- alert:");
        assertThat(rules.stream().filter(q -> q.kind() == PromQuery.Kind.RECORDING_RULE)).hasSize((int) records);
        assertThat(rules.stream().filter(q -> q.kind() == PromQuery.Kind.ALERTING_RULE)).hasSize((int) alerts);
        assertThat(rules).allMatch(q -> !q.expr().isBlank());
        assertThat(rules).filteredOn(q -> q.kind() == PromQuery.Kind.ALERTING_RULE).allMatch(PromQuery::mayBeEmpty);
        assertThat(rules).filteredOn(q -> q.kind() == PromQuery.Kind.RECORDING_RULE).noneMatch(PromQuery::mayBeEmpty);
    }

    @Test
    void resolvesTemplateAndIntervalVariables() {
        PromQuery q = new PromQuery(PromQuery.Kind.PANEL, "f", "l",
                "sum by (pair) (increase(x{pair=~\"$pair\", policy=~\"${policy}\", s=~\"[[source]]\"}[$__rate_interval])) / $__range_s");
        assertThat(q.resolveAll())
                .isEqualTo("sum by (pair) (increase(x{pair=~\".*\", policy=~\".*\", s=~\".*\"}[5m])) / 3600");
        assertThat(q.resolve(PromQueries.pair("BTC-USD")))
                .isEqualTo("sum by (pair) (increase(x{pair=~\"BTC-USD\", policy=~\".*\", s=~\".*\"}[5m])) / 3600");
        assertThat(q.resolve(Map.of("pair", "ETH-USD", "policy", "tri-party")))
                .contains("pair=~\"ETH-USD\"", "policy=~\"tri-party\"");
        for (PromQuery any : PromQueries.all(files)) {
            assertThat(any.resolve(PromQueries.pair("BTC-USD"))).as(any.toString()).doesNotContain("$", "[[");
        }
    }

    @Test
    void onlyAlertsQueriesMayBeEmpty() {
        assertThat(new PromQuery(PromQuery.Kind.PANEL, "f", "l", "sum by (alertname) (ALERTS{alertstate=\"firing\"})").mayBeEmpty()).isTrue();
        assertThat(new PromQuery(PromQuery.Kind.PANEL, "f", "l", "count(ALERTS) or vector(0)").mayBeEmpty()).isFalse();
        assertThat(new PromQuery(PromQuery.Kind.PANEL, "f", "l", "risk:facilities:sum_by_band").mayBeEmpty()).isFalse();
    }

    private static long countLines(Path file, String regex) throws IOException {
        Pattern p = Pattern.compile(regex);
        return Files.readAllLines(file).stream().filter(l -> p.matcher(l).find()).count();
    }
}
