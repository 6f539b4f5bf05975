package io.collateralrisk.jobs.input;

/**
 * One raw record of an input topic, before parsing: sources only read bytes, so that every
 * refusal happens in one place and reaches the dead-letter path with its payload.
 *
 * @param location {@code topic/partition@offset} (Kafka) or {@code file:line} (replay)
 * @param fallbackTime the time a dead letter carries when the record has no valid event time of
 *     its own: the Kafka timestamp live; 0 in a replay, whose files carry no time
 * @param ingestedAt wall-clock epoch ms when the source read the record: where
 *     {@code risk_tick_to_event_seconds} starts; never part of an output, so a replay stays
 *     deterministic
 */
public record InputRecord(String topic, String location, long fallbackTime, String payload, long ingestedAt) {}
