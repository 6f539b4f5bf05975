package io.collateralrisk.ltv.liquidation;

import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.ltv.ltv.PriceUpdate;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The pair-wide circuit breaker, keyed by pair, downstream of the LTV stage: it moves state in and
 * out of {@link CircuitBreakerRules}.
 *
 * <pre>
 *  LifecycleEvent  [pair] (every shard's) --+                          +--&gt; LifecycleEvent (passed, or held / re-tested here)
 *  BandChange      [pair] (every shard's) --+--&gt; buffered until the   +--&gt; BandChange (side output, to CEP)
 *  FacilityCommand [pair] ------------------+    watermark passes t --&gt; onTimer(t), in this order:
 *  PriceUpdate     [pair] ------------------+      1. HOLDS_RELEASED (holds in facilityId order)
 *  HOLDS_RELEASED  [pair] ------------------+      2. commands (facilityId order): ownership ends
 *                                                  3. the evaluation at t: price / incident holds end, watched facilities
 *                                                  4. the LTV stage's events (facilityId order): each trigger counted
 *                                                  5. band changes, re-pointed at the hold that replaced a trigger
 *                                                  6. escalations and confirmation timeouts due at t
 *
 *  keyed state: triggers admitted within the window, owned liquidations (facility -&gt; BreakerHold)
 *               with two indexes (those an evaluation can change; by next timer), last evaluation,
 *               buffered inputs
 * </pre>
 *
 * An evaluation or a timer touches only the liquidations it concerns, not every one held: after a
 * crash thousands can wait under the breaker for an operator.
 *
 * An input whose time the watermark has already passed (a facility event applied late upstream) is
 * processed at once. Timers after {@code eventTimeHorizon} are not fired.
 */
public class CircuitBreakerFunction extends KeyedProcessFunction<String, BreakerInput, LifecycleEvent> {

    public static final OutputTag<BandChange> BAND_CHANGES =
            new OutputTag<>("breaker-band-changes", TypeInformation.of(BandChange.class));

    private static final Comparator<BreakerInput> ORDER =
            Comparator.comparingInt(BreakerInput::rank).thenComparing(BreakerInput::facilityId);

    private final RiskConfig config;
    private final String codeVersion;
    private final long eventTimeHorizon;

    private transient CircuitBreakerRules rules;
    /**
     * Inputs waiting for their instant: how many there are at each instant, and each under
     * {@code "t#n"}, so that adding one costs one write, not a rewrite of the instant's list (a
     * market crash brings thousands of triggers to one instant, and RocksDB serializes each write).
     */
    private transient MapState<Long, Integer> pendingCount;
    private transient MapState<String, BreakerInput> pending;
    private transient ValueState<List<Long>> admitted;
    private transient MapState<String, BreakerHold> holds;
    /** The owned liquidations an evaluation can change (released and watched, or held for the price or an incident). */
    private transient MapState<String, Boolean> reactive;
    /** Owned liquidations by the instant of their next timer: a count per instant and each id under {@code "t#n"}. */
    private transient MapState<Long, Integer> dueCount;
    private transient MapState<String, String> due;
    /** Pair -> holds here per reason: rebuilt from the keyed state at the key's first use, then kept up to date. */
    private transient Map<String, int[]> heldCounts;
    private transient ValueState<PriceView> lastPrice;
    /** The hold reasons this stage can hold for, in the order of its gauges. */
    private static final List<String> HOLD_REASONS =
            List.of(Decision.HOLD_PRICE_UNAVAILABLE, Decision.HOLD_DIVERGENCE, Decision.HOLD_CIRCUIT_BREAKER);

    /** Pair -> {breaker open (0/1), then liquidations held here per reason}: read by the reporter's thread. */
    private transient Map<String, double[]> gauges;

    public CircuitBreakerFunction(RiskConfig config, String codeVersion, long eventTimeHorizon) {
        this.config = config;
        this.codeVersion = codeVersion;
        this.eventTimeHorizon = eventTimeHorizon;
    }

    @Override
    public void open(OpenContext openContext) {
        rules = new CircuitBreakerRules(config, codeVersion);
        pendingCount = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-count", Types.LONG, Types.INT));
        pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending-inputs", Types.STRING, TypeInformation.of(BreakerInput.class)));
        admitted = getRuntimeContext().getState(new ValueStateDescriptor<>("admitted-triggers", new ListTypeInfo<>(Types.LONG)));
        holds = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("owned-liquidations", Types.STRING, TypeInformation.of(BreakerHold.class)));
        lastPrice = getRuntimeContext().getState(new ValueStateDescriptor<>("last-price", TypeInformation.of(PriceView.class)));
        reactive = getRuntimeContext().getMapState(new MapStateDescriptor<>("price-sensitive", Types.STRING, Types.BOOLEAN));
        dueCount = getRuntimeContext().getMapState(new MapStateDescriptor<>("due-count", Types.LONG, Types.INT));
        due = getRuntimeContext().getMapState(new MapStateDescriptor<>("due", Types.STRING, Types.STRING));
        heldCounts = new HashMap<>();
        gauges = new ConcurrentHashMap<>();
        for (String pair : new java.util.TreeSet<>(config.pairs().keySet())) {
            double[] g = gauges.computeIfAbsent(pair, p -> new double[1 + HOLD_REASONS.size()]);
            var group = getRuntimeContext().getMetricGroup().addGroup("pair", pair);
            group.gauge("risk_circuit_breaker_open", (Gauge<Double>) () -> g[0]);
            // Beside the LTV stage's own holds under the same name: Prometheus sums them by pair and reason.
            for (int i = 0; i < HOLD_REASONS.size(); i++) {
                int slot = 1 + i;
                group.addGroup("reason", HOLD_REASONS.get(i)).gauge("risk_liquidations_held", (Gauge<Double>) () -> g[slot]);
            }
        }
    }

    @Override
    public void processElement(BreakerInput in, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        long t = in.eventTime();
        if (t <= ctx.timerService().currentWatermark()) {
            process(t, List.of(in), true, ctx, out);
            return;
        }
        Integer n = pendingCount.get(t);
        if (n == null) {
            n = 0;
            ctx.timerService().registerEventTimeTimer(t);
        }
        pending.put(t + "#" + n, in);
        pendingCount.put(t, n + 1);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<LifecycleEvent> out) throws Exception {
        if (t > eventTimeHorizon) {
            return;
        }
        Integer n = pendingCount.get(t);
        if (n != null) {
            List<BreakerInput> inputs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String key = t + "#" + i;
                inputs.add(pending.get(key));
                pending.remove(key);
            }
            pendingCount.remove(t);
            process(t, inputs, false, ctx, out);
        }
        Integer timers = dueCount.get(t);
        if (timers != null) {
            TreeSet<String> ids = new TreeSet<>();
            for (int i = 0; i < timers; i++) {
                String key = t + "#" + i;
                ids.add(due.get(key));
                due.remove(key);
            }
            dueCount.remove(t);
            PriceView last = lastPrice.value();
            for (String id : ids) {
                BreakerHold h = holds.get(id);
                if (h != null && h.nextTimer(config.lifecycle().confirmTimeoutMs(), config.lifecycle().holdEscalateAfterMs()) <= t) {
                    Was was = was(h);
                    apply(h, was, rules.onTimer(h, t, last), ctx, out);
                }
            }
        }
        updateGauges(KeyGroupKeys.pairOfKey(ctx.getCurrentKey()), t);
    }

    private void process(long t, List<BreakerInput> inputs, boolean late, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        List<BreakerInput> ordered = new ArrayList<>(inputs);
        ordered.sort(ORDER); // stable: one facility's events keep the order its shard sent them in
        List<Long> window = admitted.value() == null ? new ArrayList<>() : new ArrayList<>(admitted.value());
        Map<String, LifecycleEvent> replaced = new HashMap<>();
        for (BreakerInput in : ordered) {
            if (in.release() != null) {
                PriceView last = lastPrice.value();
                for (BreakerHold h : sortedHolds().values()) {
                    Was was = was(h);
                    apply(h, was, rules.release(h, last, in.release().eventTime(), late, window), ctx, out);
                }
            } else if (in.command() != null) {
                BreakerHold h = holds.get(in.command().facilityId());
                if (h != null && CircuitBreakerRules.takenBack(h, in.command())) {
                    forget(h, ctx);
                }
            } else if (in.price() != null) {
                PriceUpdate p = in.price();
                PriceView view = new PriceView(p.eventTime(), p.evaluationId(), p.price(), p.available(), p.incidentOpen(), p.ingestedAt());
                lastPrice.update(view);
                TreeSet<String> ids = new TreeSet<>();
                for (String id : reactive.keys()) {
                    ids.add(id);
                }
                for (String id : ids) {
                    BreakerHold h = holds.get(id);
                    Was was = was(h);
                    apply(h, was, rules.onEvaluation(h, view, window), ctx, out);
                }
            } else if (in.event() != null) {
                LifecycleEvent e = in.event();
                BreakerHold owned = holds.get(e.facilityId());
                if (CircuitBreakerRules.superseded(owned, e)) {
                    continue;
                }
                if (Decision.LIQUIDATION_TRIGGERED.equals(e.type()) && !rules.admit(window, e.eventTime())) {
                    CircuitBreakerRules.Refused refused = rules.refuse(e);
                    keep(refused.hold(), NEW, ctx);
                    replaced.put(e.eventId(), refused.held());
                    out.collect(refused.held());
                } else {
                    out.collect(e);
                }
            } else {
                BandChange c = in.bandChange();
                LifecycleEvent reporter = replaced.get(c.cause());
                ctx.output(BAND_CHANGES, reporter == null ? c : new BandChange(c.facilityId(), c.borrowerId(), c.pair(), c.policy(),
                        c.eventTime(), c.from(), c.to(), reporter.type(), reporter.eventId()));
            }
        }
        admitted.update(window);
        updateGauges(KeyGroupKeys.pairOfKey(ctx.getCurrentKey()), t);
    }

    /** What an owned liquidation was before the rules saw it: its gauge slot, and whether evaluations concern it. */
    private record Was(int reason, boolean reactive) {}

    private static final Was NEW = new Was(-1, false);

    private static Was was(BreakerHold h) {
        return new Was(reasonIndex(h), reactive(h));
    }

    private static int reasonIndex(BreakerHold h) {
        return BreakerHold.HELD.equals(h.status) ? HOLD_REASONS.indexOf(h.holdReason) : -1;
    }

    private static boolean reactive(BreakerHold h) {
        return BreakerHold.WATCHED.equals(h.status)
                || BreakerHold.HELD.equals(h.status) && !Decision.HOLD_CIRCUIT_BREAKER.equals(h.holdReason);
    }

    /** Emits what the rules decided; the rules change a liquidation only when they decide something. */
    private void apply(BreakerHold h, Was was, List<LifecycleEvent> events, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        if (events.isEmpty()) {
            return;
        }
        events.forEach(out::collect);
        keep(h, was, ctx);
    }

    /** Stores the liquidation, keeps its indexes and the gauges' counts, and registers its next timer. */
    private void keep(BreakerHold h, Was was, Context ctx) throws Exception {
        holds.put(h.facilityId, h);
        boolean nowReactive = reactive(h);
        if (nowReactive != was.reactive()) {
            if (nowReactive) {
                reactive.put(h.facilityId, true);
            } else {
                reactive.remove(h.facilityId);
            }
        }
        count(KeyGroupKeys.pairOfKey(ctx.getCurrentKey()), was.reason(), reasonIndex(h));
        long next = h.nextTimer(config.lifecycle().confirmTimeoutMs(), config.lifecycle().holdEscalateAfterMs());
        if (next != Long.MAX_VALUE) {
            Integer n = dueCount.get(next);
            int i = n == null ? 0 : n;
            due.put(next + "#" + i, h.facilityId);
            dueCount.put(next, i + 1);
            ctx.timerService().registerEventTimeTimer(next);
        }
    }

    /** The LTV stage took the facility back. (An index entry left at its timer's instant finds no hold then.) */
    private void forget(BreakerHold h, Context ctx) throws Exception {
        holds.remove(h.facilityId);
        reactive.remove(h.facilityId);
        count(KeyGroupKeys.pairOfKey(ctx.getCurrentKey()), reasonIndex(h), -1);
    }

    private void count(String pair, int from, int to) throws Exception {
        if (from == to) {
            return;
        }
        int[] counts = heldCounts(pair);
        if (from >= 0) {
            counts[from]--;
        }
        if (to >= 0) {
            counts[to]++;
        }
    }

    private int[] heldCounts(String pair) throws Exception {
        int[] counts = heldCounts.get(pair);
        if (counts == null) {
            counts = new int[HOLD_REASONS.size()];
            for (BreakerHold h : holds.values()) {
                int reason = reasonIndex(h);
                if (reason >= 0) {
                    counts[reason]++;
                }
            }
            heldCounts.put(pair, counts);
        }
        return counts;
    }

    private TreeMap<String, BreakerHold> sortedHolds() throws Exception {
        TreeMap<String, BreakerHold> sorted = new TreeMap<>();
        for (Map.Entry<String, BreakerHold> e : holds.entries()) {
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }

    private void updateGauges(String pair, long now) throws Exception {
        double[] g = gauges.computeIfAbsent(pair, p -> new double[1 + HOLD_REASONS.size()]);
        List<Long> window = admitted.value();
        g[0] = window != null && rules.open(window, now) ? 1 : 0;
        int[] held = heldCounts(pair);
        for (int i = 0; i < held.length; i++) {
            g[1 + i] = held[i];
        }
    }
}
