package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.ops.CheckedKeyedCoProcessOperator;
import io.collateralrisk.ltv.ops.RestoreCheck;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs {@link LtvFunction} with prices broadcast to every subtask instead of sent to every shard.
 *
 * <p>A pair has {@link LtvStage#SHARDS} shards, and every shard must see every price of its pair.
 * Sending one record per shard cost 128 records a price on the network, each buffered in its
 * shard's state behind its own timer. Here a price reaches each subtask once, waits in the
 * operator until the watermark passes its instant, and is then handed to the function under the
 * key of each of the subtask's shards of the pair, in the same order as before: at an instant, a
 * shard's timer (commands, then the price, then deadlines) runs first; every shard without a timer
 * at that instant then takes the price. A shard that has already processed the instant skips it
 * ({@link LtvFunction}), so a price the restored state of a shard has seen is never applied twice.
 *
 * <p>Waiting prices are operator state: every subtask holds the same copy (all received the same
 * broadcast), kept as union state and de-duplicated by (instant, pair) on restore, so any
 * parallelism restores them.
 */
public class LtvOperator extends CheckedKeyedCoProcessOperator<PriceUpdate, FacilityCommand, LifecycleEvent>
        implements LtvFunction.WaitingPrices {

    private static final long serialVersionUID = 1L;

    private final LtvFunction function;

    /** Instant -> pair -> the price waiting for the watermark to pass it. */
    private transient TreeMap<Long, Map<String, PriceUpdate>> waiting;
    private transient ListState<PriceUpdate> waitingState;
    /** Pair -> the keys of this subtask's shards of the pair. */
    private transient Map<String, List<String>> localShards;

    public LtvOperator(LtvFunction function, RestoreCheck check) {
        super(function, check);
        this.function = function;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        waiting = new TreeMap<>();
        waitingState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("ltv-waiting-prices", TypeInformation.of(PriceUpdate.class)));
        for (PriceUpdate p : waitingState.get()) {
            waiting.computeIfAbsent(p.eventTime(), t -> new LinkedHashMap<>()).putIfAbsent(p.pair(), p);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        localShards = new HashMap<>();
        function.readWaitingPricesFrom(this);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        function.writeShards(this::setCurrentKey);
        super.snapshotState(context);
        List<PriceUpdate> all = new ArrayList<>();
        for (Map<String, PriceUpdate> atT : waiting.values()) {
            all.addAll(atT.values());
        }
        waitingState.update(all);
    }

    /** A pair's price: applied now if the watermark has passed its instant, else kept until it does. */
    @Override
    public void processElement1(StreamRecord<PriceUpdate> element) throws Exception {
        PriceUpdate price = element.getValue();
        if (price.eventTime() <= currentWatermark()) {
            applyToShards(price);
        } else {
            waiting.computeIfAbsent(price.eventTime(), t -> new LinkedHashMap<>()).put(price.pair(), price);
        }
    }

    /**
     * Moves event time instant by instant through the waiting prices: timers up to the instant
     * (a shard's timer at it applies the price itself, {@link LtvFunction#onTimer}), then the
     * price to every shard still short of it; then the rest of the way to the watermark.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        while (!waiting.isEmpty() && waiting.firstKey() <= mark.getTimestamp()) {
            long t = waiting.firstKey();
            if (timeServiceManager != null) {
                timeServiceManager.advanceWatermark(new Watermark(t));
            }
            for (PriceUpdate price : waiting.get(t).values()) {
                applyToShards(price);
            }
            waiting.remove(t);
        }
        super.processWatermark(mark);
    }

    @Override
    public PriceUpdate waitingAt(long t, String pair) {
        Map<String, PriceUpdate> atT = waiting.get(t);
        return atT == null ? null : atT.get(pair);
    }

    private void applyToShards(PriceUpdate price) throws Exception {
        StreamRecord<PriceUpdate> record = new StreamRecord<>(price, price.eventTime());
        for (String shard : localShards.computeIfAbsent(price.pair(), this::shardsHere)) {
            setCurrentKey(shard);
            super.processElement1(record);
        }
    }

    private List<String> shardsHere(String pair) {
        var task = getRuntimeContext().getTaskInfo();
        int keyGroups = task.getMaxNumberOfParallelSubtasks();
        KeyGroupRange range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                keyGroups, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        List<String> here = new ArrayList<>();
        for (String key : KeyGroupKeys.ltvShardKeys(pair)) {
            if (range.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, keyGroups))) {
                here.add(key);
            }
        }
        return List.copyOf(here);
    }

    private long currentWatermark() {
        return timeServiceManager == null ? Long.MIN_VALUE : combinedWatermark.getCombinedWatermark();
    }
}
