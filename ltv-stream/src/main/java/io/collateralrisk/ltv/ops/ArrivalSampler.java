package io.collateralrisk.ltv.ops;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Live only, chained after an input's watermarks: says that records of {@code topic} arrive, at
 * most once per {@link #EVERY_MS} of wall clock per subtask, so that watching the input's clock
 * costs nothing per record. The watermarks pass through to {@link WatermarkStallWatch}.
 */
public class ArrivalSampler<T> extends ProcessFunction<T, String> {

    static final long EVERY_MS = 1_000;

    private final String topic;
    private transient boolean sent;
    private transient long last;

    public ArrivalSampler(String topic) {
        this.topic = topic;
    }

    @Override
    public void processElement(T value, Context ctx, Collector<String> out) {
        long now = ctx.timerService().currentProcessingTime();
        if (!sent || now - last >= EVERY_MS) {
            sent = true;
            last = now;
            out.collect(topic);
        }
    }
}
