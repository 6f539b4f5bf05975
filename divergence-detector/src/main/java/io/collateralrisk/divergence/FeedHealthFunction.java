package io.collateralrisk.divergence;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.DivergenceResolved;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.DivergenceConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The feed-health stage of the per-pair chain, keyed by pair: it decides whether a divergence
 * incident is open and which price the LTV stage uses.
 *
 * <pre>
 *  evaluation(t) ----+
 *  IncidentSignal(t) -+--&gt; buffered until the watermark passes t --&gt; at t, in this order:
 *  DIVERGENCE_RESOLVED+      1. close if quiet since q and q + reconcileAfter &lt;= t (RECONCILED)
 *                            2. close on a resolution naming the open incident (RESOLVED)
 *                            3. open on a signal of the opening pattern (decided by the reading at t)
 *                            4. the evaluation's reading: peak, quiet tracking; REFERENCE_PRICE out with
 *                               incidentOpen and, while open, the lowest of primary, TWAP and median
 * </pre>
 *
 * The opening pattern runs in CEP upstream ({@link DivergencePatterns}); its signal for a reading
 * at {@code t} reaches this operator before the watermark passes {@code t}, so the evaluation at
 * {@code t} always sees the incident its own reading opened, in replay and live alike. A primary
 * going stale gives no readings, which neither extends nor ends the quiet period.
 *
 * <p>The watermark is kept in operator state as well: after a restore the watermark starts again
 * from nothing, and a control event at an instant already processed is still taken at once, not
 * buffered behind evaluations that came after it.
 */
public class FeedHealthFunction extends KeyedProcessFunction<String, FeedHealthInput, ReferencePrice> implements CheckpointedFunction {

    public static final OutputTag<DivergenceEvent> INCIDENTS = new OutputTag<>("incidents", TypeInformation.of(DivergenceEvent.class));
    public static final OutputTag<DeadLetter> REFUSED = new OutputTag<>("control-refused", TypeInformation.of(DeadLetter.class));

    private final RiskConfig config;
    private final long eventTimeHorizon;

    private transient ValueState<Incident> incident;
    private transient MapState<Long, List<FeedHealthInput>> pending;
    /**
     * The highest watermark an input or a timer saw (what the operator has processed up to), and
     * the one of the state restored (the lowest of its subtasks').
     */
    private transient long watermarkSeen = Long.MIN_VALUE;
    private transient long restoredWatermark = Long.MIN_VALUE;
    private transient ListState<Long> watermarks;
    /** risk_divergence_incidents_opened per pair: every configured pair at 0 from the start. */
    private transient Map<String, Counter> opened;

    public FeedHealthFunction(RiskConfig config, long eventTimeHorizon) {
        this.config = config;
        this.eventTimeHorizon = eventTimeHorizon;
    }

