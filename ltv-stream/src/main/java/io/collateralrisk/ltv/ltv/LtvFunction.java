package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LifecycleExplainer;
import io.collateralrisk.ltv.lifecycle.LifecycleRules;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * LTV and the margin-call lifecycle, keyed by {@code (pair, shard)}: every facility of a pair
 * lives in one of {@link LtvStage#SHARDS} shards (one per key group, keys from {@link KeyGroupKeys}),
 * and every shard sees every price of its pair. Run by {@link LtvOperator}, which receives each price
 * once per subtask and, once the watermark has passed its instant, hands it to each of the
 * subtask's shards of the pair.
 *
 * <pre>
 *  FacilityCommand [pair#shard] --&gt; buffered until the          +--&gt; LifecycleEvent (risk.margin-calls)
 *                                     watermark passes t          +--&gt; LtvUpdate (risk.ltv, side output)
 *  PriceUpdate     [broadcast]  --&gt; LtvOperator: waits for t,     +--&gt; BandChange (CEP, side output)
 *                                     then to each shard of the pair
 *  at t, per shard:
 *    onTimer(t), when the shard has a timer at t:
 *      1. commands at t (by facility id)  -&gt; LifecycleRules
 *      2. the price at t -&gt; ShardIndex.affectedBy(price) -&gt; LifecycleRules
 *      3. facility timers due at t (deadlines, confirm, escalate)
 *    processElement1, every other shard of the pair: 2. alone
 *
 *  keyed state: facilities (MapState id -&gt; FacilityState), buffered commands, clock, last price
 *  in memory:   per shard (Shard): ShardIndex (crossing prices, timers), rebuilt from the keyed
 *               state after a restore; the clock and last price, written to keyed state as each
 *               snapshot begins (writeShards), since every price of the pair moves them
 * </pre>
 *
 * A price update costs the facilities whose next decision lies between the old and the new price,
 * not a walk over the shard. Everything happens in event-time order, inputs at one instant in a
 * fixed order (commands, price, timers: a cure at the deadline's instant wins), so the same input
 * gives the same events in any interleaving. A command whose time the shard's clock has passed is
 * applied at once (facility events are never dropped for lateness). The clock is the watermark or
 * the latest instant the shard has processed, whichever is later: the latter is keyed state, so a
 * restored operator, whose watermark starts again from nothing, orders inputs as before. Timers after
 * {@code eventTimeHorizon} are not fired; cure deadlines among them go to {@link #UNFIRED_DEADLINES}.
 *
 * <p>A facility whose pair or policy the configuration no longer has (state restored under
 * another configuration) is held: it is left out of the index, so no price or deadline decides
 * anything on it, and it only takes new amounts, until a configuration has them again. The
 * operator that runs this function reports such facilities once per restore
 * ({@code STATE_WITHOUT_CONFIG}, see {@link io.collateralrisk.ltv.ops.RestoreCheck}).
 *
 * <p>The rules are in {@link LifecycleRules}; this class moves state in and out of them. Every
 * liquidation that comes due is triggered here: the pair-wide circuit breaker, which no shard can
 * count alone, is the next stage ({@code io.collateralrisk.ltv.liquidation.CircuitBreakerFunction}).
 */
public class LtvFunction extends KeyedCoProcessFunction<String, PriceUpdate, FacilityCommand, LifecycleEvent> {

    public static final OutputTag<LtvUpdate> LTV = new OutputTag<>("ltv", TypeInformation.of(LtvUpdate.class));
    public static final OutputTag<BandChange> BAND_CHANGES = new OutputTag<>("band-changes", TypeInformation.of(BandChange.class));
    /** Cure deadlines after the end of a replay's event time: reported, never fired. */
    public static final OutputTag<LifecycleEvent> UNFIRED_DEADLINES =
            new OutputTag<>("unfired-deadlines", TypeInformation.of(LifecycleEvent.class));

    /**
     * Commands at one instant, by facility; the sort is stable, so one facility's commands keep
     * the order its (single) facility-stage subtask sent them in.
     */
    private static final Comparator<FacilityCommand> COMMAND_ORDER = Comparator.comparing(FacilityCommand::facilityId);

    private final RiskConfig config;
    private final String codeVersion;
    private final long eventTimeHorizon;

    private transient MapState<String, FacilityState> facilities;
    private transient ValueState<PriceView> lastPrice;
    private transient MapState<Long, List<FacilityCommand>> pendingCommands;
    private transient MapState<Long, PriceView> pendingPrices;
    /** The latest event-time instant the shard processed: its clock while a restored watermark is behind. */
    private transient ValueState<Long> processedUpTo;
    private transient Counter heldCommands;
    /** The subtask's shards in memory: each one's index, clock and last price. */
    private transient Map<String, Shard> shards;
    /** Shards whose clock or last price changed since they were last written to keyed state. */
    private transient List<Shard> unwritten;
    /** The price update last turned into a view and index keys: one per price, shared by the shards. */
    private transient PriceUpdate converted;
    private transient PriceView convertedView;
    private transient ShardIndex.PriceKeys convertedKeys;
    private transient Map<String, LifecycleRules> rules;
    private transient LifecycleExplainer explainer;
    private transient Counter evaluations;
    private transient Counter unmatchedAnswers;
    private transient ShardMetrics shardMetrics;
    /** The shard's next metrics sweep: the one processing-time timer of its chain, kept across restores. */
    private transient ValueState<Long> nextSweepAt;
    /** Shard -> how long its latest metrics sweep took; read by the reporter's thread. */
    private transient Map<String, Long> sweepNanos;
    /** The prices waiting for the watermark, of which a shard's timer applies its pair's at its instant. */
    private transient WaitingPrices waiting;

    /** Wall-clock interval of the metrics sweeps (longer while the subtask's sweeps are slow). */
    static final long METRICS_SWEEP_MS = 10_000;

    public LtvFunction(RiskConfig config, String codeVersion, long eventTimeHorizon) {
        this.config = config;
        this.codeVersion = codeVersion;
        this.eventTimeHorizon = eventTimeHorizon;
    }

    @Override
    public void open(OpenContext openContext) {
        facilities = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("facilities", Types.STRING, TypeInformation.of(FacilityState.class)));
        lastPrice = getRuntimeContext().getState(new ValueStateDescriptor<>("last-price", TypeInformation.of(PriceView.class)));
        pendingCommands = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "pending-commands", Types.LONG, new ListTypeInfo<>(TypeInformation.of(FacilityCommand.class))));
        pendingPrices = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending-prices", Types.LONG, TypeInformation.of(PriceView.class)));
        nextSweepAt = getRuntimeContext().getState(new ValueStateDescriptor<>("next-sweep-at", Types.LONG));
        processedUpTo = getRuntimeContext().getState(new ValueStateDescriptor<>("processed-up-to", Types.LONG));
        shards = new HashMap<>();
        unwritten = new ArrayList<>();
        rules = new HashMap<>();
        explainer = new LifecycleExplainer(config.configHash(), codeVersion);
        evaluations = getRuntimeContext().getMetricGroup().counter("risk_facility_evaluations");
        unmatchedAnswers = getRuntimeContext().getMetricGroup().counter("risk_liquidation_answers_unmatched");
        heldCommands = getRuntimeContext().getMetricGroup().counter("risk_facility_commands_without_config");
        shardMetrics = new ShardMetrics(getRuntimeContext().getMetricGroup(), config);
        sweepNanos = new java.util.concurrent.ConcurrentHashMap<>();
        getRuntimeContext().getMetricGroup().gauge("risk_metrics_sweep_seconds", (Gauge<Double>) () ->
                subtaskSweepNanos() / 1e9);
    }

    /**
     * The pair's price at an instant the watermark has passed, for the current shard ({@link LtvOperator}
     * hands it to each of its shards of the pair). A shard that has processed the instant already
     * (in its timer at it, or before a restore) skips it.
     */
    @Override
    public void processElement1(PriceUpdate price, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        Shard shard = shard(ctx.getCurrentKey());
        if (!shard.sweeping) {
            shard.sweeping = true;
            if (nextSweepAt.value() == null) {
                scheduleSweep(nextSweep(ctx.timerService().currentProcessingTime(), sweepOffset(ctx.getCurrentKey())), ctx);
            }
        }
        if (price.eventTime() <= shard.processedUpTo || price.eventTime() > eventTimeHorizon) {
            return; // an instant processed already, or after the end of a replay's event time (nothing fires there)
        }
        if (price != converted) {
            converted = price;
            convertedView = view(price);
            convertedKeys = usableKeys(convertedView);
        }
        processed(shard, price.eventTime());
        applyPrice(shard, convertedView, convertedKeys, ctx, out);
    }

    private static PriceView view(PriceUpdate price) {
        return new PriceView(price.eventTime(), price.evaluationId(), price.price(), price.available(), price.incidentOpen(),
                price.ingestedAt());
    }

    /** The price as the index compares it; null when it is not usable (below quorum). */
    private static ShardIndex.PriceKeys usableKeys(PriceView price) {
        return price.available() && price.price() != null ? ShardIndex.PriceKeys.of(price.price()) : null;
    }

    /** Where the prices waiting for the watermark are: the operator that runs this function. */
    interface WaitingPrices {
        /** The pair's price waiting at instant {@code t}, or null. */
        PriceUpdate waitingAt(long t, String pair);
    }

    void readWaitingPricesFrom(WaitingPrices waiting) {
        this.waiting = waiting;
    }

    @Override
    public void processElement2(FacilityCommand command, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        long t = command.eventTime();
        if (t <= clock(ctx)) {
            applyCommand(command, true, ctx, out);
            return;
        }
        List<FacilityCommand> atT = pendingCommands.get(t);
        if (atT == null) {
            atT = new ArrayList<>(2);
            ctx.timerService().registerEventTimeTimer(t);
        }
        atT.add(command);
        pendingCommands.put(t, atT);
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<LifecycleEvent> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            Long due = nextSweepAt.value();
            if (due == null || due != t) {
                return; // not the shard's chain (a timer the chain has since replaced)
            }
            long started = System.nanoTime();
            sweepMetrics(ctx);
            sweepNanos.put(ctx.getCurrentKey(), System.nanoTime() - started);
            scheduleSweep(sweepAfter(t, ctx.timerService().currentProcessingTime(), subtaskSweepNanos(), sweepOffset(ctx.getCurrentKey())), ctx);
            return;
        }
        if (t > eventTimeHorizon) {
            reportUnfired(t, ctx);
            return;
        }
        Shard shard = shard(ctx.getCurrentKey());
        long processedBefore = shard.processedUpTo;
        processed(shard, t);
        List<FacilityCommand> commands = pendingCommands.get(t);
        if (commands != null) {
            pendingCommands.remove(t);
            commands.sort(COMMAND_ORDER);
            for (FacilityCommand c : commands) {
                applyCommand(c, c.appliedLate(), ctx, out);
            }
        }
        PriceView price = pendingPrices.get(t); // kept by versions that buffered prices per shard
        if (price != null) {
            pendingPrices.remove(t);
        } else if (waiting != null && t > processedBefore) {
            PriceUpdate update = waiting.waitingAt(t, KeyGroupKeys.pairOfKey(ctx.getCurrentKey()));
            price = update == null ? null : view(update);
        }
        if (price != null) {
            applyPrice(shard, price, usableKeys(price), ctx, out);
        }
        java.util.TreeSet<String> due = shard.index.dueAt(t);
        if (due.isEmpty()) {
            return; // the common case of a price reaching every shard: no state read for deadlines
        }
        PriceView last = shard.lastPrice;
        for (String id : due) {
            FacilityState s = facilities.get(id);
            Band before = s.band;
            List<Decision> decisions = rules(s).onTimer(s, t, last);
            // Decided by the clock, not by the price at t that may have just been applied.
            store(s, before, decisions, last, t, false, null, 0, ctx, out);
        }
    }

    private void applyCommand(FacilityCommand c, boolean late, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        Shard shard = shard(ctx.getCurrentKey());
        ShardIndex index = shard.index;
        FacilityState s = facilities.get(c.facilityId());
        PriceView last = shard.lastPrice;
        if (FacilityCommand.CLOSE.equals(c.kind())) {
            if (s != null) {
                facilities.remove(c.facilityId());
                long timer = index.remove(c.facilityId());
                shardMetrics.removed(ctx.getCurrentKey(), c.facilityId());
                // A closed facility leaves no timer behind, unless others of the shard share the instant.
                if (timer != Long.MAX_VALUE && !index.hasTimerAt(timer) && !pendingCommands.contains(timer)
                        && !pendingPrices.contains(timer)) {
                    ctx.timerService().deleteEventTimeTimer(timer);
                }
                ctx.output(LTV, explainer.ltv(s, s.policy, last, c.eventTime(), c.cause(), true));
            }
            return;
        }
        if (s == null && !FacilityCommand.UPSERT.equals(c.kind())) {
            unmatchedAnswers.inc(); // a custodian answer for a facility this stage never saw
            return;
        }
        if (s == null) {
            s = new FacilityState();
        }
        if (!FacilityCommand.UPSERT.equals(c.kind()) && rules(s) == null) {
            heldCommands.inc(); // held: no decision on a facility without its pair or policy
            return;
        }
        Band before = s.band;
        List<Decision> decisions;
        switch (c.kind()) {
            case FacilityCommand.EXECUTED -> {
                if (!rules(s).onLiquidationExecuted(s, c.liquidationId())) {
                    unmatchedAnswers.inc();
                }
                decisions = List.of();
            }
            case FacilityCommand.FAILED -> {
                decisions = rules(s).onLiquidationFailed(s, c.liquidationId(), c.eventTime(), last);
                if (decisions == null) {
                    unmatchedAnswers.inc();
                    decisions = List.of();
                }
            }
            default -> {
                if (s.facilityId == null) {
                    s.facilityId = c.facilityId(); // a known facility keeps the id object it is stored under
                }
                s.borrowerId = c.borrowerId();
                s.custodian = c.custodian();
                s.pair = c.pair();
                s.policy = c.policy();
                s.collateral = c.collateral();
                s.collateralVersion = c.collateralVersion();
                s.outstanding = c.outstanding();
                s.debtVersion = c.debtVersion();
                // The command was deserialized: share its repeated strings, drop its decimals' BigIntegers.
                s.compact();
                if (rules(s) == null) {
                    heldCommands.inc(); // held: keeps its amounts, decides nothing
                    facilities.put(s.facilityId, s);
                    shardMetrics.removed(ctx.getCurrentKey(), s.facilityId);
                    return;
                }
                decisions = rules(s).onAmountsChanged(s, c.riskIncreased(), last, c.eventTime());
            }
        }
        boolean facilityChanged = FacilityCommand.UPSERT.equals(c.kind()) && s.amountsKnown();
        store(s, before, decisions, last, c.eventTime(), late, facilityChanged ? c.cause() : null, 0, ctx, out);
    }

    /** @param keys the price as the index compares it; null when the price is not usable */
    private void applyPrice(Shard shard, PriceView price, ShardIndex.PriceKeys keys, Context ctx, Collector<LifecycleEvent> out)
            throws Exception {
        shard.lastPrice = price;
        unwritten(shard);
        if (keys == null) {
            return; // no band moves while unavailable; deadlines that pass now are held by the timers
        }
        java.util.NavigableSet<String> affected = shard.index.affectedBy(keys);
        if (affected.isEmpty()) {
            return; // most shards at most prices: no iterator to allocate
        }
        for (String id : affected) {
            FacilityState s = facilities.get(id);
            Band before = s.band;
            evaluations.inc();
            List<Decision> decisions = rules(s).onEvaluation(s, price);
            store(s, before, decisions, price, price.eventTime(), false, null, price.ingestedAt(), ctx, out);
        }
    }

    /**
     * Persists the facility, re-indexes it, registers its next timer and emits its decisions; a
     * band move (not a facility's first band) goes to CEP once, named by the event that reported it;
     * one {@code risk.ltv} line when the facility's record (then {@code facilityCause}) or its band changed.
     *
     * @param ingestedAt the deciding price's source read time when a price decided, else 0: the
     *     events of a command or a timer are not a tick's, even though they read the last price
     */
    private void store(FacilityState s, Band before, List<Decision> decisions, PriceView last, long t, boolean late,
            String facilityCause, long ingestedAt, Context ctx, Collector<LifecycleEvent> out) throws Exception {
        LifecycleRules r = rules(s);
        PolicyConfig policy = r.policy();
        facilities.put(s.facilityId, s);
        long timer = s.nextTimer(config.lifecycle().confirmTimeoutMs(), config.lifecycle().holdEscalateAfterMs());
        shard(ctx.getCurrentKey()).index.put(s, policy, timer);
        shardMetrics.stored(ctx.getCurrentKey(), s);
        if (timer != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(timer);
        }
        PairConfig pair = config.pair(s.pair);
        LifecycleEvent reporter = null;
        for (Decision d : decisions) {
            LifecycleEvent e = explainer.explain(
                    d, s, s.policy, policy, config.scale(pair.base()), config.scale(pair.quote()), pair.priceScale(), last, late, ingestedAt);
            out.collect(e);
            // A shortfall accompanies the trigger that reported the move; it does not name it.
            if (d.bandAfter() == s.band && d.bandBefore() != d.bandAfter() && !Decision.LIQUIDATION_SHORTFALL.equals(d.type())) {
                reporter = e;
            }
        }
        boolean bandMoved = s.band != before && s.band != null;
        if (bandMoved && before != null && reporter != null) {
            ctx.output(BAND_CHANGES, new BandChange(s.facilityId, s.borrowerId, s.pair, s.policy, t, before, s.band,
                    reporter.type(), reporter.eventId()));
        }
        if (facilityCause != null || bandMoved) {
            String cause = facilityCause != null ? facilityCause : "BAND|" + (last == null ? "-" : last.evaluationId());
            ctx.output(LTV, explainer.ltv(s, s.policy, last, t, cause, false));
        }
    }

    private void reportUnfired(long t, OnTimerContext ctx) throws Exception {
        Shard shard = shard(ctx.getCurrentKey());
        for (String id : shard.index.dueAt(t)) {
            FacilityState s = facilities.get(id);
            if (s.cureDeadline != null && s.cureDeadline == t) {
                PairConfig pair = config.pair(s.pair);
                Decision pending = new Decision("CURE_DEADLINE_PENDING", t, s.band, s.band, null, null, null, null, null, t, null);
                ctx.output(UNFIRED_DEADLINES, explainer.explain(pending, s, s.policy, rules(s).policy(),
                        config.scale(pair.base()), config.scale(pair.quote()), pair.priceScale(), shard.lastPrice, false));
            }
        }
    }

    /** A shard's clock before it has processed any instant: below every valid event time (the clock guard refuses times before 1970). */
    private static final long NOTHING_PROCESSED = Long.MIN_VALUE;

    /** A shard of this subtask in memory; its clock and last price reach keyed state at each snapshot. */
    private static final class Shard {
        final String key;
        final ShardIndex index = new ShardIndex();
        /** The latest event-time instant the shard processed: its clock while a restored watermark is behind. */
        long processedUpTo = NOTHING_PROCESSED;
        PriceView lastPrice;
        /** Whether its metrics sweep is known to be scheduled (saves a state read per price). */
        boolean sweeping;
        /** Whether it is in the list of shards to write at the next snapshot. */
        boolean unwritten;

        Shard(String key) {
            this.key = key;
        }
    }

    private Shard shard(String shardKey) throws Exception {
        Shard shard = shards.get(shardKey);
        if (shard == null) {
            // First use of this shard since the operator (re)started: rebuild from keyed state.
            shard = new Shard(shardKey);
            Long processed = processedUpTo.value();
            shard.processedUpTo = processed == null ? NOTHING_PROCESSED : processed;
            shard.lastPrice = lastPrice.value();
            List<FacilityState> measured = new ArrayList<>();
            for (Map.Entry<String, FacilityState> e : facilities.entries()) {
                FacilityState s = e.getValue();
                // On the heap backend these are the stored objects: after a restore, the facility
                // shares its map key as id and drops the copies deserialization made of the rest.
                s.facilityId = e.getKey();
                s.compact();
                if (rules(s) == null) {
                    continue; // held: neither a price nor a deadline reaches it
                }
                shard.index.put(s, rules(s).policy(), s.nextTimer(config.lifecycle().confirmTimeoutMs(), config.lifecycle().holdEscalateAfterMs()));
                measured.add(s);
            }
            shardMetrics.rebuild(shardKey, measured);
            shards.put(shardKey, shard);
        }
        return shard;
    }

    /** Sets the current key: the operator's, so that keyed state is read and written under it. */
    @FunctionalInterface
    interface KeySetter {
        void setCurrentKey(String key) throws Exception;
    }

    /**
     * Writes the clock and last price of every shard that moved since the last snapshot to keyed
     * state: {@link LtvOperator} calls it as a snapshot begins, so that the snapshot holds them.
     * Between snapshots they live in memory only: a price reaches every shard of its pair, and
     * two state writes a shard a price were most of what a price cost on RocksDB.
     */
    void writeShards(KeySetter keys) throws Exception {
        for (Shard shard : unwritten) {
            shard.unwritten = false;
            keys.setCurrentKey(shard.key);
            processedUpTo.update(shard.processedUpTo == NOTHING_PROCESSED ? null : shard.processedUpTo);
            lastPrice.update(shard.lastPrice);
        }
        unwritten.clear();
    }

    /** The facility's rules; null when the configuration has not its pair or policy (it is held). */
    private LifecycleRules rules(FacilityState s) {
        return rules.computeIfAbsent(s.policy + '|' + s.pair, k -> {
            PairConfig pair = config.pairs().get(s.pair);
            PolicyConfig policy = config.policies().get(s.policy);
            if (pair == null || policy == null) {
                return null;
            }
            return new LifecycleRules(policy, config.lifecycle(), config.scale(pair.base()), config.scale(pair.quote()));
        });
    }

    /**
     * The shard's clock: its watermark, or after a restore (when the watermark starts again from
     * nothing) the latest instant it had processed, so that what was already past stays past.
     */
    private long clock(Context ctx) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long processed = shard(ctx.getCurrentKey()).processedUpTo;
        return Math.max(watermark, processed);
    }

    /** Marks the shard for writing at the next snapshot: a flag, not a set look-up, since every price marks every shard. */
    private void unwritten(Shard shard) {
        if (!shard.unwritten) {
            shard.unwritten = true;
            unwritten.add(shard);
        }
    }

    private void processed(Shard shard, long t) {
        if (t > shard.processedUpTo) {
            shard.processedUpTo = t;
            unwritten(shard);
        }
    }

    /** The first instant after {@code now} on the shard's grid: every interval, at its offset. */
    static long nextSweep(long now, long offset) {
        return Math.floorDiv(now - offset, METRICS_SWEEP_MS) * METRICS_SWEEP_MS + METRICS_SWEEP_MS + offset;
    }

    /**
     * Where in the interval a shard is swept, so that the sweeps of a subtask's shards do not stall
     * it all at once: shard n at reverse(n)/{@link LtvStage#SHARDS} of it, n's seven bits reversed. A
     * subtask holds a contiguous run of shards (key groups); reversed, any run spreads over the
     * whole interval (a run of 16 aligned shards at every 16th of it) instead of crowding one slice.
     */
    static long sweepOffset(String shardKey) {
        int shard = KeyGroupKeys.shardOfKey(shardKey);
        int reversed = Integer.reverse(shard) >>> (Integer.SIZE - Integer.numberOfTrailingZeros(LtvStage.SHARDS));
        return (long) reversed * METRICS_SWEEP_MS / LtvStage.SHARDS;
    }

    /**
     * When a shard swept at {@code t} is swept next. The sweeps of a subtask's shards run on its
     * task thread: while they take {@code busyNanos} together, each next one waits nine times that,
     * so the metrics take at most a tenth of the operator's time.
     */
    static long sweepAfter(long t, long now, long busyNanos, long offset) {
        return nextSweep(Math.max(t, now + 9 * (busyNanos / 1_000_000)), offset);
    }

    private void scheduleSweep(long at, Context ctx) throws Exception {
        nextSweepAt.update(at);
        ctx.timerService().registerProcessingTimeTimer(at);
    }

    /** The latest sweeps of this subtask's shards, together. */
    private long subtaskSweepNanos() {
        long total = 0;
        for (long nanos : sweepNanos.values()) {
            total += nanos;
        }
        return total;
    }

    /**
     * The shard's metrics, swept on a wall-clock timer: what analysts see, never what decides.
     * They are read from the shard's book, which follows every store and is rebuilt with the index.
     */
    private void sweepMetrics(OnTimerContext ctx) throws Exception {
        String shardKey = ctx.getCurrentKey();
        String pair = KeyGroupKeys.pairOfKey(shardKey);
        if (!config.pairs().containsKey(pair)) {
            return; // a pair restored from state but no longer configured: held, not measured
        }
        PriceView last = shard(shardKey).lastPrice; // after a restore, the first sweep may come before any input
        long now = ctx.timerService().currentWatermark();
        shardMetrics.sweep(shardKey, pair, config.policies(), last == null || !last.available() ? null : last.price(), now);
    }
}
