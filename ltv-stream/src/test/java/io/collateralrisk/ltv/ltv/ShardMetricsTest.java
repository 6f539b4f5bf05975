package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class ShardMetricsTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();

    /** Gauges by name and labels, such as {@code risk_facilities{pair=BTC-USD,band=WARNING,...}}. */
    private static final class Captured extends UnregisteredMetricsGroup {
        final Map<String, Gauge<?>> gauges;
        final String labels;

        Captured(Map<String, Gauge<?>> gauges, String labels) {
            this.gauges = gauges;
            this.labels = labels;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Captured(gauges, labels + (labels.isEmpty() ? "" : ",") + key + "=" + value);
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            assertThat(gauges.put(name + "{" + labels + "}", gauge)).as("registered once: " + name + labels).isNull();
            return gauge;
        }

        double value(String series) {
            Metric g = gauges.get(series);
            assertThat(g).as(series + " in " + gauges.keySet()).isNotNull();
            return ((Number) ((Gauge<?>) g).getValue()).doubleValue();
        }
    }

    @Test
    void aSweepAddsUpItsShardsFacilitiesAndEverySeriesExistsFromTheStart() {
        Captured group = new Captured(new TreeMap<>(), "");
        ShardMetrics metrics = new ShardMetrics(group, CONFIG);
        assertThat(group.value("risk_margin_calls_open{pair=BTC-USD,policy=standard}")).isZero();
        assertThat(group.value("risk_cure_deadline_seconds{pair=BTC-USD}")).isEqualTo(Double.POSITIVE_INFINITY);

        // At 20,000: A at LTV 0.50, B at 0.85 with a margin call due in an hour, C at 1.25 (under water).
        FacilityState a = FacilityStates.of("A", "standard", "bitgo", "1", "10000", Band.HEALTHY);
        FacilityState b = FacilityStates.of("B", "standard", "bitgo", "1", "17000", Band.MARGIN_CALL);
        b.cureDeadline = 3_600_000L;
        FacilityState c = FacilityStates.of("C", "tri-party", "anchorage", "2", "50000", Band.LIQUIDATION);
        c.liquidationId = "L-1";
        metrics.sweep("BTC-USD#0", "BTC-USD", List.of(a, b), CONFIG.policies(), new BigDecimal("20000"), 0, false);
        metrics.sweep("BTC-USD#1", "BTC-USD", List.of(c), CONFIG.policies(), new BigDecimal("20000"), 0, true);

        assertThat(group.value("risk_facilities{pair=BTC-USD,band=HEALTHY,policy=standard,custodian=bitgo}")).isEqualTo(1);
        assertThat(group.value("risk_exposure_debt{pair=BTC-USD,band=MARGIN_CALL,policy=standard,custodian=bitgo}")).isEqualTo(17000);
        assertThat(group.value("risk_exposure_collateral_value{pair=BTC-USD,band=LIQUIDATION,policy=tri-party,custodian=anchorage}")).isEqualTo(40000);
        assertThat(group.value("risk_expected_shortfall{pair=BTC-USD,policy=tri-party}")).isEqualTo(10000);
        assertThat(group.value("risk_expected_shortfall{pair=BTC-USD,policy=standard}")).isZero();
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=0.5}")).isEqualTo(1);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=0.9}")).isEqualTo(2);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=1.2}")).isEqualTo(2);
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=+Inf}")).isEqualTo(3);
        assertThat(group.value("risk_margin_calls_open{pair=BTC-USD,policy=standard}")).isEqualTo(1);
        assertThat(group.value("risk_cure_deadline_seconds{pair=BTC-USD}")).isEqualTo(3600);
        assertThat(group.value("risk_liquidations_pending{pair=BTC-USD}")).isEqualTo(1);
        assertThat(group.value("risk_circuit_breaker_open{pair=BTC-USD}")).isEqualTo(1);
        // A 20% fall (16,000): A reaches 0.625 (below margin call 0.80), B 1.06 (beyond liquidation 0.90).
        assertThat(group.value("risk_shock_facilities{pair=BTC-USD,shock=20,band=MARGIN_CALL}")).isEqualTo(2);
        assertThat(group.value("risk_shock_facilities{pair=BTC-USD,shock=20,band=LIQUIDATION}")).isEqualTo(2);
        assertThat(group.value("risk_shock_debt{pair=BTC-USD,shock=20,band=LIQUIDATION}")).isEqualTo(67000);
        assertThat(group.value("risk_shock_facilities{pair=BTC-USD,shock=10,band=MARGIN_CALL}")).isEqualTo(2);

        // The next sweep of shard 1 replaces its figures: the liquidation was booked, C closed.
        metrics.sweep("BTC-USD#1", "BTC-USD", List.of(), CONFIG.policies(), new BigDecimal("20000"), 0, false);
        assertThat(group.value("risk_liquidations_pending{pair=BTC-USD}")).isZero();
        assertThat(group.value("risk_circuit_breaker_open{pair=BTC-USD}")).isZero();
        assertThat(group.value("risk_ltv_distribution{pair=BTC-USD,le=+Inf}")).isEqualTo(2);
    }
}
