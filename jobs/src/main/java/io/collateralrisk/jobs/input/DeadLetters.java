package io.collateralrisk.jobs.input;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Turns parse and clock-guard refusals into dead letters. They are counted, with every other stage's, where all
 * dead letters meet on their way out ({@code DeadLetterMetrics}: {@code risk_dead_letters{topic, reason}}).
 * A dead letter keeps the raw payload but never a broken clock: its time is the record's event time
 * only when the clock guard accepts it, else the record's reference clock
 * ({@link ClockGuard#deadLetterTime}), so its Kafka timestamp is always one a broker takes.
 */
public final class DeadLetters {

    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final long maxAheadMs;

    public DeadLetters(long maxAheadMs) {
        this.maxAheadMs = maxAheadMs;
    }

    public DeadLetter refuse(InputRecord record, InvalidInputException e) {
        return refuse(record, InputParser.eventTimeOrElse(record.payload(), ClockGuard.UNKNOWN), e.reason(), e.detail());
    }

    /** A record refused by {@link ClockGuard}, whose event time is known. */
    public DeadLetter refuse(InputRecord record, long eventTime, String reason, String detail) {
        return DeadLetter.of(
                ClockGuard.deadLetterTime(eventTime, record.referenceClock(), maxAheadMs),
                record.topic(),
                record.location(),
                reason,
                detail,
                record.payload());
    }
}
