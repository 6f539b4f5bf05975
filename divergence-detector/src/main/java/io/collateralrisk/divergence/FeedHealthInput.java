package io.collateralrisk.divergence;

import io.collateralrisk.model.DivergenceResolved;
import io.collateralrisk.model.ReferencePrice;

/**
 * One input of the feed-health stage; exactly one of the first three fields is set. (Flink
 * serializes records field by field: a union record keeps the three inputs in one keyed stream.)
 *
 * @param location where a resolution came from, for a dead letter if it names no open incident
 */
public record FeedHealthInput(
        ReferencePrice evaluation, IncidentSignal signal, DivergenceResolved resolved, String location, String payload) {

    public static FeedHealthInput of(ReferencePrice evaluation) {
        return new FeedHealthInput(evaluation, null, null, null, null);
    }

    public static FeedHealthInput of(IncidentSignal signal) {
        return new FeedHealthInput(null, signal, null, null, null);
    }

    public static FeedHealthInput of(DivergenceResolved resolved, String location, String payload) {
        return new FeedHealthInput(null, null, resolved, location, payload);
    }

    public String pair() {
        return evaluation != null ? evaluation.pair() : signal != null ? signal.pair() : resolved.pair();
    }

    public long eventTime() {
        return evaluation != null ? evaluation.eventTime() : signal != null ? signal.eventTime() : resolved.eventTime();
    }
}
