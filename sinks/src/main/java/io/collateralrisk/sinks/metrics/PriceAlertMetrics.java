package io.collateralrisk.sinks.metrics;

import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.PriceAlert;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Turns each price alert into its output record, observing {@code risk_tick_to_event_seconds{type}}. */
public class PriceAlertMetrics extends ProcessFunction<PriceAlert, OutputRecord> {

    private transient TickToEventLatency latency;

    @Override
    public void open(OpenContext openContext) {
        latency = TickToEventLatency.register(getRuntimeContext().getMetricGroup(), List.of(PriceAlert.UNAVAILABLE, PriceAlert.RESTORED));
    }

    @Override
    public void processElement(PriceAlert a, Context ctx, Collector<OutputRecord> out) {
        latency.observe(a.type(), a.ingestedAt());
        out.collect(OutputRecord.of(a));
    }
}
