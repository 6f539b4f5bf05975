package io.collateralrisk.model;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic ids: name-based UUIDs of the record's type, key, event time and cause, so the
 * same input yields the same ids after a restart or in a replay and consumers can de-duplicate.
 */
public final class EventIds {

    private EventIds() {}

    /** The id of the evaluation of {@code pair} at event time {@code t}. */
    public static String evaluationId(String pair, long t) {
        return of("EVALUATION", pair, t, "");
    }

    /** The id of an output record. */
    public static String of(String type, String key, long eventTime, String cause) {
        String name = type + '|' + key + '|' + eventTime + '|' + cause;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
