package io.collateralrisk.sinks;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.OutputJson;
import java.util.Comparator;

/**
 * One record for an output topic, already in its JSON form: what every sink (Kafka, replay files)
 * writes. {@link #ORDER} is the replay files' order: event time, then key, then id.
 */
public record OutputRecord(String topic, String key, long eventTime, String eventId, String json) {

    public static final Comparator<OutputRecord> ORDER =
            Comparator.comparingLong(OutputRecord::eventTime)
                    .thenComparing(OutputRecord::key)
                    .thenComparing(OutputRecord::eventId);

    public static OutputRecord of(ReferencePrice r) {
        return new OutputRecord(Topics.REFERENCE_PRICES, r.pair(), r.eventTime(), r.eventId(), OutputJson.referencePrice(r));
    }

    public static OutputRecord of(PriceAlert a) {
        return new OutputRecord(Topics.PRICE_ALERTS, a.pair(), a.eventTime(), a.eventId(), OutputJson.priceAlert(a));
    }

    /** Dead letters are keyed by the topic the record came from. */
    public static OutputRecord of(DeadLetter d) {
        return new OutputRecord(Topics.DEAD_LETTER, d.topic(), d.eventTime(), d.eventId(), OutputJson.deadLetter(d));
    }
}
