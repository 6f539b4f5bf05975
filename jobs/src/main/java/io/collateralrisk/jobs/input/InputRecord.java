package io.collateralrisk.jobs.input;

/**
 * One raw record of an input topic, before parsing: sources only read bytes, so that every
 * refusal happens in one place and reaches the dead-letter path with its payload.
 *
 * @param location {@code topic/partition@offset} (Kafka) or {@code file:line} (replay)
 * @param referenceClock what the record's event time is judged against ({@link ClockGuard}), and
 *     the time its dead letter carries when its own is broken: live, the Kafka record timestamp
 *     (the broker's clock on the input topics); in a replay, {@link ReplayReferenceClock};
 *     {@link ClockGuard#UNKNOWN} when there is none
 * @param ingestedAt wall-clock epoch ms when the source read the record: where
 *     {@code risk_tick_to_event_seconds} starts; never part of an output, so a replay stays
 *     deterministic
 */
public record InputRecord(String topic, String location, long referenceClock, String payload, long ingestedAt) {}
