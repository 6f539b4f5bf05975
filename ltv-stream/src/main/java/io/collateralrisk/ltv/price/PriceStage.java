package io.collateralrisk.ltv.price;

import io.collateralrisk.ltv.ops.CheckedKeyedProcessOperator;
import io.collateralrisk.ltv.ops.RestoreCheck;
import io.collateralrisk.ltv.ops.RestoreReport;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.KeyGroupKeys;
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

/**
 * Price evaluation: accepted ticks in (with event-time timestamps), evaluations, alerts and late
 * ticks out. Keyed by the pair's key from {@link KeyGroupKeys.PairKeys}: the configured pairs in key
 * groups that give each its own subtask wherever the parallelism allows.
 */
public final class PriceStage {

    public static final String UID = "price-evaluation";

    private PriceStage() {}

    /** What the stage emits. */
    public record Result(
            DataStream<ReferencePrice> evaluations, DataStream<PriceAlert> alerts, DataStream<DeadLetter> lateTicks, DataStream<PriceTick> acceptedTicks,
            DataStream<RestoreReport> restoreReports) {}

    public static Result apply(DataStream<PriceTick> ticks, RiskConfig config, long eventTimeHorizon) {
        KeyGroupKeys.PairKeys pairKeys = KeyGroupKeys.PairKeys.of(config.pairs().keySet());
        SingleOutputStreamOperator<ReferencePrice> evaluations =
                ticks.keyBy(t -> pairKeys.keyOf(t.pair()), Types.STRING)
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
            KeyGroupKeys.PairKeys pairKeys = KeyGroupKeys.PairKeys.of(config.pairs().keySet());
            try (Stream<String> keys = state.getKeys("quotes", VoidNamespace.INSTANCE)) {
                keys.forEach(key -> inventory.pair(requirePairKey(pairKeys, key)));
            }
            state.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    new ValueStateDescriptor<>("last-evaluated", Types.LONG),
                    (String key, ValueState<Long> evaluated) -> {
                        inventory.pair(requirePairKey(pairKeys, key));
                        if (evaluated.value() != null) {
                            inventory.time(evaluated.value());
                        }
                    });
        });
    }

    /**
     * The pair of a restored key. State of a configured pair under a key its ticks no longer reach
     * (its plain name, from versions before key-group-aware keys, or its key under another set of
     * pairs) would be silently lost: the restore fails with the reason instead.
     */
    static String requirePairKey(KeyGroupKeys.PairKeys pairKeys, String key) {
        if (!pairKeys.reaches(key)) {
            String pair = KeyGroupKeys.pairOfKey(key);
            throw new IllegalStateException("The restored state of operator " + UID + " holds pair " + pair + " under key '" + key
                    + "', but this configuration keys it as '" + pairKeys.keyOf(pair) + "' (the pair-keyed stages' keys follow"
                    + " the configured pairs; the state was taken before key-group-aware keys or under another set of pairs)."
                    + " Restore under the pairs the savepoint was taken with, or start the job without state"
                    + " (README, \"Upgrading\").");
        }
        return KeyGroupKeys.pairOfKey(key);
    }
}
