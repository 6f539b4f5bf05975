package io.collateralrisk.model;

/**
 * An input record that was refused, with the raw payload and a machine-readable reason such as
 * {@code MALFORMED_JSON} or {@code MISSING_FIELD:price}.
 *
 * @param eventTime the record's own event time when it has a valid one; otherwise the Kafka
 *     timestamp of the record, or 0 in a replay (files carry no time)
 * @param location where the record came from: {@code topic/partition@offset} or {@code file:line}
 */
public record DeadLetter(
        String eventId,
        long eventTime,
        String topic,
        String location,
        String reason,
        String detail,
        String payload) {

    public static final String TYPE = "DEAD_LETTER";

    public static DeadLetter of(
            long eventTime, String topic, String location, String reason, String detail, String payload) {
        String id = EventIds.of(TYPE, topic, eventTime, location + '|' + reason);
        return new DeadLetter(id, eventTime, topic, location, reason, detail, payload);
    }

    /** The reason without its field suffix ({@code MISSING_FIELD:price} -> {@code MISSING_FIELD}): a bounded metric label. */
    public String reasonCategory() {
        int colon = reason.indexOf(':');
        return colon < 0 ? reason : reason.substring(0, colon);
    }
}
