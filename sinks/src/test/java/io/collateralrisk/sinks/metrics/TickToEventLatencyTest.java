package io.collateralrisk.sinks.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class TickToEventLatencyTest {

    private static final long READ_AT = 1_709_294_400_000L;

    /** Histograms by name and labels, such as {@code risk_tick_to_event_seconds{type=REFERENCE_PRICE}}. */
    private static final class Captured extends UnregisteredMetricsGroup {
        final Map<String, Histogram> histograms;
        final String labels;

        Captured(Map<String, Histogram> histograms, String labels) {
            this.histograms = histograms;
            this.labels = labels;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Captured(histograms, labels + (labels.isEmpty() ? "" : ",") + key + "=" + value);
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            assertThat(histograms.put(name + "{" + labels + "}", histogram)).as("registered once: " + name + labels).isNull();
            return histogram;
        }

        Histogram of(String type) {
            Histogram h = histograms.get("risk_tick_to_event_seconds{type=" + type + "}");
            assertThat(h).as(type + " in " + histograms.keySet()).isNotNull();
            return h;
        }
    }

    @Test
    void everyTypeHasItsSeriesFromTheStartLabelledByTypeAlone() {
        Captured group = new Captured(new TreeMap<>(), "");
        TickToEventLatency.register(group, List.of("MARGIN_CALL_ISSUED", "LTV_WARNING"));
        assertThat(group.histograms).containsOnlyKeys(
                "risk_tick_to_event_seconds{type=LTV_WARNING}", "risk_tick_to_event_seconds{type=MARGIN_CALL_ISSUED}");
        assertThat(group.of("LTV_WARNING").getCount()).isZero();
    }

    @Test
    void recordsTheWallClockSinceTheTickWasReadInSeconds() {
        Captured group = new Captured(new TreeMap<>(), "");
        TickToEventLatency latency = TickToEventLatency.register(group, List.of("REFERENCE_PRICE"));

        latency.observe("REFERENCE_PRICE", READ_AT, READ_AT + 1_250);

        Histogram h = group.of("REFERENCE_PRICE");
        assertThat(h.getCount()).isEqualTo(1);
        assertThat(h.getStatistics().getQuantile(0.5)).isEqualTo(1.25);
    }

    @Test
    void anEventNoTickCausedIsNotObserved() {
        Captured group = new Captured(new TreeMap<>(), "");
        TickToEventLatency latency = TickToEventLatency.register(group, List.of("LIQUIDATION_UNCONFIRMED"));

        latency.observe("LIQUIDATION_UNCONFIRMED", 0, READ_AT);

        assertThat(group.of("LIQUIDATION_UNCONFIRMED").getCount()).isZero();
    }

    @Test
    void aClockBehindTheSourcesCountsAsNoLatency() {
        Captured group = new Captured(new TreeMap<>(), "");
        TickToEventLatency latency = TickToEventLatency.register(group, List.of("DIVERGENCE_OPENED"));

        latency.observe("DIVERGENCE_OPENED", READ_AT, READ_AT - 40);

        assertThat(group.of("DIVERGENCE_OPENED").getStatistics().getQuantile(0.5)).isZero();
    }

    @Test
    void aTypeNotKnownAtTheStartGetsItsSeriesAtItsFirstEvent() {
        Captured group = new Captured(new TreeMap<>(), "");
        TickToEventLatency latency = TickToEventLatency.register(group, List.of());

        latency.observe("PRICE_RESTORED", READ_AT, READ_AT + 500);
        latency.observe("PRICE_RESTORED", READ_AT, READ_AT + 700);

        assertThat(group.of("PRICE_RESTORED").getCount()).isEqualTo(2);
    }
}
