package io.collateralrisk.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus, started on the committed configuration and rules (only the scrape and
 * evaluation intervals shortened and the target list pointed at a stand-in), scrapes
 * {@link FlinkMetricsFixture}: every catalogue metric named the way Flink's reporter names it.
 * Checks that the renaming gives the catalogue's names, that every recording rule records, and
 * that every panel and variable query of the dashboards is accepted and returns data, for "All"
 * and for one pair.
 */
class LivePrometheusTest {

    private static FlinkMetricsFixture flink;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws IOException {
        DashboardFiles files = DashboardFiles.locate();
        PrometheusTools.ensureInstalled(files);
        flink = FlinkMetricsFixture.start();
        prometheus = PrometheusServer.startOnCommittedConfig(files, List.of(flink.target()));
        // Rates need two samples in their window, recording rules one evaluation after that.
        List<String> recorded = PromQueries.recordedSeries(files);
        prometheus.await(Duration.ofSeconds(90),
                () -> recorded.stream().allMatch(name -> prometheus.count(name) > 0),
                "every recording rule's series");
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (flink != null) {
            flink.close();
        }
    }

    @Test
    void operatorMetricsArriveUnderTheirCatalogueNames() {
        assertThat(prometheus.count("up{job=\"flink\"} == 1")).isEqualTo(1);
        for (String metric : List.of("risk_facilities", "risk_exposure_debt", "risk_ltv_distribution",
                "risk_price_source", "risk_price_reference", "risk_dead_letters", "risk_watermark_lag_seconds", "risk_watermark_stalled",
                "risk_tick_to_event_seconds", "risk_tick_to_event_seconds_count", "risk_config_info",
                "risk_watchlist_ltv", "risk_lifecycle_events")) {
            assertThat(prometheus.count(metric)).as(metric).isPositive();
        }
        assertThat(prometheus.count("{__name__=~\"flink_taskmanager_job_task_operator_.*risk_.*\"}"))
                .as("operator risk metrics left under their Flink names").isZero();
        assertThat(prometheus.count("flink_taskmanager_job_task_operator_numRecordsInPerSecond"))
                .as("Flink's own metrics keep their names").isPositive();
        assertThat(prometheus.count("risk_facilities{task_attempt_num!=\"\"}"))
                .as("attempt labels dropped").isZero();
        JsonNode series = prometheus.query("risk_ltv_distribution{pair=\"BTC-USD\", le=\"+Inf\"}").path("result");
        assertThat(series).isNotEmpty();
        assertThat(series.get(0).path("metric").path("subtask_index").asText()).isNotEmpty();
    }

    @Test
    void everyRecordingRuleRecords() {
        assertThat(prometheus.ruleErrors()).isEmpty();
        for (PromQuery rule : PromQueries.rules(DashboardFiles.locate())) {
            if (rule.kind() == PromQuery.Kind.RECORDING_RULE) {
                String record = rule.location().substring(rule.location().indexOf(" / ") + 3);
                assertThat(prometheus.count(record)).as(record).isPositive();
            }
        }
    }

    @Test
    void everyDashboardQueryReturnsData() {
        List<String> failures = new ArrayList<>();
        int evaluated = 0;
        for (PromQuery q : PromQueries.all(DashboardFiles.locate())) {
            for (Map<String, String> values : List.of(Map.<String, String>of(), PromQueries.pair("BTC-USD"))) {
                String expr = q.resolve(values);
                try {
                    int n = prometheus.count(expr);
                    evaluated++;
                    if (n == 0 && !q.mayBeEmpty()) {
                        failures.add("no data: " + q.location() + "\n    " + expr);
                    }
                } catch (RuntimeException e) {
                    failures.add("refused: " + q.location() + "\n    " + e.getMessage());
                }
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(evaluated).isGreaterThan(150);
    }

    @Test
    void nothingFiresOnAHealthyBook() {
        // The stand-in reports a healthy pipeline and book except one cure deadline 90 min away.
        prometheus.await(Duration.ofSeconds(30), () -> prometheus.ruleErrors().isEmpty(), "rule evaluations");
        JsonNode firing = prometheus.query("ALERTS{alertstate=\"firing\"}").path("result");
        List<String> names = new ArrayList<>();
        firing.forEach(a -> names.add(a.path("metric").path("alertname").asText()));
        assertThat(names).isEmpty();
    }
}
