package io.collateralrisk.sinks.metrics;

import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.OutputRecord;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each divergence event into its output record, observing {@code
 * risk_tick_to_event_seconds{type}}: openings only in practice, as a close is a timer's or an
 * operator's (its series stays at count 0).
 */
public class DivergenceEventMetrics extends ProcessFunction<DivergenceEvent, OutputRecord> {

    private transient TickToEventLatency latency;

    @Override
    public void open(OpenContext openContext) {
        latency = TickToEventLatency.register(
                getRuntimeContext().getMetricGroup(), List.of(DivergenceEvent.OPENED, DivergenceEvent.CLOSED));
    }

    @Override
    public void processElement(DivergenceEvent e, Context ctx, Collector<OutputRecord> out) {
        latency.observe(e.type(), e.ingestedAt());
        out.collect(OutputRecord.of(e));
    }
}
