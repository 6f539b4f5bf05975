package io.collateralrisk.ltv.price;

import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputJson;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Evaluates one pair's reference price, keyed by pair, in event time.
 *
 * <pre>
 *  PriceTick --late?--&gt; DEAD_LETTER (LATE_EVENT)
 *      |
 *      v
 *  pending[t] (buffered until the watermark passes t) -- timer(t) --+
 *                                                                    v
 *  stale timer (last tick + maxAge + 1 ms) --------------------&gt; onTimer(t):
 *                                                   apply every tick at t, then evaluate once
 *                                                   --&gt; REFERENCE_PRICE
 *                                                   --&gt; PRICE_UNAVAILABLE / PRICE_RESTORED (side output)
 * </pre>
 *
 * <p>Ticks wait in state until the watermark passes their time, so the evaluation at {@code t}
 * sees every tick at {@code t} whatever their arrival order, and none after it. A tick is late,
 * and dead-lettered, only when it is more than {@code lateness.outOfOrder} older than the newest
 * tick seen from the same pair and source ({@code newest-seen}, keyed state): never because the
 * subtask's watermark passed it, since that watermark also follows other sources and partitions
 * (one read an hour behind another loses no tick). A tick not late for its source whose instant
 * the pair was already evaluated at or past ({@code last-evaluated}, keyed state) is applied at
 * once and counts from the pair's next evaluation; that instant is not evaluated again, so
 * evaluations of a pair run in strictly increasing event time even across a restore. Timers
 * after {@code eventTimeHorizon} are ignored: a replay's event time ends at its last input
 * instead of running every pending timer at the end-of-input watermark.
 *
 * <p>An evaluation, and the alert it raises, carries the latest source read time
 * ({@code ingestedAt}) of the ticks at its instant, for {@code risk_tick_to_event_seconds}; one
 * that only a source turning stale caused carries 0. Pending ticks keep theirs across a restore.
 *
 * <p>The TWAP is a running sum ({@link RunningTwap}, {@code twap-sum}) over the exchange medians
 * still within reach of the window ({@code twap-points}, keyed by sequence number): each
 * evaluation appends one point and removes those that left the window, so state writes do not grow
 * with the window's length.
 *
 * <p>The rules themselves live in {@link PriceEvaluator} and {@link RunningTwap}; this class only moves
 * state in and out.
 */
public class ReferencePriceFunction extends KeyedProcessFunction<String, PriceTick, ReferencePrice> {

    public static final OutputTag<PriceAlert> PRICE_ALERTS = new OutputTag<>("price-alerts", TypeInformation.of(PriceAlert.class));
    public static final OutputTag<DeadLetter> LATE_TICKS = new OutputTag<>("late-ticks", TypeInformation.of(DeadLetter.class));
    /** Every tick taken into an evaluation, for the audit trail. */
    public static final OutputTag<PriceTick> ACCEPTED_TICKS = new OutputTag<>("accepted-ticks", TypeInformation.of(PriceTick.class));

    private final RiskConfig config;
    private final long eventTimeHorizon;

    private transient MapState<String, SourceQuote> quotes;
    private transient MapState<String, Long> newestSeen;
    private transient MapState<Long, List<PriceTick>> pending;
    private transient ValueState<RunningTwap> twapSum;
    private transient MapState<Long, TwapPoint> twapPoints;
    private transient RunningTwap.Points twapPointStore;
    private transient ValueState<Long> unavailableSince;
    private transient ValueState<Long> lastEvaluated;
    /** Per source of the pair: {accepted, late}, registered together at a source's first tick. */
    /** Pair -> source -> its counters; looked up by the tick's own strings, no key built per tick. */
    private transient Map<String, Map<String, Counter[]>> tickCounters;

    /**
     * @param eventTimeHorizon the last event time a timer may fire at ({@link Long#MAX_VALUE} live)
     */
    public ReferencePriceFunction(RiskConfig config, long eventTimeHorizon) {
        this.config = config;
        this.eventTimeHorizon = eventTimeHorizon;
    }

