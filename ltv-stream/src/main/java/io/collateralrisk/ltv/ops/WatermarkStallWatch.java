package io.collateralrisk.ltv.ops;

import io.collateralrisk.model.OpsAlert;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Live only: watches an input's clock on the wall clock. Keyed by input topic, at parallelism 1,
 * fed with the input's arrivals ({@link ArrivalSampler}, at most one per source subtask and second)
 * after its watermarks, so this operator's watermark is the clock every stage downstream of the
 * input runs on. A processing-time timer checks it every {@link #CHECK_MS} whether records arrive
 * or not ({@link ClockStallRule}); {@code risk_watermark_stalled{input}} is 1 while it is stalled.
 */
public class WatermarkStallWatch extends KeyedProcessFunction<String, String, OpsAlert> {

    static final long CHECK_MS = 1_000;

    private final ClockStallRule rule;
    private final String topic;

    private transient ValueState<ClockWatch> watch;
    /** The next check: the one processing-time timer of the chain, kept across restores. */
    private transient ValueState<Long> nextCheck;
    /** Keys watched since this subtask started. */
    private transient Set<String> started;
    private transient volatile boolean stalled;

    public WatermarkStallWatch(String topic, long thresholdMs, String configHash) {
        this.topic = topic;
        this.rule = new ClockStallRule(topic, thresholdMs, configHash);
    }

    @Override
    public void open(OpenContext openContext) {
        watch = getRuntimeContext().getState(new ValueStateDescriptor<>("clock-watch", TypeInformation.of(ClockWatch.class)));
        nextCheck = getRuntimeContext().getState(new ValueStateDescriptor<>("next-check", Types.LONG));
        started = new HashSet<>();
        getRuntimeContext().getMetricGroup().addGroup("input", topic).gauge("risk_watermark_stalled", (Gauge<Integer>) () -> stalled ? 1 : 0);
    }

    @Override
    public void processElement(String input, Context ctx, Collector<OpsAlert> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        ClockWatch w = current(now, ctx.getCurrentKey());
        rule.arrived(w, now);
        watch.update(w);
        if (nextCheck.value() == null) {
            schedule(now + CHECK_MS, ctx);
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<OpsAlert> out) throws Exception {
        Long due = nextCheck.value();
        if (due == null || due != t) {
            return; // a timer the chain has since replaced
        }
        long now = ctx.timerService().currentProcessingTime();
        ClockWatch w = current(now, ctx.getCurrentKey());
        OpsAlert alert = rule.check(w, now, ctx.timerService().currentWatermark());
        watch.update(w);
        stalled = w.stalled;
        if (alert != null) {
            out.collect(alert);
        }
        schedule(Math.max(t, now) + CHECK_MS, ctx);
    }

    private ClockWatch current(long now, String key) throws Exception {
        ClockWatch w = watch.value();
        if (w == null) {
            w = new ClockWatch();
            w.movedAt = now;
        }
        if (started.add(key)) {
            rule.started(w, now);
            stalled = w.stalled;
        }
        return w;
    }

    private void schedule(long at, Context ctx) throws Exception {
        nextCheck.update(at);
        ctx.timerService().registerProcessingTimeTimer(at);
    }
}
