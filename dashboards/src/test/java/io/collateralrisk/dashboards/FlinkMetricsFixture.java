package io.collateralrisk.dashboards;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Prometheus reporter of a Flink task manager and job manager running the risk
 * job: serves, on a loopback port, every metric of the catalogue (dashboards/README.md) the way
 * Flink's reporter names them, with Flink's scope labels, for two pairs and two subtasks. Operator
 * metrics registered in key/value groups carry the group keys in their names
 * ({@code flink_taskmanager_job_task_operator_pair_band_..._risk_facilities}), others not
 * ({@code flink_taskmanager_job_task_operator_risk_dead_letters}): the scrape configuration must
 * turn both into the catalogue's names. Counters grow at every scrape.
 */
public final class FlinkMetricsFixture implements AutoCloseable {

    public static final List<String> PAIRS = List.of("BTC-USD", "ETH-USD");
    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    private static final String JOB = "collateral-risk";

    private final HttpServer server;
    private final AtomicInteger scrapes = new AtomicInteger();

    private FlinkMetricsFixture(HttpServer server) {
        this.server = server;
    }

    public static FlinkMetricsFixture start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FlinkMetricsFixture fixture = new FlinkMetricsFixture(server);
        server.createContext("/metrics", exchange -> {
            byte[] body = fixture.exposition(fixture.scrapes.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // Alertmanager's API, so that Prometheus has somewhere to send alerts.
        server.createContext("/api/v2/alerts", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return fixture;
    }

    /** host:port to scrape. */
    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int scrapes() {
        return scrapes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ------------------------------------------------------------------------------------------

    /** The text exposition at the n-th scrape. */
    String exposition(int n) {
        Exposition e = new Exposition();
        for (int s = 0; s < 2; s++) {
            Map<String, String> scope = operatorScope(s);
            for (String pair : PAIRS) {
                boolean pricePath = PAIRS.indexOf(pair) == s; // the price path of a pair runs on one subtask
                if (pricePath) {
                    prices(e, scope, pair, n);
                }
                book(e, scope, pair, s, n);
            }
            Map<String, String> reason = with(scope, "reason", "MISSING_FIELD");
            e.add(OPERATOR + "reason_risk_dead_letters", reason, 3.0 * n);
            e.add(OPERATOR + "reason_risk_dead_letters", with(scope, "reason", "LATE_EVENT"), n);
            e.add(OPERATOR + "stage_risk_watermark_lag_seconds", with(scope, "stage", "prices"), 2 + s);
            e.add(OPERATOR + "stage_risk_watermark_lag_seconds", with(scope, "stage", "facilities"), 4 + s);
            if (s == 0) {
                e.add(OPERATOR + "input_risk_watermark_stalled", with(scope, "input", "prices"), 0); // the watch runs on one subtask
            }
            e.add(OPERATOR + "risk_metrics_sweep_seconds", scope, 0.05 + 0.01 * s);
            for (String type : List.of("REFERENCE_PRICE", "MARGIN_CALL_ISSUED")) {
                Map<String, String> t = with(scope, "type", type);
                for (String q : List.of("0.5", "0.75", "0.95", "0.98", "0.99", "0.999")) {
                    e.add(OPERATOR + "type_risk_tick_to_event_seconds", with(t, "quantile", q), 0.05 * (1 + Double.parseDouble(q)));
                }
                e.add(OPERATOR + "type_risk_tick_to_event_seconds_count", t, 10.0 * n);
            }
            e.add(OPERATOR + "risk_config_info",
                    with(with(scope, "config_hash", "5f2c7a9e"), "code_version", "0.1.0-SNAPSHOT"), 1);
            e.add(OPERATOR + "numRecordsInPerSecond", scope, 100 + 10 * s);
            e.add(OPERATOR + "KafkaSourceReader_KafkaConsumer_records_lag_max", scope, 7 + s);
        }
        Map<String, String> jm = new LinkedHashMap<>();
        jm.put("host", "localhost");
        jm.put("job_id", "9b0c4d0e8a1f4b2c8d3e5f6a7b8c9d0e");
        jm.put("job_name", JOB);
        e.add("flink_jobmanager_job_lastCheckpointDuration", jm, 350);
        e.add("flink_jobmanager_job_lastCheckpointSize", jm, 1.5e6);
        e.add("flink_jobmanager_job_numberOfFailedCheckpoints", jm, 0);
        e.add("flink_jobmanager_job_numRestarts", jm, 0);
        e.add("flink_jobmanager_job_uptime", jm, 60000.0 + n * 1000.0);
        return e.text();
    }

    private static void prices(Exposition e, Map<String, String> scope, String pair, int n) {
        double base = pair.startsWith("BTC") ? 50000 : 3000;
        Map<String, String> p = with(scope, "pair", pair);
        String[][] sources = {{"chainlink", "ORACLE"}, {"binance", "EXCHANGE"}, {"kraken", "EXCHANGE"}};
        for (int i = 0; i < sources.length; i++) {
            Map<String, String> src = with(p, "source", sources[i][0]);
            e.add(OPERATOR + "pair_source_risk_price_ticks_accepted", src, 20.0 * n);
            e.add(OPERATOR + "pair_source_risk_price_ticks_late", src, i == 2 ? n : 0);
            e.add(OPERATOR + "pair_source_kind_risk_price_source", with(src, "kind", sources[i][1]), base * (1 + 0.001 * i));
            e.add(OPERATOR + "pair_source_risk_price_source_age_seconds", src, i == 0 ? 1800 : 3);
            e.add(OPERATOR + "pair_source_reason_risk_price_excluded", with(src, "reason", "STALE"), 0);
            e.add(OPERATOR + "pair_source_reason_risk_price_excluded", with(src, "reason", "OUTLIER"), i == 2 ? n / 2.0 : 0);
        }
        e.add(OPERATOR + "pair_status_risk_price_evaluations", with(p, "status", "OK"), 30.0 * n);
        e.add(OPERATOR + "pair_status_risk_price_evaluations", with(p, "status", "UNAVAILABLE"), 0);
        e.add(OPERATOR + "pair_measure_risk_price_reference", with(p, "measure", "ltv"), base);
        e.add(OPERATOR + "pair_measure_risk_price_reference", with(p, "measure", "median"), base);
        e.add(OPERATOR + "pair_measure_risk_price_reference", with(p, "measure", "twap"), base * 0.999);
        e.add(OPERATOR + "pair_measure_risk_price_reference", with(p, "measure", "primary"), base * 1.001);
        e.add(OPERATOR + "pair_risk_price_available", p, 1);
        e.add(OPERATOR + "pair_risk_divergence_ratio", p, 0.002);
        e.add(OPERATOR + "pair_risk_divergence_incident_open", p, 0);
        e.add(OPERATOR + "pair_risk_divergence_incidents_opened", p, 1);
    }

    private static void book(Exposition e, Map<String, String> scope, String pair, int s, int n) {
        Map<String, String> p = with(scope, "pair", pair);
        String[] bands = {"HEALTHY", "WARNING", "MARGIN_CALL", "LIQUIDATION"};
        for (String policy : List.of("standard", "tri-party")) {
            for (String custodian : List.of("anchorage", "bitgo")) {
                for (int b = 0; b < bands.length; b++) {
                    Map<String, String> l = with(with(with(p, "band", bands[b]), "policy", policy), "custodian", custodian);
                    double count = 40 >> b;
                    e.add(OPERATOR + "pair_band_policy_custodian_risk_facilities", l, count);
                    e.add(OPERATOR + "pair_band_policy_custodian_risk_exposure_debt", l, count * 60000);
                    e.add(OPERATOR + "pair_band_policy_custodian_risk_exposure_collateral_value", l, count * 100000 * (1 - 0.1 * b));
                }
            }
            Map<String, String> pol = with(p, "policy", policy);
            e.add(OPERATOR + "pair_policy_risk_expected_shortfall", pol, s == 0 ? 1250.5 : 0);
            e.add(OPERATOR + "pair_policy_risk_margin_calls_open", pol, 3 + s);
        }
        String[] le = {"0.5", "0.6", "0.7", "0.8", "0.9", "1.0", "1.2", "+Inf"};
        double cumulative = 0;
        for (int i = 0; i < le.length; i++) {
            cumulative += 12 - i;
            e.add(OPERATOR + "pair_le_risk_ltv_distribution", with(p, "le", le[i]), cumulative);
        }
        for (String shock : List.of("10", "20", "30")) {
            for (String band : List.of("MARGIN_CALL", "LIQUIDATION")) {
                Map<String, String> l = with(with(p, "shock", shock), "band", band);
                double f = Integer.parseInt(shock) / (band.equals("LIQUIDATION") ? 5.0 : 2.0);
                e.add(OPERATOR + "pair_shock_band_risk_shock_facilities", l, f);
                e.add(OPERATOR + "pair_shock_band_risk_shock_debt", l, f * 55000);
            }
        }
        e.add(OPERATOR + "pair_risk_cure_deadline_seconds", p, s == 0 ? 5400 : Double.POSITIVE_INFINITY);
        e.add(OPERATOR + "pair_risk_liquidations_pending", p, 1);
        e.add(OPERATOR + "pair_risk_liquidations_unconfirmed", p, 0);
        for (String reason : List.of("PRICE_UNAVAILABLE", "DIVERGENCE_INCIDENT", "CIRCUIT_BREAKER")) {
            e.add(OPERATOR + "pair_reason_risk_liquidations_held", with(p, "reason", reason), 0);
        }
        e.add(OPERATOR + "pair_risk_liquidations_escalated", p, 0);
        e.add(OPERATOR + "pair_risk_circuit_breaker_open", p, 0);
        for (String type : List.of("LTV_WARNING", "MARGIN_CALL_ISSUED", "MARGIN_CALL_CURED", "LIQUIDATION_TRIGGERED")) {
            e.add(OPERATOR + "pair_type_risk_lifecycle_events", with(p, "type", type), type.startsWith("LIQ") ? n / 4.0 : n);
        }
        for (int worst = 1; worst <= 20; worst++) {
            Map<String, String> l = with(p, "facility", "F-" + pair.substring(0, 3) + "-" + s + "-" + worst);
            e.add(OPERATOR + "pair_watchlist_facility_risk_watchlist_ltv", l, 0.95 - 0.01 * worst - 0.001 * s);
        }
    }

    private static Map<String, String> operatorScope(int subtask) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("host", "localhost");
        m.put("tm_id", "tm-1");
        m.put("job_id", "9b0c4d0e8a1f4b2c8d3e5f6a7b8c9d0e");
        m.put("job_name", JOB);
        m.put("task_id", "cbc357ccb763df2852fee8c4fc7d55f2");
        m.put("task_name", "lifecycle");
        m.put("task_attempt_id", "attempt-" + subtask);
        m.put("task_attempt_num", "0");
        m.put("operator_id", "4bf7c1955ffe56e2106d666433eaf137");
        m.put("operator_name", "lifecycle");
        m.put("subtask_index", String.valueOf(subtask));
        return m;
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(labels);
        m.put(key, value);
        return m;
    }

    /** Series grouped by metric name, written with one TYPE line each (as gauges, like Flink's reporter). */
    private static final class Exposition {
        private final Map<String, List<String>> families = new LinkedHashMap<>();

        void add(String name, Map<String, String> labels, double value) {
            List<String> parts = new ArrayList<>();
            labels.forEach((k, v) -> parts.add(k + "=\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
            families.computeIfAbsent(name, k -> new ArrayList<>())
                    .add(name + "{" + String.join(",", parts) + "} " + format(value));
        }

        private static String format(double v) {
            if (Double.isNaN(v)) {
                return "NaN";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "+Inf" : "-Inf";
            }
            return Double.toString(v);
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            families.forEach((name, lines) -> {
                String type = name.endsWith("risk_tick_to_event_seconds") ? "summary" : "gauge";
                if (!name.endsWith("_count")) {
                    sb.append("# HELP ").append(name).append(' ').append(name).append('\n');
                    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
                }
                lines.forEach(l -> sb.append(l).append('\n'));
            });
            return sb.toString();
        }
    }
}
