package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Cross-margined portfolios in Flink: a thin adapter over {@link PortfolioBook}, scaled as the LTV
 * stage is. Wallets live in {@link KeyGroupKeys#PORTFOLIO_SHARDS} shards, one per key group;
 * reference prices reach each subtask once and are applied to each of its shards.
 *
 * <pre>
 *  PortfolioInput [wallet shard] --&gt; clock passed t? apply now, appliedLate --&gt; SolvencyEvent (risk.solvency)
 *                                     else kept in keyed state, timer at t      +--&gt; DeadLetter ({@link #REFUSED})
 *  QuoteUpdate    [broadcast]    --&gt; kept until the watermark passes t, then to each local shard
 *  at t, per shard (its timer, when it has events at t):
 *    1. portfolio events at t, by wallet (a wallet's in arrival order) -&gt; PortfolioBook.apply
 *    2. every pair's evaluation at t, together -&gt; PortfolioBook.onQuotes (the price-band index picks the portfolios)
 *  every other shard takes 2. alone when the watermark passes t
 *
 *  keyed state (per shard): wallets (MapState wallet -&gt; StoredWallet), quotes (MapState pair -&gt;
 *                           QuoteUpdate), pending events by instant, the instant processed last
 *  operator state:          evaluations waiting for the watermark (union: every subtask holds the same)
 *  in memory:               per shard its PortfolioBook with its index, rebuilt from keyed state at
 *                           the shard's first use after a (re)start, and its quotes and clock, written
 *                           to keyed state as each snapshot begins (every price moves every shard's)
 * </pre>
 *
 * The price clock decides, never the wall clock: at one instant portfolio events apply before the
 * evaluations (an evaluation at {@code t} sees every event at or before {@code t} that has arrived),
 * so the same input gives the same events in any interleaving. A shard's clock is the watermark or
 * the latest instant it processed, whichever is later; the latter is keyed state, so a restored
 * operator, whose watermark starts again from nothing, applies late exactly what was late before.
 * A shard applies a pair's evaluation once: one not newer than the pair's quote it holds is skipped
 * (a restored shard that had applied it, or a shard whose timer applied it first).
 *
 * <p>Stale records (a version not newer than the position's last) are counted
 * ({@value #STALE_METRIC}); refused ones are dead-lettered with the book's reason.
 */
public class PortfolioOperator extends AbstractStreamOperator<SolvencyEvent>
        implements TwoInputStreamOperator<QuoteUpdate, PortfolioInput, SolvencyEvent>, Triggerable<String, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> REFUSED = new OutputTag<>("portfolio-refused", TypeInformation.of(DeadLetter.class));
    public static final String STALE_METRIC = "risk_portfolio_events_stale";

    /** Events at one instant, by wallet; the sort is stable, so one wallet's keep their arrival order. */
    private static final Comparator<PortfolioInput> EVENT_ORDER = Comparator.comparing(PortfolioInput::wallet);

    private final RiskConfig config;
    private final String codeVersion;

    private transient MapState<String, StoredWallet> wallets;
    private transient MapState<String, QuoteUpdate> quotes;
    private transient MapState<Long, List<PortfolioInput>> pending;
    private transient ValueState<Long> processedUpTo;
    private transient InternalTimerService<VoidNamespace> timers;

    /** Instant -> pair -> the evaluation waiting for the watermark to pass it. */
    private transient TreeMap<Long, Map<String, QuoteUpdate>> waiting;
    private transient ListState<QuoteUpdate> waitingState;
    /** Shard -> its book, quotes and clock, loaded from keyed state at first use. */
    private transient Map<String, Shard> shards;
    /** Shards whose quotes or clock changed since they were last written to keyed state. */
    private transient List<Shard> unwritten;
    private transient List<String> localShards;
    private transient Counter stale;

    public PortfolioOperator(RiskConfig config, String codeVersion) {
        this.config = config;
        this.codeVersion = codeVersion;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        waiting = new TreeMap<>();
        waitingState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("portfolio-waiting-prices", TypeInformation.of(QuoteUpdate.class)));
        for (QuoteUpdate q : waitingState.get()) {
            waiting.computeIfAbsent(q.eventTime(), t -> new TreeMap<>()).putIfAbsent(q.pair(), q);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        wallets = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("wallets", Types.STRING, TypeInformation.of(StoredWallet.class)));
        quotes = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("quotes", Types.STRING, TypeInformation.of(QuoteUpdate.class)));
        pending = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("pending-events", Types.LONG, new ListTypeInfo<>(TypeInformation.of(PortfolioInput.class))));
        processedUpTo = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("processed-up-to", Types.LONG));
        timers = getInternalTimerService("portfolio-events", VoidNamespaceSerializer.INSTANCE, this);
        shards = new HashMap<>();
        unwritten = new ArrayList<>();
        stale = getMetricGroup().counter(STALE_METRIC);
        var task = getRuntimeContext().getTaskInfo();
        int keyGroups = task.getMaxNumberOfParallelSubtasks();
        KeyGroupRange range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                keyGroups, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        List<String> here = new ArrayList<>();
        for (String key : KeyGroupKeys.portfolioShardKeys()) {
            if (range.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, keyGroups))) {
                here.add(key);
            }
        }
        localShards = List.copyOf(here);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        writeShards();
        super.snapshotState(context);
        List<QuoteUpdate> all = new ArrayList<>();
        waiting.values().forEach(atT -> all.addAll(atT.values()));
        waitingState.update(all);
    }

    /** An evaluation: applied now if the watermark has passed its instant, else kept until it does. */
    @Override
    public void processElement1(StreamRecord<QuoteUpdate> element) throws Exception {
        QuoteUpdate q = element.getValue();
        if (q.eventTime() <= combinedWatermark.getCombinedWatermark()) {
            applyToShards(List.of(q));
        } else {
            waiting.computeIfAbsent(q.eventTime(), t -> new TreeMap<>()).put(q.pair(), q);
        }
    }

    /** A portfolio event, under its wallet's shard: applied when the shard's clock reaches it, or at once and late. */
    @Override
    public void processElement2(StreamRecord<PortfolioInput> element) throws Exception {
        PortfolioInput in = element.getValue();
        long t = in.eventTime();
        if (t <= clock()) {
            apply(in, true);
            return;
        }
        List<PortfolioInput> atT = pending.get(t);
        if (atT == null) {
            atT = new ArrayList<>(2);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, t);
        }
        atT.add(in);
        pending.put(t, atT);
    }

    /**
     * Moves event time instant by instant through the waiting evaluations: timers up to the
     * instant (a shard with events at it applies them, then the instant's evaluations), then the
     * evaluations to every shard still short of them; then the rest of the way to the watermark.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        while (!waiting.isEmpty() && waiting.firstKey() <= mark.getTimestamp()) {
            long t = waiting.firstKey();
            timeServiceManager.advanceWatermark(new Watermark(t));
            applyToShards(waiting.remove(t).values());
        }
        super.processWatermark(mark);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        long t = timer.getTimestamp();
        List<PortfolioInput> events = pending.get(t);
        if (events != null) {
            pending.remove(t);
            events.sort(EVENT_ORDER);
            for (PortfolioInput in : events) {
                apply(in, false);
            }
        }
        processed(shard(), t);
        Map<String, QuoteUpdate> atT = waiting.get(t);
        if (atT != null) {
            applyQuotes(atT.values());
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // none registered
    }

    private void applyToShards(Collection<QuoteUpdate> atOneInstant) throws Exception {
        for (String shard : localShards) {
            setCurrentKey(shard);
            applyQuotes(atOneInstant);
        }
    }

    /**
     * The evaluations of one instant to the current shard, all at once ({@link PortfolioBook#onQuotes}),
     * leaving out any pair whose quote the shard holds at this instant or a later one already.
     */
    private void applyQuotes(Collection<QuoteUpdate> atOneInstant) throws Exception {
        Shard shard = shard();
        List<QuoteUpdate> fresh = new ArrayList<>(atOneInstant.size());
        for (QuoteUpdate q : atOneInstant) {
            QuoteUpdate held = shard.quotes.get(q.pair());
            if (held == null || held.eventTime() < q.eventTime()) {
                fresh.add(q);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        PortfolioBook book = shard.book;
        for (QuoteUpdate q : fresh) {
            shard.quotes.put(q.pair(), q);
            processed(shard, q.eventTime());
        }
        unwritten(shard);
        List<SolvencyEvent> events = book.onQuotes(fresh);
        // A price changes a wallet's durable state only where a portfolio changed state: it emitted then.
        TreeSet<String> changed = new TreeSet<>();
        events.forEach(e -> changed.add(e.wallet()));
        for (String wallet : changed) {
            wallets.put(wallet, book.exportWallet(wallet));
        }
        emit(events);
    }

    private void apply(PortfolioInput in, boolean appliedLate) throws Exception {
        PortfolioBook book = shard().book;
        PortfolioOutcome outcome = book.apply(in.event(), appliedLate);
        switch (outcome.kind()) {
            case STALE -> stale.inc();
            case REFUSED -> output.collect(REFUSED, new StreamRecord<>(DeadLetter.of(
                    in.eventTime(), Topics.PORTFOLIO_EVENTS, in.location(), outcome.reason(), outcome.detail(), in.payload()),
                    in.eventTime()));
            case APPLIED -> {
                wallets.put(in.wallet(), book.exportWallet(in.wallet()));
                emit(outcome.events());
            }
        }
    }

    private void emit(List<SolvencyEvent> events) {
        for (SolvencyEvent e : events) {
            output.collect(new StreamRecord<>(e, e.eventTime()));
        }
    }

    /** A shard of this subtask in memory: its book, and the quotes and clock that reach keyed state at each snapshot. */
    private static final class Shard {
        final String key;
        final PortfolioBook book;
        /** Pair -> the evaluation the shard applied last. */
        final Map<String, QuoteUpdate> quotes = new HashMap<>();
        /** The latest instant the shard processed: its clock while a restored watermark is behind. */
        long processedUpTo = Long.MIN_VALUE;
        /** Whether it is in the list of shards to write at the next snapshot. */
        boolean unwritten;

        Shard(String key, PortfolioBook book) {
            this.key = key;
            this.book = book;
        }
    }

    /** The current shard; after a (re)start, rebuilt from its keyed state at first use. */
    private Shard shard() throws Exception {
        String key = (String) getCurrentKey();
        Shard shard = shards.get(key);
        if (shard == null) {
            shard = new Shard(key, new PortfolioBook(config, codeVersion));
            for (Map.Entry<String, QuoteUpdate> q : quotes.entries()) {
                shard.quotes.put(q.getKey(), q.getValue());
                shard.book.restoreQuote(q.getKey(), q.getValue().quote());
            }
            for (Map.Entry<String, StoredWallet> w : wallets.entries()) {
                shard.book.restoreWallet(w.getKey(), w.getValue());
            }
            shard.book.reindex();
            Long processed = processedUpTo.value();
            shard.processedUpTo = processed == null ? Long.MIN_VALUE : processed;
            shards.put(key, shard);
        }
        return shard;
    }

    /**
     * Writes the quotes and clock of every shard that moved since the last snapshot to keyed state,
     * as a snapshot begins. Between snapshots they live in memory only: every price reaches every
     * shard, and on RocksDB a state read and write per shard and price would cost more than the
     * price's whole evaluation.
     */
    private void writeShards() throws Exception {
        for (Shard shard : unwritten) {
            shard.unwritten = false;
            setCurrentKey(shard.key);
            for (Map.Entry<String, QuoteUpdate> q : shard.quotes.entrySet()) {
                quotes.put(q.getKey(), q.getValue());
            }
            processedUpTo.update(shard.processedUpTo == Long.MIN_VALUE ? null : shard.processedUpTo);
        }
        unwritten.clear();
    }

    private void unwritten(Shard shard) {
        if (!shard.unwritten) {
            shard.unwritten = true;
            unwritten.add(shard);
        }
    }

    /** The current shard's clock: the watermark, or after a restore the latest instant it had processed. */
    private long clock() throws Exception {
        return Math.max(combinedWatermark.getCombinedWatermark(), shard().processedUpTo);
    }

    private void processed(Shard shard, long t) {
        if (t > shard.processedUpTo) {
            shard.processedUpTo = t;
            unwritten(shard);
        }
    }

    /** Stale records counted by this subtask so far. */
    long staleEvents() {
        return stale.getCount();
    }
}
