package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.ltv.ops.RestoreCheck;
import io.collateralrisk.ltv.ops.RestoreReport;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;

/**
 * Wires the LTV stage: prices broadcast to every subtask, which applies them to its shards of the
 * pair ({@link LtvOperator}), commands to their facility's shard. A pair has one shard per key group ({@link KeyGroupKeys}), so its facilities spread evenly
 * over every subtask at any parallelism up to the maxParallelism, and a rescale moves whole shards.
 */
public final class LtvStage {

    /** Shards per pair: one per key group. Part of the state layout, with the keys {@link KeyGroupKeys} gives them. */
    public static final int SHARDS = KeyGroupKeys.LTV_SHARDS;
    public static final String UID = "ltv-lifecycle";

    private LtvStage() {}

    /** What the stage emits. */
    public record Result(
            DataStream<LifecycleEvent> events, DataStream<LtvUpdate> ltv, DataStream<BandChange> bandChanges,
            DataStream<LifecycleEvent> unfiredDeadlines, DataStream<RestoreReport> restoreReports) {}

    public static String shardOf(String pair, String facilityId) {
        return KeyGroupKeys.ltvShardKey(pair, facilityId);
    }

    public static Result apply(
            DataStream<ReferencePrice> prices, DataStream<FacilityCommand> commands, RiskConfig config, String codeVersion,
            long eventTimeHorizon) {
        // One record a price to each subtask; the operator applies it to the subtask's shards of the pair.
        DataStream<PriceUpdate> updates = prices
                .map(r -> new PriceUpdate(r.pair(), r.pair(), r.eventTime(), r.evaluationId(), r.price(),
                        r.status() == PriceStatus.OK, r.incidentOpen(), r.ingestedAt()))
                .returns(TypeInformation.of(PriceUpdate.class))
                .uid("ltv-price-fan-out")
                .name("price to LTV subtasks");
        SingleOutputStreamOperator<LifecycleEvent> events = updates
                .broadcast()
                .connect(commands.keyBy(c -> shardOf(c.pair(), c.facilityId()), Types.STRING))
                .transform("LTV and lifecycle", TypeInformation.of(LifecycleEvent.class),
                        new LtvOperator(new LtvFunction(config, codeVersion, eventTimeHorizon), restoreCheck(config)))
                .uid(UID);
        return new Result(events, events.getSideOutput(LtvFunction.LTV), events.getSideOutput(LtvFunction.BAND_CHANGES),
                events.getSideOutput(LtvFunction.UNFIRED_DEADLINES), events.getSideOutput(RestoreCheck.REPORTS));
    }

    /**
     * After a restore: the facilities whose pair or policy the configuration lacks (held by
     * {@link LtvFunction}), and the latest price time in the state.
     */
    public static RestoreCheck restoreCheck(RiskConfig config) {
        return new RestoreCheck(UID, Topics.FACILITY_EVENTS, config, false, (state, inventory) -> {
            state.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    new MapStateDescriptor<>("facilities", Types.STRING, TypeInformation.of(FacilityState.class)),
                    (String key, MapState<String, FacilityState> facilities) -> {
                        requireShardKey(key);
                        for (FacilityState s : facilities.values()) {
                            inventory.facility(s.pair, s.policy);
                        }
                    });
            state.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    new ValueStateDescriptor<>("last-price", TypeInformation.of(PriceView.class)),
                    (String key, ValueState<PriceView> last) -> {
                        requireShardKey(key);
                        if (last.value() != null) {
                            inventory.time(last.value().eventTime());
                        }
                    });
        });
    }

    /**
     * Restored state under a key this layout never uses (the {@code pair#0..7} shards of earlier
     * versions) would be state no input reaches: its facilities never decided again. The restore
     * fails with the reason instead.
     */
    static void requireShardKey(String key) {
        if (!KeyGroupKeys.isLtvShardKey(key)) {
            throw new IllegalStateException("The restored state of operator " + UID + " holds key '" + key
                    + "', which this version's LTV shards never use (earlier versions keyed eight shards"
                    + " a pair as pair#0..7): its facilities would never be decided again. This version cannot restore"
                    + " the LTV stage from that savepoint: start it without state and replay the facility-events"
                    + " topic (README, \"Upgrading\").");
        }
    }
}
