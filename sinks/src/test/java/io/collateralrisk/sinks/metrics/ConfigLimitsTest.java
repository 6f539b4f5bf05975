package io.collateralrisk.sinks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.config.RiskConfig;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class ConfigLimitsTest {

    /** Gauges by name and labels, such as {@code risk_config_limit{pair=BTC-USD,limit=...}}. */
    private static final class Captured extends UnregisteredMetricsGroup {
        final Map<String, Object> values;
        final String labels;

        Captured(Map<String, Object> values, String labels) {
            this.values = values;
            this.labels = labels;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Captured(values, labels + (labels.isEmpty() ? "" : ",") + key + "=" + value);
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            assertThat(values.put(name + "{" + labels + "}", gauge.getValue())).as("registered once: " + name + labels).isNull();
            return gauge;
        }
    }

    @Test
    void theDefaultLimitsAreThoseTheAlertsWereWrittenFor() {
        Map<String, Object> exported = new TreeMap<>();
        ConfigLimits.register(new Captured(exported, ""), ConfigLimits.of(RiskConfig.defaults()));

        String btc = "risk_config_limit{pair=BTC-USD,limit=";
        assertThat(exported).containsEntry(btc + "oracle_max_age_seconds}", 3900.0)
                .containsEntry(btc + "exchange_max_age_seconds}", 120.0)
                .containsEntry(btc + "watermark_lag_alert_seconds}", 300.0)
                .containsEntry(btc + "circuit_breaker_max_liquidations}", 100.0)
                .containsEntry(btc + "circuit_breaker_window_seconds}", 900.0)
                .containsEntry(btc + "confirm_timeout_seconds}", 1800.0)
                .containsEntry(btc + "hold_escalate_after_seconds}", 1800.0);
        // Every configured pair has every limit.
        assertThat(exported).hasSize(7 * RiskConfig.defaults().pairs().size());
    }
}
