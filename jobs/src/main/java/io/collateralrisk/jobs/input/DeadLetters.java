package io.collateralrisk.jobs.input;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Turns parse refusals into dead letters. They are counted, with every other stage's, where all
 * dead letters meet on their way out ({@code DeadLetterMetrics}: {@code risk_dead_letters{topic, reason}}).
 */
public final class DeadLetters {

    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    public DeadLetter refuse(InputRecord record, InvalidInputException e) {
        return DeadLetter.of(
                InputParser.eventTimeOrElse(record.payload(), record.fallbackTime()),
                record.topic(),
                record.location(),
                e.reason(),
                e.detail(),
                record.payload());
    }
}
