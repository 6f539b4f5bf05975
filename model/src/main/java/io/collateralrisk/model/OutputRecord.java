package io.collateralrisk.model;

import io.collateralrisk.model.json.OutputJson;
import java.util.Comparator;

/**
 * One record for an output topic, already in its JSON form: what every sink (Kafka, replay files)
 * writes. {@link #ORDER} is the replay files' order: event time, then key, then id.
 *
 * @param tombstone written to Kafka with a null value (a compacted topic forgets the key); files keep {@code json}
 */
public record OutputRecord(String topic, String key, long eventTime, String eventId, String json, boolean tombstone) {

    public static final Comparator<OutputRecord> ORDER =
            Comparator.comparingLong(OutputRecord::eventTime)
                    .thenComparing(OutputRecord::key)
                    .thenComparing(OutputRecord::eventId);

    public static OutputRecord of(ReferencePrice r) {
        return new OutputRecord(Topics.REFERENCE_PRICES, r.pair(), r.eventTime(), r.eventId(), OutputJson.referencePrice(r), false);
    }

    public static OutputRecord of(PriceAlert a) {
        return new OutputRecord(Topics.PRICE_ALERTS, a.pair(), a.eventTime(), a.eventId(), OutputJson.priceAlert(a), false);
    }

    /** Dead letters are keyed by the topic the record came from. */
    public static OutputRecord of(DeadLetter d) {
        return new OutputRecord(Topics.DEAD_LETTER, d.topic(), d.eventTime(), d.eventId(), OutputJson.deadLetter(d), false);
    }

    /** Lifecycle events and CEP flags are keyed by facility. */
    public static OutputRecord of(LifecycleEvent e) {
        return new OutputRecord(Topics.MARGIN_CALLS, e.facilityId(), e.eventTime(), e.eventId(), OutputJson.lifecycleEvent(e), false);
    }

    /** Divergence incidents are keyed by pair. */
    public static OutputRecord of(DivergenceEvent e) {
        return new OutputRecord(Topics.DIVERGENCE, e.pair(), e.eventTime(), e.eventId(), OutputJson.divergenceEvent(e), false);
    }

    public static OutputRecord of(LtvUpdate u) {
        return new OutputRecord(Topics.LTV, u.facilityId(), u.eventTime(), u.eventId(), OutputJson.ltvUpdate(u), u.closed());
    }

    /** Custody events are keyed by custody, on the solvency topic. */
    public static OutputRecord of(CustodyEvent e) {
        return new OutputRecord(Topics.SOLVENCY, e.custody(), e.eventTime(), e.eventId(), OutputJson.custodyEvent(e), false);
    }

    /** Portfolio events are keyed by wallet, on the solvency topic: one wallet's portfolios stay in order on one partition. */
    public static OutputRecord of(SolvencyEvent e) {
        return new OutputRecord(Topics.SOLVENCY, e.wallet(), e.eventTime(), e.eventId(), OutputJson.solvencyEvent(e), false);
    }

    /** Ops alerts are keyed by the input topic they concern. */
    public static OutputRecord of(OpsAlert a) {
        return new OutputRecord(Topics.OPS_ALERTS, a.topic(), a.eventTime(), a.eventId(), OutputJson.opsAlert(a), false);
    }
}
