package io.collateralrisk.divergence;

import io.collateralrisk.model.ReferencePrice;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;

/** Wires the feed-health stage behind price evaluation, on the same pair partitioning (no shuffle). */
public final class FeedHealthStage {

    public static final String UID = "feed-health";

    private FeedHealthStage() {}

    /** @param evaluations already partitioned by pair (the price-evaluation operator's output) */
    public static DataStream<ReferencePrice> apply(DataStream<ReferencePrice> evaluations) {
        return DataStreamUtils.reinterpretAsKeyedStream(evaluations, ReferencePrice::pair)
                .process(new FeedHealthFunction())
                .uid(UID)
                .name("feed health")
                .returns(ReferencePrice.class);
    }
}
