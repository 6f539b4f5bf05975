package io.collateralrisk.ltv.facility;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Facility state: parsed facility events (with event-time timestamps) in, commands for the LTV stage
 * and refusals out. The stage runs on the price clock: it is joined with a stream that carries no
 * records, only the prices' watermarks, so that live, where facility events have no clock of their
 * own, what is applied late and when a closed facility's marker expires follow the price clock.
 */
public final class FacilityStage {

    public static final String UID = "facility-state";

    private FacilityStage() {}

    /** What the stage emits. */
    public record Result(DataStream<FacilityCommand> commands, DataStream<DeadLetter> refused, DataStream<AcceptedFacilityEvent> accepted) {}

    /** @param priceClock no records, the price clock's watermarks */
    public static Result apply(DataStream<FacilityInput> events, DataStream<PriceTick> priceClock, RiskConfig config, long eventTimeHorizon) {
        SingleOutputStreamOperator<FacilityCommand> commands =
                events.keyBy(FacilityInput::facilityId, Types.STRING)
                        .connect(priceClock.keyBy(tick -> tick.pair(), Types.STRING))
                        .transform("facility state", TypeInformation.of(FacilityCommand.class),
                                new FacilityFunction.Operator(new FacilityFunction(config, eventTimeHorizon)))
                        .uid(UID);
        return new Result(commands, commands.getSideOutput(FacilityFunction.REFUSED), commands.getSideOutput(FacilityFunction.ACCEPTED));
    }
}
