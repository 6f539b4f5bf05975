package io.collateralrisk.ltv.liquidation;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.ltv.PriceUpdate;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires the pair-wide circuit breaker behind the LTV stage: the stage's lifecycle events and band
 * changes from every shard, the facility commands, the reference prices and the operators'
 * {@code HOLDS_RELEASED}, all keyed by pair (the pair's key from {@link KeyGroupKeys.PairKeys}, so that
 * pairs do not share a subtask by accident of hashing).
 */
public final class CircuitBreakerStage {

    public static final String UID = "circuit-breaker";

    private CircuitBreakerStage() {}

    /** What leaves the stage: the lifecycle events of the job, and the band changes CEP watches. */
    public record Result(DataStream<LifecycleEvent> events, DataStream<BandChange> bandChanges) {}

    /** @param releases the operators' releases with event-time timestamps, or null when there is no control input */
    public static Result apply(
            DataStream<LifecycleEvent> events, DataStream<BandChange> bandChanges, DataStream<FacilityCommand> commands,
            DataStream<ReferencePrice> prices, DataStream<HoldsReleased> releases, RiskConfig config, String codeVersion,
            long eventTimeHorizon) {
        TypeInformation<BreakerInput> type = TypeInformation.of(BreakerInput.class);
        DataStream<BreakerInput> inputs = events.map(BreakerInput::of).returns(type).uid("breaker-events").name("lifecycle events to breaker")
                .union(
                        bandChanges.map(BreakerInput::of).returns(type).uid("breaker-band-changes").name("band changes to breaker"),
                        commands.map(BreakerInput::of).returns(type).uid("breaker-commands").name("facility commands to breaker"),
                        prices.map(r -> BreakerInput.of(new PriceUpdate(r.pair(), r.pair(), r.eventTime(), r.evaluationId(), r.price(),
                                        r.status() == PriceStatus.OK, r.incidentOpen(), r.ingestedAt())))
                                .returns(type).uid("breaker-prices").name("prices to breaker"));
        if (releases != null) {
            inputs = inputs.union(releases.map(BreakerInput::of).returns(type).uid("breaker-releases").name("holds released to breaker"));
        }
        KeyGroupKeys.PairKeys pairKeys = KeyGroupKeys.PairKeys.of(config.pairs().keySet());
        SingleOutputStreamOperator<LifecycleEvent> out = inputs
                .keyBy(in -> pairKeys.keyOf(in.pair()), Types.STRING)
                .process(new CircuitBreakerFunction(config, codeVersion, eventTimeHorizon))
                .uid(UID)
                .name("circuit breaker")
                .returns(LifecycleEvent.class);
        return new Result(out, out.getSideOutput(CircuitBreakerFunction.BAND_CHANGES));
    }
}
