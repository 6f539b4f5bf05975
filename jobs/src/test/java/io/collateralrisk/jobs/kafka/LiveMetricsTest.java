package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.dashboards.DashboardFiles;
import io.collateralrisk.dashboards.PromQueries;
import io.collateralrisk.dashboards.PromQuery;
import io.collateralrisk.dashboards.PrometheusServer;
import io.collateralrisk.dashboards.PrometheusTools;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.config.RiskConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job's metrics, live, against the dashboards. One real day (10 March 2023: Coinbase,
 * Binance.US and Kraken candles, the Binance.US BTC-USDC leg as oracle), a small generated loan
 * book and a few malformed records are published to a real KRaft broker and read by
 * {@link KafkaPipeline} on a MiniCluster with unbounded sources, so the job stays up and its series
 * exist while they are scraped. Flink's Prometheus reporter exports its metrics; a real Prometheus,
 * on the committed configuration and rules (intervals shortened to 1 s, the targets file pointed
 * at the reporter), scrapes them.
 *
 * <p>Every panel and variable query of every dashboard and every recording rule must be accepted
 * by Prometheus and return series (with the variables at "All" and at {@code pair=BTC-USD});
 * alerting rules and queries of {@code ALERTS} must be accepted ({@link PromQuery#mayBeEmpty()}).
 * The catalogue of {@code dashboards/README.md} and the {@code risk_} metrics the reporter exports
 * must be the same set.
 */
class LiveMetricsTest {

    /** The reporter's name of an operator metric, group keys included, and the catalogue name in it. */
    private static final Pattern OPERATOR_METRIC = Pattern.compile("flink_taskmanager_job_task_operator_(?:[A-Za-z0-9]+_)*?(risk_.+)");
    private static final Pattern TYPE_LINE = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$");
    private static final Pattern CATALOGUE_ROW = Pattern.compile("(?m)^\\| `(risk_[a-z0-9_]+)` \\|(.*)$");
    private static final int PORTS = 10;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static DashboardFiles files;
    private static KafkaTestCluster kafka;
    private static JobClient job;
    private static TickHeartbeat feed;
    private static List<Integer> reporterPorts;
    private static PrometheusServer prometheus;
    /** The loan book's facility ids. */
    private static Set<String> book;

    @BeforeAll
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    static void runTheJobAndScrapeIt() throws Exception {
        files = DashboardFiles.locate();
        PrometheusTools.ensureInstalled(files);
        kafka = KafkaTestCluster.start();
        RealDay day = RealDay.load();
        day.publish(kafka);
        book = day.facilityIds();
        long horizon = day.horizon();

        int firstPort = PrometheusServer.freePort();
        Configuration conf = RiskJob.baseConfiguration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", firstPort + "-" + (firstPort + PORTS - 1));
        conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        KafkaPipeline.build(env, kafka.bootstrapServers(), "live-metrics", RiskConfig.defaults(),
                DeliveryGuarantee.AT_LEAST_ONCE, false, horizon, null);
        job = env.executeAsync("live metrics");
        // A live feed keeps ticking after the day: past the horizon, so nothing more is evaluated,
        // but the price clock stays active while the quiet inputs are marked idle.
        feed = new TickHeartbeat(kafka.bootstrapServers(), RealDay.PAIR, Map.of("coinbase", "20000.00", "kraken", "20001.00"),
                horizon + 1_000);

        // Live, decisions run on the price clock alone (price partitions without ticks go idle after
        // live.idleTimeout); the day is evaluated, and the next sweep (every 10 s) registers the
        // book's gauges. The wait covers the MiniCluster's start and the day's first evaluations on
        // a loaded 2-core machine; it ends as soon as the gauges are there.
        reporterPorts = awaitReporter(firstPort, Duration.ofSeconds(180));

        prometheus = PrometheusServer.startOnCommittedConfig(files, reporterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
        // Rates need two samples in their window, a recording rule an evaluation of its group after
        // that; the panels read the recorded series, so every one of them must exist first.
        List<String> recorded = PromQueries.recordedSeries(files);
        assertThat(recorded).hasSizeGreaterThan(30);
        prometheus.await(Duration.ofSeconds(90),
                () -> recorded.stream().allMatch(name -> prometheus.count(name) > 0)
                        && prometheus.count("flink_jobmanager_job_lastCheckpointDuration") > 0,
                "every recording rule's series, and Flink's checkpoint metrics");
    }

    @AfterAll
    static void stop() throws Exception {
        if (feed != null) {
            feed.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (job != null) {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the MiniCluster goes with the JVM
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyPanelVariableAndRuleQueryReturnsSeries() {
        assertThat(prometheus.count("up{job=\"flink\"} == 1")).isEqualTo(reporterPorts.size());
        List<String> failures = new ArrayList<>();
        int withData = 0;
        for (PromQuery q : PromQueries.all(files)) {
            for (Map<String, String> values : List.of(Map.<String, String>of(), PromQueries.pair(RealDay.PAIR))) {
                String expr = q.resolve(values);
                try {
                    int n = prometheus.count(expr);
                    if (n > 0) {
                        withData++;
                    } else if (!q.mayBeEmpty()) {
                        failures.add("no series: " + q.location() + "\n    " + expr);
                    }
                } catch (RuntimeException e) {
                    failures.add("refused: " + q.location() + "\n    " + e.getMessage());
                }
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(withData).isGreaterThan(150);
        assertThat(prometheus.ruleErrors()).isEmpty();
    }

    @Test
    void tickToEventLatencyIsObservedFromTheKafkaReadToThePricesAndTheMarginCallsTheyCause() {
        for (String type : List.of("REFERENCE_PRICE", "MARGIN_CALL_ISSUED")) {
            assertThat(value("sum(risk_tick_to_event_seconds_count{type=\"" + type + "\"})")).as(type + " events observed").isPositive();
            double median = value("max(risk_tick_to_event_seconds{type=\"" + type + "\", quantile=\"0.5\"})");
            // Live, the day waits for the quiet input to be marked idle: seconds, not hours.
            assertThat(median).as(type + " median latency, seconds").isPositive().isLessThan(600);
        }
    }

    private static double value(String expr) {
        JsonNode result = prometheus.query(expr).path("result");
        assertThat(result).as(expr).hasSize(1);
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    @Test
    void theWatchlistNamesTheBooksWorstFacilitiesAtMostTwentyPerSubtask() {
        JsonNode series = prometheus.query("risk_watchlist_ltv").path("result");
        Map<String, Integer> perSubtask = new TreeMap<>();
        for (JsonNode s : series) {
            JsonNode labels = s.path("metric");
            assertThat(labels.path("pair").asText()).isEqualTo(RealDay.PAIR);
            assertThat(book).contains(labels.path("facility").asText());
            assertThat(Double.parseDouble(s.path("value").get(1).asText())).isPositive();
            perSubtask.merge(labels.path("subtask_index").asText(), 1, Integer::sum);
        }
        assertThat(perSubtask.values()).isNotEmpty().allMatch(n -> n <= 20);
        // The book's 60 facilities all borrow: the dashboard's top 20 is full.
        assertThat(prometheus.count("topk(20, max by (pair, facility) (risk_watchlist_ltv))")).isEqualTo(20);
    }

    @Test
    void theCatalogueIsWhatTheJobExports() throws Exception {
        Set<String> documented = documented();
        Set<String> exported = new TreeSet<>();
        for (int port : reporterPorts) {
            exported.addAll(exportedRiskMetrics(scrape(port)));
        }
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(exported);
        Set<String> undocumented = new TreeSet<>(exported);
        undocumented.removeAll(documented);
        assertThat(missing).as("documented in dashboards/README.md, not exported by the job").isEmpty();
        assertThat(undocumented).as("exported by the job, not in the catalogue of dashboards/README.md").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------

    /** The catalogue's metric names (dashboards/README.md, section "Metric catalogue"). */
    private static Set<String> documented() throws IOException {
        String readme = Files.readString(files.root().resolve("README.md"));
        int start = readme.indexOf("## Metric catalogue");
        assertThat(start).as("the README has a metric catalogue").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        Matcher m = CATALOGUE_ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).hasSizeGreaterThan(20);
        return names;
    }

    /** The catalogue names of the operator metrics in a scrape (metric families; a summary's {@code _count} is its own). */
    static Set<String> exportedRiskMetrics(String exposition) {
        Set<String> names = new TreeSet<>();
        Matcher m = TYPE_LINE.matcher(exposition);
        while (m.find()) {
            Matcher op = OPERATOR_METRIC.matcher(m.group(1));
            if (op.matches()) {
                names.add(op.group(1));
            }
        }
        return names;
    }

    /** The ports of the range the reporter listens on, once its exposition holds the sweep's gauges. */
    private static List<Integer> awaitReporter(int firstPort, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Integer> open = new ArrayList<>();
            Set<String> seen = new TreeSet<>();
            boolean swept = false;
            for (int port = firstPort; port < firstPort + PORTS; port++) {
                String body = tryScrape(port);
                if (body != null) {
                    open.add(port);
                    seen.addAll(exportedRiskMetrics(body));
                    swept |= body.contains("_risk_facilities{") && body.contains("_risk_exposure_debt{");
                }
            }
            if (swept) {
                return open;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no reporter on ports " + firstPort + "-" + (firstPort + PORTS - 1)
                        + " with the sweep's metrics after " + timeout.toSeconds() + " s (open: " + open + ", risk metrics: " + seen + ", job "
                        + job.getJobStatus().get(5, TimeUnit.SECONDS) + ")");
            }
            Thread.sleep(1000);
        }
    }

    private static String tryScrape(int port) {
        try {
            return scrape(port);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode());
        }
        return r.body();
    }
}