    @Override
    public void open(OpenContext openContext) {
        incident = getRuntimeContext().getState(new ValueStateDescriptor<>("incident", TypeInformation.of(Incident.class)));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "pending", Types.LONG, new ListTypeInfo<>(TypeInformation.of(FeedHealthInput.class))));
        opened = new HashMap<>();
        config.pairs().keySet().forEach(this::openedCounter);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watermarkSeen = Long.MIN_VALUE;
        restoredWatermark = Long.MIN_VALUE;
        watermarks = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("watermark", Types.LONG));
        if (context.isRestored()) {
            long lowest = Long.MAX_VALUE;
            for (Long w : watermarks.get()) {
                lowest = Math.min(lowest, w);
            }
            restoredWatermark = lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watermarks.update(List.of(Math.max(watermarkSeen, restoredWatermark)));
    }

    @Override
    public void processElement(FeedHealthInput input, Context ctx, Collector<ReferencePrice> out) throws Exception {
        long t = input.eventTime();
        long watermark = ctx.timerService().currentWatermark();
        watermarkSeen = Math.max(watermarkSeen, watermark);
        if (t <= Math.max(watermark, restoredWatermark)) {
            // A late control event, or the evaluation of a pair whose ticks were read behind other
            // partitions (evaluated at its own instants once the watermark moves on).
            process(t, List.of(input), ctx, out);
            return;
        }
        List<FeedHealthInput> atT = pending.get(t);
        if (atT == null) {
            atT = new ArrayList<>(2);
            ctx.timerService().registerEventTimeTimer(t);
        }
        atT.add(input);
        pending.put(t, atT);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<ReferencePrice> out) throws Exception {
        if (t > eventTimeHorizon) {
            return;
        }
        watermarkSeen = Math.max(watermarkSeen, ctx.timerService().currentWatermark());
        List<FeedHealthInput> inputs = pending.get(t);
        if (inputs != null) {
            pending.remove(t);
        }
        process(t, inputs == null ? List.of() : inputs, ctx, out);
    }

    private void process(long t, List<FeedHealthInput> inputs, Context ctx, Collector<ReferencePrice> out) throws Exception {
        DivergenceConfig d = config.divergence();
        ReferencePrice evaluation = null;
        for (FeedHealthInput in : inputs) {
            if (in.evaluation() != null) {
                evaluation = in.evaluation();
            }
        }
        DivergenceReading reading = evaluation == null ? null : DivergenceMath.reading(evaluation, d.threshold());
        Incident open = incident.value();

        // 1. Reconciled: quiet for reconcileAfter, unless a reading at this very instant diverges again.
        if (open != null && open.quietSince != null && open.quietSince + d.reconcileAfterMs() <= t
                && (reading == null || !reading.above())) {
            close(open, open.quietSince + d.reconcileAfterMs(), "RECONCILED", null, null, reading, ctx);
            open = null;
        }
        // 2. Resolved by an operator.
        for (FeedHealthInput in : inputs) {
            DivergenceResolved r = in.resolved();
            if (r == null) {
                continue;
            }
            if (open != null && open.incidentId.equals(r.incidentId())) {
                // A late resolution stamped before the opening closes it at its opening, never before.
                close(open, Math.max(t, open.openedAt), "RESOLVED", r.resolvedBy(), r.reason(), reading, ctx);
                open = null;
            } else {
                ctx.output(REFUSED, DeadLetter.of(t, Topics.RISK_CONTROL, in.location(), "UNKNOWN_INCIDENT",
                        "no open incident " + r.incidentId() + " on " + r.pair(), in.payload()));
            }
        }
        // 3. Opened by the pattern's signal for a reading at t: the reading of the evaluation at t,
        //    so that evaluation's ticks caused the opening.
        for (FeedHealthInput in : inputs) {
            if (in.signal() != null && open == null) {
                open = open(in.signal(), evaluation == null ? 0 : evaluation.ingestedAt(), ctx);
            }
        }
        // 4. The evaluation at t, priced with the incident state decided up to and including t.
        if (open != null && reading != null) {
            open.lastPrimary = reading.primary();
            open.lastTwap = reading.twap();
            open.lastMedian = reading.median();
            if (reading.divergence().compareTo(open.peakDivergence) > 0) {
                open.peakDivergence = reading.divergence();
                open.peakAt = t;
            }
            if (reading.above()) {
                open.quietSince = null;
            } else if (open.quietSince == null) {
                open.quietSince = t;
                ctx.timerService().registerEventTimeTimer(t + d.reconcileAfterMs());
            }
        }
        if (open == null) {
            incident.clear();
        } else {
            incident.update(open);
        }
        if (evaluation != null) {
            boolean isOpen = open != null;
            BigDecimal price = isOpen ? DivergenceMath.conservative(evaluation) : evaluation.median();
            out.collect(evaluation.withFeedHealth(isOpen, price));
        }
    }

    private Counter openedCounter(String pair) {
        return opened.computeIfAbsent(pair,
                p -> getRuntimeContext().getMetricGroup().addGroup("pair", p).counter("risk_divergence_incidents_opened"));
    }

    private Incident open(IncidentSignal s, long ingestedAt, Context ctx) {
        DivergenceReading last = s.last();
        Incident i = new Incident();
        i.pair = s.pair();
        i.incidentId = EventIds.of("DIVERGENCE_INCIDENT", s.pair(), s.eventTime(), String.valueOf(s.runStartedAt()));
        i.openedAt = s.eventTime();
        i.runStartedAt = s.runStartedAt();
        i.primaryAtOpen = last.primary();
        i.twapAtOpen = last.twap();
        i.medianAtOpen = last.median();
        i.divergenceAtOpen = last.divergence();
        i.peakDivergence = s.peakDivergence().max(last.divergence());
        i.peakAt = s.peakDivergence().compareTo(last.divergence()) > 0 ? s.peakAt() : last.eventTime();
        openedCounter(i.pair).inc();
        ctx.output(INCIDENTS, event(DivergenceEvent.OPENED, i, i.openedAt, null, null, null, null, ingestedAt));
        return i;
    }

    /** A close is the reconcile timer's or an operator's, never a tick's: it carries no read time. */
    private void close(Incident i, long at, String closedBy, String resolvedBy, String reason, DivergenceReading reading, Context ctx) {
        ctx.output(INCIDENTS, event(DivergenceEvent.CLOSED, i, at, closedBy, resolvedBy, reason, reading, 0));
    }

    private DivergenceEvent event(
            String type, Incident i, long at, String closedBy, String resolvedBy, String reason, DivergenceReading reading, long ingestedAt) {
        boolean closed = DivergenceEvent.CLOSED.equals(type);
        return new DivergenceEvent(
                type,
                EventIds.of(type, i.pair, at, i.incidentId),
                at,
                i.pair,
                i.incidentId,
                i.openedAt,
                i.runStartedAt,
                config.divergence().threshold(),
                i.primaryAtOpen,
                i.twapAtOpen,
                i.medianAtOpen,
                i.divergenceAtOpen,
                closed ? (reading != null ? reading.primary() : i.lastPrimary) : null,
                closed ? (reading != null ? reading.twap() : i.lastTwap) : null,
                closed ? (reading != null ? reading.median() : i.lastMedian) : null,
                i.peakDivergence,
                i.peakAt,
                closed ? (at - i.openedAt) / 1000 : null,
                closedBy,
                resolvedBy,
                reason,
                "RESOLVED".equals(closedBy) ? "RESOLVED" : "PENDING",
                config.configHash(),
                ingestedAt);
    }
}