    @Override
    public void open(OpenContext openContext) {
        quotes = getRuntimeContext().getMapState(new MapStateDescriptor<>("quotes", Types.STRING, TypeInformation.of(SourceQuote.class)));
        newestSeen = getRuntimeContext().getMapState(new MapStateDescriptor<>("newest-seen", Types.STRING, Types.LONG));
        pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending", Types.LONG, new ListTypeInfo<>(TypeInformation.of(PriceTick.class))));
        twapSum = getRuntimeContext().getState(new ValueStateDescriptor<>("twap-sum", TypeInformation.of(RunningTwap.class)));
        twapPoints = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("twap-points", Types.LONG, TypeInformation.of(TwapPoint.class)));
        twapPointStore = new RunningTwap.Points() {
            @Override
            public void put(long seq, TwapPoint point) throws Exception {
                twapPoints.put(seq, point);
            }

            @Override
            public TwapPoint get(long seq) throws Exception {
                return twapPoints.get(seq);
            }

            @Override
            public void remove(long seq) throws Exception {
                twapPoints.remove(seq);
            }
        };
        unavailableSince = getRuntimeContext().getState(new ValueStateDescriptor<>("unavailable-since", Types.LONG));
        lastEvaluated = getRuntimeContext().getState(new ValueStateDescriptor<>("last-evaluated", Types.LONG));
        tickCounters = new HashMap<>();
    }

    @Override
    public void processElement(PriceTick tick, Context ctx, Collector<ReferencePrice> out) throws Exception {
        long t = tick.eventTime();
        Long newest = newestSeen.get(tick.source());
        // Lateness is judged against this pair and source alone, from keyed state: never against
        // the watermark, which other sources and partitions read by this subtask move.
        if (newest != null && t < newest - config.outOfOrderMs()) {
            rejectLate(ctx, tick, "more than " + config.outOfOrderMs() + " ms older than the newest tick of " + tick.source()
                    + " (" + Times.format(newest) + ")");
            return;
        }
        if (newest == null || t > newest) {
            newestSeen.put(tick.source(), t);
        }
        tickCounters(tick)[0].inc();
        ctx.output(ACCEPTED_TICKS, tick);
        Long evaluated = lastEvaluated.value();
        if (evaluated != null && t <= evaluated) {
            // Its instant was evaluated already: applied now, it counts from the pair's next
            // evaluation, and that instant is not evaluated again.
            applyAfterItsInstant(tick, evaluated, ctx.timerService());
            return;
        }
        List<PriceTick> atT = pending.get(t);
        if (atT == null) {
            atT = new ArrayList<>(4);
            // Fires at the next watermark when the watermark has passed t already (a partition
            // read behind the others): this pair has not been evaluated at or after t yet.
            ctx.timerService().registerEventTimeTimer(t);
        }
        atT.add(tick);
        pending.put(t, atT);
    }

    /**
     * Applies a tick whose instant the pair was already evaluated at or past. Its source's stale
     * timer is registered only when it falls after the last evaluation, which is never revisited.
     */
    private void applyAfterItsInstant(PriceTick tick, long evaluated, TimerService timers) throws Exception {
        PairConfig pair = config.pair(tick.pair());
        SourceQuote before = quotes.get(tick.source());
        if (!apply(tick) || pair == null) {
            return;
        }
        long staleAt = staleAt(quotes.get(tick.source()), pair);
        if (staleAt > evaluated) {
            timers.registerEventTimeTimer(staleAt);
        }
        if (before != null) {
            dropStaleTimer(timers, staleAt(before, pair), evaluated, pair);
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<ReferencePrice> out) throws Exception {
        if (t > eventTimeHorizon) {
            return;
        }
        Long evaluated = lastEvaluated.value();
        if (evaluated != null && t <= evaluated) {
            // The pair's clock is past t (a stale timer of a tick applied after its instant):
            // nothing is evaluated at t, whatever waits there counts from the next evaluation.
            List<PriceTick> waiting = pending.get(t);
            if (waiting != null) {
                pending.remove(t);
                for (PriceTick tick : waiting) {
                    applyAfterItsInstant(tick, evaluated, ctx.timerService());
                }
            }
            return;
        }
        String pairName = KeyGroupKeys.pairOfKey(ctx.getCurrentKey());
        PairConfig pair = config.pair(pairName);
        if (pair == null) {
            // Restored state of a pair the configuration no longer has: kept, never evaluated
            // (reported once per restore as STATE_WITHOUT_CONFIG by the operator).
            return;
        }
        List<PriceTick> ticks = pending.get(t);
        // The latest source read among the ticks that trigger this evaluation: what it waited for last.
        long ingestedAt = 0;
        if (ticks != null) {
            pending.remove(t);
            Set<String> applied = new HashSet<>();
            List<SourceQuote> superseded = new ArrayList<>();
            for (PriceTick tick : ticks) {
                ingestedAt = Math.max(ingestedAt, tick.ingestedAt());
                SourceQuote before = quotes.get(tick.source());
                if (apply(tick) && applied.add(tick.source()) && before != null) {
                    superseded.add(before);
                }
            }
            for (String source : applied) {
                ctx.timerService().registerEventTimeTimer(staleAt(quotes.get(source), pair));
            }
            for (SourceQuote before : superseded) {
                dropStaleTimer(ctx.timerService(), staleAt(before, pair), t, pair);
            }
        }
        if (ticks == null && !anySourceTurnsStaleAt(t, pair)) {
            return; // a stale timer left behind by a source that has ticked since
        }

        List<SourceQuote> current = new ArrayList<>();
        quotes.values().forEach(current::add);
        RunningTwap twap = runningTwap();
        twap.slide(t - pair.twapWindowMs(), twapPointStore);
        Evaluation e = new PriceEvaluator(pair).evaluate(t, current, twap);
        twap.append(t, e.exchangeMedian(), twapPointStore);
        twapSum.update(twap);
        lastEvaluated.update(t);

        String evaluationId = EventIds.evaluationId(pairName, t);
        out.collect(new ReferencePrice(
                EventIds.of(ReferencePrice.TYPE, pairName, t, evaluationId),
                evaluationId,
                t,
                pairName,
                e.status(),
                e.median(),
                e.median(),
                e.twap(),
                e.primary(),
                false,
                e.used(),
                e.excluded(),
                config.configHash(),
                ingestedAt));
        raiseAlerts(ctx, pairName, t, evaluationId, e, pair, ingestedAt);
    }

    /** The pair's running TWAP; a new one on its first evaluation. */
    private RunningTwap runningTwap() throws Exception {
        RunningTwap twap = twapSum.value();
        return twap != null ? twap : new RunningTwap();
    }

    /** Applies a tick to its source's last quote; false when an equal-time tick with a higher round is kept. */
    private boolean apply(PriceTick tick) throws Exception {
        SourceQuote existing = quotes.get(tick.source());
        if (existing != null) {
            if (existing.eventTime() > tick.eventTime()) {
                return false;
            }
            if (existing.eventTime() == tick.eventTime() && existing.round() != null && tick.round() != null
                    && tick.round().compareTo(existing.round()) < 0) {
                return false;
            }
        }
        quotes.put(tick.source(), new SourceQuote(tick.source(), tick.kind(), tick.price(), tick.eventTime(), tick.round()));
        return true;
    }

    private boolean anySourceTurnsStaleAt(long t, PairConfig pair) throws Exception {
        for (SourceQuote q : quotes.values()) {
            if (staleAt(q, pair) == t) {
                return true;
            }
        }
        return false;
    }

    private static long staleAt(SourceQuote q, PairConfig pair) {
        return q.eventTime() + pair.maxAgeMs(q.kind()) + 1;
    }

    /**
     * Deletes the stale timer of a quote that a newer tick replaced, unless another source turns
     * stale or ticks are pending at that instant: otherwise every tick would leave a timer that
     * fires for nothing, up to {@code maxAge} (65 min for an oracle) of them per source.
     */
    private void dropStaleTimer(TimerService timers, long staleAt, long now, PairConfig pair) throws Exception {
        if (staleAt > now && !pending.contains(staleAt) && !anySourceTurnsStaleAt(staleAt, pair)) {
            timers.deleteEventTimeTimer(staleAt);
        }
    }

    private void raiseAlerts(OnTimerContext ctx, String pairName, long t, String evaluationId, Evaluation e, PairConfig pair,
            long ingestedAt) throws Exception {
        Long since = unavailableSince.value();
        if (e.status() == PriceStatus.UNAVAILABLE && since == null) {
            unavailableSince.update(t);
            ctx.output(PRICE_ALERTS, PriceAlert.of(
                    PriceAlert.UNAVAILABLE, evaluationId, t, pairName, e.usable(), pair.quorum(), null, t, config.configHash())
                    .withIngestedAt(ingestedAt));
        } else if (e.status() == PriceStatus.OK && since != null) {
            unavailableSince.clear();
            ctx.output(PRICE_ALERTS, PriceAlert.of(
                    PriceAlert.RESTORED, evaluationId, t, pairName, e.usable(), pair.quorum(), e.median(), since, config.configHash())
                    .withIngestedAt(ingestedAt));
        }
    }

    /**
     * The tick's pair and source counters ({@code risk_price_ticks_accepted}, {@code
     * risk_price_ticks_late}, labels pair and source; evaluations are counted by status where
     * reference prices leave the job).
     */
    private Counter[] tickCounters(PriceTick tick) {
        Map<String, Counter[]> bySource = tickCounters.computeIfAbsent(tick.pair(), p -> new HashMap<>());
        Counter[] counters = bySource.get(tick.source());
        if (counters == null) {
            MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("pair", tick.pair()).addGroup("source", tick.source());
            counters = new Counter[] {g.counter("risk_price_ticks_accepted"), g.counter("risk_price_ticks_late")};
            bySource.put(tick.source(), counters);
        }
        return counters;
    }

    private void rejectLate(Context ctx, PriceTick tick, String detail) {
        tickCounters(tick)[1].inc();
        ctx.output(LATE_TICKS, DeadLetter.of(
                tick.eventTime(), "prices", tick.source() + "@" + Times.format(tick.eventTime()), "LATE_EVENT", detail,
                InputJson.priceTick(tick)));
    }
}
