package io.collateralrisk.sinks.metrics;

import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * {@code risk_config_limit{pair, limit}}: the limits of the configuration in force that the alert
 * rules compare with (a source's maximum age, the watermark lag that pages, the circuit breaker),
 * so that the rules follow the job's configuration instead of repeating its numbers. Seconds for
 * durations, a count for the breaker's liquidations.
 */
public final class ConfigLimits {

    private ConfigLimits() {}

    /** Pair -> limit name -> value, for every configured pair. */
    public static Map<String, Map<String, Double>> of(RiskConfig config) {
        Map<String, Map<String, Double>> byPair = new TreeMap<>();
        config.pairs().forEach((name, pair) -> byPair.put(name, limits(config, pair)));
        return Map.copyOf(byPair);
    }

    private static Map<String, Double> limits(RiskConfig config, PairConfig pair) {
        Map<String, Double> l = new TreeMap<>();
        l.put("oracle_max_age_seconds", pair.maxAgeOracleMs() / 1000.0);
        l.put("exchange_max_age_seconds", pair.maxAgeExchangeMs() / 1000.0);
        l.put("watermark_lag_alert_seconds", config.watermarkLagAlertMs() / 1000.0);
        l.put("circuit_breaker_max_liquidations", (double) config.lifecycle().circuitBreakerMaxLiquidations());
        l.put("circuit_breaker_window_seconds", config.lifecycle().circuitBreakerWindowMs() / 1000.0);
        l.put("confirm_timeout_seconds", config.lifecycle().confirmTimeoutMs() / 1000.0);
        l.put("hold_escalate_after_seconds", config.lifecycle().holdEscalateAfterMs() / 1000.0);
        return Map.copyOf(l);
    }

    /** Registers one gauge per pair and limit; a job registers them once (one subtask). */
    static void register(MetricGroup metrics, Map<String, Map<String, Double>> limits) {
        limits.forEach((pair, byName) -> byName.forEach((name, value) ->
                metrics.addGroup("pair", pair).addGroup("limit", name).gauge("risk_config_limit", (Gauge<Double>) () -> value)));
    }
}
