package io.collateralrisk.ltv.price;

import io.collateralrisk.ltv.ops.CheckedKeyedProcessOperator;
import io.collateralrisk.ltv.ops.RestoreCheck;
import io.collateralrisk.ltv.ops.RestoreReport;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Price evaluation: accepted ticks in (with event-time timestamps), evaluations, alerts and late ticks out. */
public final class PriceStage {

    public static final String UID = "price-evaluation";

    private PriceStage() {}

    /** What the stage emits. */
    public record Result(
            DataStream<ReferencePrice> evaluations, DataStream<PriceAlert> alerts, DataStream<DeadLetter> lateTicks, DataStream<PriceTick> acceptedTicks,
            DataStream<RestoreReport> restoreReports) {}

    public static Result apply(DataStream<PriceTick> ticks, RiskConfig config, long eventTimeHorizon) {
        SingleOutputStreamOperator<ReferencePrice> evaluations =
                ticks.keyBy(PriceTick::pair, Types.STRING)
                        .transform("price evaluation", TypeInformation.of(ReferencePrice.class),
                                new CheckedKeyedProcessOperator<>(new ReferencePriceFunction(config, eventTimeHorizon), restoreCheck(config)))
                        .uid(UID);
        return new Result(
                evaluations,
                evaluations.getSideOutput(ReferencePriceFunction.PRICE_ALERTS),
                evaluations.getSideOutput(ReferencePriceFunction.LATE_TICKS),
                evaluations.getSideOutput(ReferencePriceFunction.ACCEPTED_TICKS),
                evaluations.getSideOutput(RestoreCheck.REPORTS));
    }

    /**
     * After a restore: the pairs the configuration lacks (kept, never evaluated, by {@link
     * ReferencePriceFunction}), the latest evaluation time, and the hash the state was taken under
     * (the job's {@code CONFIG_CHANGED} is reported from here: every job has this stage).
     */
    public static RestoreCheck restoreCheck(RiskConfig config) {
        return new RestoreCheck(UID, Topics.PRICES, config, true, (state, inventory) -> {
            try (Stream<String> pairs = state.getKeys("quotes", VoidNamespace.INSTANCE)) {
                pairs.forEach(inventory::pair);
            }
            state.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    new ValueStateDescriptor<>("last-evaluated", Types.LONG),
                    (String pair, ValueState<Long> evaluated) -> {
                        inventory.pair(pair);
                        if (evaluated.value() != null) {
                            inventory.time(evaluated.value());
                        }
                    });
        });
    }
}
