package io.collateralrisk.divergence;

import io.collateralrisk.model.ReferencePrice;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The feed-health stage of the per-pair chain, keyed by pair: it decides whether a divergence
 * incident is open and which price the LTV stage uses. Until the divergence detector fills it
 * in, no incident is ever open and the LTV price is the median.
 */
public class FeedHealthFunction extends KeyedProcessFunction<String, ReferencePrice, ReferencePrice> {

    @Override
    public void processElement(ReferencePrice evaluation, Context ctx, Collector<ReferencePrice> out) {
        out.collect(evaluation.withFeedHealth(false, evaluation.median()));
    }
}
