package io.collateralrisk.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus and Alertmanager files as their own tools read them: promtool check config,
 * check rules and test rules (the unit tests in prometheus/tests), amtool check-config and the
 * route every alert takes. Installs the tools first when they are missing (bin/ensure-prometheus).
 */
class PrometheusConfigTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> SEVERITIES = Set.of("page", "ticket", "info");
    private static final Set<String> OWNERS = Set.of("risk-desk", "platform");
    /** What blocks a margin call or a liquidation pages the risk desk. */
    private static final Set<String> BLOCKING = Set.of(
            "RiskPriceUnavailable", "RiskDivergenceIncidentOpen", "RiskPrimaryStale",
            "RiskCircuitBreakerOpen", "RiskLiquidationHoldEscalated", "RiskLiquidationUnconfirmed");

    private static DashboardFiles files;

    @BeforeAll
    static void tools() {
        files = DashboardFiles.locate();
        PrometheusTools.ensureInstalled(files);
    }

    @Test
    void prometheusConfigurationIsValidWithItsRuleFiles() {
        PrometheusTools.Result r = PrometheusTools.promtool(files.prometheusDir(), "check", "config", "prometheus.yml");
        assertThat(r.ok()).as(r.describe()).isTrue();
        assertThat(r.output()).contains("2 rule files found");
    }

    @Test
    void rulesAreValid() {
        PrometheusTools.Result r = PrometheusTools.promtool(files.prometheusDir(),
                "check", "rules", "rules/recording.yml", "rules/alerts.yml");
        assertThat(r.ok()).as(r.describe()).isTrue();
    }

    @Test
    void ruleUnitTestsPass() {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        files.ruleTests().forEach(t -> args.add(files.prometheusDir().relativize(t).toString()));
        assertThat(args).hasSizeGreaterThan(2);
        PrometheusTools.Result r = PrometheusTools.promtool(files.prometheusDir(), args.toArray(String[]::new));
        assertThat(r.ok()).as(r.describe()).isTrue();
        assertThat(r.output()).doesNotContain("FAILED");
    }

    @Test
    void everyAlertIsTestedFiringAndNotFiring() throws IOException {
        Map<String, int[]> cases = new LinkedHashMap<>(); // alert -> {firing, silent}
        Set<String> testedExprs = new HashSet<>();
        for (Path t : files.ruleTests()) {
            // Jackson's YAML reader takes no .inf; only names and expressions are read here.
            JsonNode root = YAML.readTree(Files.readString(t).replace(": .inf", ": \"inf\""));
            for (JsonNode test : root.path("tests")) {
                for (JsonNode a : test.path("alert_rule_test")) {
                    int[] c = cases.computeIfAbsent(a.path("alertname").asText(), k -> new int[2]);
                    c[a.path("exp_alerts").isEmpty() ? 1 : 0]++;
                }
                for (JsonNode e : test.path("promql_expr_test")) {
                    testedExprs.add(e.path("expr").asText().trim());
                }
            }
        }
        for (PromQuery rule : PromQueries.rules(files)) {
            String name = rule.location().substring(rule.location().indexOf(" / ") + 3);
            if (rule.kind() == PromQuery.Kind.ALERTING_RULE) {
                assertThat(cases).as("promtool tests of " + name).containsKey(name);
                assertThat(cases.get(name)[0]).as(name + " tested firing").isPositive();
                assertThat(cases.get(name)[1]).as(name + " tested not firing").isPositive();
            } else {
                assertThat(testedExprs).as("a promql_expr_test of the recording rule " + name).contains(name);
            }
        }
    }

    @Test
    void everyAlertHasSeverityOwnerAndAnnotationsWithARunbookSection() throws IOException {
        String runbook = Files.readString(files.runbook());
        Set<String> anchors = new HashSet<>();
        Matcher h = Pattern.compile("(?m)^#{2,3} +(.+)$").matcher(runbook);
        while (h.find()) {
            anchors.add(githubAnchor(h.group(1)));
        }
        int alerts = 0;
        for (JsonNode group : YAML.readTree(files.alertingRules().toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                alerts++;
                JsonNode labels = rule.path("labels");
                JsonNode ann = rule.path("annotations");
                assertThat(SEVERITIES).as(name + " severity").contains(labels.path("severity").asText());
                assertThat(OWNERS).as(name + " owner").contains(labels.path("owner").asText());
                assertThat(ann.path("summary").asText()).as(name + " summary").isNotBlank();
                assertThat(ann.path("description").asText()).as(name + " description").hasSizeGreaterThan(40);
                String url = ann.path("runbook_url").asText();
                assertThat(url).as(name + " runbook_url").startsWith("dashboards/RUNBOOK.md#");
                String anchor = url.substring(url.indexOf('#') + 1);
                assertThat(anchor).as(name + " runbook anchor").isEqualTo(name.toLowerCase(Locale.ROOT));
                assertThat(anchors).as("RUNBOOK.md has a section " + name).contains(anchor);
                if (BLOCKING.contains(name)) {
                    assertThat(labels.path("severity").asText()).as(name + " blocks liquidations: pages").isEqualTo("page");
                    assertThat(labels.path("owner").asText()).as(name + " blocks liquidations: risk desk").isEqualTo("risk-desk");
                }
            }
        }
        assertThat(alerts).isGreaterThanOrEqualTo(15);
    }

    @Test
    void alertmanagerConfigurationIsValid() {
        PrometheusTools.Result r = PrometheusTools.amtool(files.alertmanagerConfig().getParent(),
                "check-config", "alertmanager.yml");
        assertThat(r.ok()).as(r.describe()).isTrue();
    }

    @Test
    void everyAlertRoutesToItsSeverityAndOwnersReceiver() throws IOException {
        for (JsonNode group : YAML.readTree(files.alertingRules().toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String severity = rule.path("labels").path("severity").asText();
                String owner = rule.path("labels").path("owner").asText();
                String expected = switch (severity) {
                    case "page" -> owner + "-pager";
                    case "ticket" -> owner + "-tickets";
                    default -> "info-chat";
                };
                PrometheusTools.Result r = PrometheusTools.amtool(files.alertmanagerConfig().getParent(),
                        "config", "routes", "test", "--config.file=alertmanager.yml",
                        "--verify.receivers=" + expected,
                        "alertname=" + rule.path("alert").asText(), "severity=" + severity, "owner=" + owner,
                        "pair=BTC-USD");
                assertThat(r.ok()).as(rule.path("alert").asText() + " -> " + expected + "\n" + r.describe()).isTrue();
            }
        }
    }

    /** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
    static String githubAnchor(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }
}
