package io.collateralrisk.sinks.metrics;

import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.OutputRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each lifecycle event into its output record and counts it:
 * {@code risk_lifecycle_events{pair, type}}, every configured pair and type at zero from the start;
 * {@code risk_tick_to_event_seconds{type}} for the events a price evaluation decided; and {@code
 * risk_watermark_lag_seconds{stage="facilities"}} from every watermark (run it in a {@link WatermarkLagOperator}).
 */
public class LifecycleMetrics extends ProcessFunction<LifecycleEvent, OutputRecord> implements WatermarkObserver {

    private final List<String> pairs;
    private final List<String> types;

    private transient MetricGroup metrics;
    private transient Map<String, Counter> counters;
    private transient WatermarkLag lag;
    private transient TickToEventLatency latency;

    public LifecycleMetrics(List<String> pairs, List<String> types) {
        this.pairs = List.copyOf(pairs);
        this.types = List.copyOf(types);
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = getRuntimeContext().getMetricGroup();
        counters = new HashMap<>();
        lag = WatermarkLag.register(metrics, "facilities");
        latency = TickToEventLatency.register(metrics, types);
        for (String pair : pairs) {
            for (String type : types) {
                counter(pair, type);
            }
        }
    }

    @Override
    public void processElement(LifecycleEvent e, Context ctx, Collector<OutputRecord> out) {
        counter(e.pair(), e.type()).inc();
        latency.observe(e.type(), e.ingestedAt());
        out.collect(OutputRecord.of(e));
    }

    @Override
    public void onWatermark(long watermark) {
        lag.observe(watermark);
    }

    private Counter counter(String pair, String type) {
        return counters.computeIfAbsent(pair + "|" + type,
                k -> metrics.addGroup("pair", pair).addGroup("type", type).counter("risk_lifecycle_events"));
    }
}
