package io.collateralrisk.divergence;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires the feed-health stage behind price evaluation:
 *
 * <pre>
 * evaluations --+--&gt; readings --[pair] CEP opening run--&gt; signals --+
 *               +------------------------------------------------+--&gt; [pair] FeedHealthFunction --&gt; REFERENCE_PRICE
 * resolutions --------------------------------------------------+                                 +-&gt; DIVERGENCE_*
 * </pre>
 *
 * Both keyed steps key by the pair's key from {@link KeyGroupKeys.PairKeys}, as price evaluation does,
 * so that pairs do not share a subtask by accident of hashing.
 */
public final class FeedHealthStage {

    public static final String UID = "feed-health";
    public static final String PATTERN_UID = "cep-divergence-opening-run";

    private FeedHealthStage() {}

    /** What the stage emits. */
    public record Result(DataStream<ReferencePrice> referencePrices, DataStream<DivergenceEvent> incidents, DataStream<DeadLetter> refused) {}

    /**
     * @param evaluations the price evaluations, with event-time timestamps
     * @param resolutions {@code DIVERGENCE_RESOLVED} records with timestamps, or null when there is no control input
     */
    public static Result apply(
            DataStream<ReferencePrice> evaluations, DataStream<FeedHealthInput> resolutions, RiskConfig config, long eventTimeHorizon) {
        DataStream<DivergenceReading> readings = evaluations
                .flatMap((ReferencePrice r, org.apache.flink.util.Collector<DivergenceReading> out) -> {
                    DivergenceReading reading = DivergenceMath.reading(r, config.divergence().threshold());
                    if (reading != null) {
                        out.collect(reading);
                    }
                })
                .returns(TypeInformation.of(DivergenceReading.class))
                .uid("divergence-readings")
                .name("divergence readings");
        KeyGroupKeys.PairKeys pairKeys = KeyGroupKeys.PairKeys.of(config.pairs().keySet());
        DataStream<IncidentSignal> signals = CEP.pattern(
                        readings.keyBy(r -> pairKeys.keyOf(r.pair()), Types.STRING), DivergencePatterns.openingRun(config.divergence()))
                .inEventTime()
                .process(new DivergencePatterns.ToSignal(), TypeInformation.of(IncidentSignal.class))
                .uid(PATTERN_UID)
                .name("cep: divergence opening run");

        TypeInformation<FeedHealthInput> inputType = TypeInformation.of(FeedHealthInput.class);
        DataStream<FeedHealthInput> inputs = evaluations.map(FeedHealthInput::of).returns(inputType).uid("feed-health-evaluations").name("evaluations in")
                .union(signals.map(FeedHealthInput::of).returns(inputType).uid("feed-health-signals").name("signals in"));
        if (resolutions != null) {
            inputs = inputs.union(resolutions);
        }
        SingleOutputStreamOperator<ReferencePrice> prices = inputs
                .keyBy(in -> pairKeys.keyOf(in.pair()), Types.STRING)
                .process(new FeedHealthFunction(config, eventTimeHorizon))
                .uid(UID)
                .name("feed health")
                .returns(ReferencePrice.class);
        return new Result(prices, prices.getSideOutput(FeedHealthFunction.INCIDENTS), prices.getSideOutput(FeedHealthFunction.REFUSED));
    }
}
