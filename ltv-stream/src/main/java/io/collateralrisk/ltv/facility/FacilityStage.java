package io.collateralrisk.ltv.facility;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Facility state: parsed facility events (with event-time timestamps) in, commands for the LTV stage and refusals out. */
public final class FacilityStage {

    public static final String UID = "facility-state";

    private FacilityStage() {}

    /** What the stage emits. */
    public record Result(DataStream<FacilityCommand> commands, DataStream<DeadLetter> refused, DataStream<AcceptedFacilityEvent> accepted) {}

    public static Result apply(DataStream<FacilityInput> events, RiskConfig config, long eventTimeHorizon) {
        SingleOutputStreamOperator<FacilityCommand> commands =
                events.keyBy(FacilityInput::facilityId, Types.STRING)
                        .process(new FacilityFunction(config, eventTimeHorizon))
                        .uid(UID)
                        .name("facility state")
                        .returns(FacilityCommand.class);
        return new Result(commands, commands.getSideOutput(FacilityFunction.REFUSED), commands.getSideOutput(FacilityFunction.ACCEPTED));
    }
}
