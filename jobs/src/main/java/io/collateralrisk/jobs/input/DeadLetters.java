package io.collateralrisk.jobs.input;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;

/** Turns refusals into dead letters and counts them by reason ({@code risk_dead_letters{reason=...}}). */
public final class DeadLetters {

    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Reason categories pre-registered at zero so dashboards see every series from the start. */
    private static final String[] KNOWN_REASONS = {
        "MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNKNOWN_TYPE", "MISSING_FIELD", "INVALID_FIELD", "INVALID_TIME",
        "INVALID_DECIMAL", "NON_FINITE_PRICE", "NON_POSITIVE_PRICE", "NEGATIVE_AMOUNT", "OUT_OF_BOUNDS", "UNKNOWN_PAIR"
    };

    private final MetricGroup metrics;
    private final Map<String, Counter> byReason = new HashMap<>();

    public DeadLetters(MetricGroup metrics) {
        this.metrics = metrics;
        for (String reason : KNOWN_REASONS) {
            counter(reason);
        }
    }

    public DeadLetter refuse(InputRecord record, InvalidInputException e) {
        DeadLetter letter = DeadLetter.of(
                InputParser.eventTimeOrElse(record.payload(), record.fallbackTime()),
                record.topic(),
                record.location(),
                e.reason(),
                e.detail(),
                record.payload());
        counter(letter.reasonCategory()).inc();
        return letter;
    }

    private Counter counter(String category) {
        return byReason.computeIfAbsent(category, c -> metrics.addGroup("reason", c).counter("risk_dead_letters"));
    }
}
