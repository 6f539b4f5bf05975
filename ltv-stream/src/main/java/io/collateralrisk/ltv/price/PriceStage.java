package io.collateralrisk.ltv.price;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Price evaluation: accepted ticks in (with event-time timestamps), evaluations, alerts and late ticks out. */
public final class PriceStage {

    public static final String UID = "price-evaluation";

    private PriceStage() {}

    /** What the stage emits. */
    public record Result(
            DataStream<ReferencePrice> evaluations, DataStream<PriceAlert> alerts, DataStream<DeadLetter> lateTicks, DataStream<PriceTick> acceptedTicks) {}

    public static Result apply(DataStream<PriceTick> ticks, RiskConfig config, long eventTimeHorizon) {
        SingleOutputStreamOperator<ReferencePrice> evaluations =
                ticks.keyBy(PriceTick::pair, Types.STRING)
                        .process(new ReferencePriceFunction(config, eventTimeHorizon))
                        .uid(UID)
                        .name("price evaluation")
                        .returns(ReferencePrice.class);
        return new Result(
                evaluations,
                evaluations.getSideOutput(ReferencePriceFunction.PRICE_ALERTS),
                evaluations.getSideOutput(ReferencePriceFunction.LATE_TICKS),
                evaluations.getSideOutput(ReferencePriceFunction.ACCEPTED_TICKS));
    }
}
