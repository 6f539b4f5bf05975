package io.collateralrisk.sinks.metrics;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.OutputRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each dead letter, from any stage, into its output record and counts it in one place:
 * {@code risk_dead_letters{topic, reason}} with the reason's category ({@code MISSING_FIELD}, not
 * {@code MISSING_FIELD:price}), every known pair of topic and reason at zero from the start.
 */
public class DeadLetterMetrics extends ProcessFunction<DeadLetter, OutputRecord> {

    /** Reason categories per input topic, as the parsers and stages refuse. */
    public static final Map<String, List<String>> KNOWN = Map.of(
            "prices", List.of("MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNKNOWN_TYPE", "MISSING_FIELD", "INVALID_FIELD", "INVALID_TIME",
                    "INVALID_DECIMAL", "NON_FINITE_PRICE", "NON_POSITIVE_PRICE", "OUT_OF_BOUNDS", "UNKNOWN_PAIR", "LATE_EVENT", "FUTURE_EVENT"),
            "facility-events", List.of("MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNKNOWN_TYPE", "MISSING_FIELD", "INVALID_FIELD", "INVALID_TIME",
                    "INVALID_DECIMAL", "NEGATIVE_AMOUNT", "UNKNOWN_FACILITY", "UNKNOWN_POLICY", "ALREADY_OPEN", "FACILITY_CLOSED", "FUTURE_EVENT"),
            "risk-control", List.of("MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNKNOWN_TYPE", "MISSING_FIELD", "INVALID_FIELD", "INVALID_TIME",
                    "UNKNOWN_PAIR", "FUTURE_EVENT"));

    private transient MetricGroup metrics;
    private transient Map<String, Counter> counters;

    @Override
    public void open(OpenContext openContext) {
        metrics = getRuntimeContext().getMetricGroup();
        counters = new HashMap<>();
        KNOWN.forEach((topic, reasons) -> reasons.forEach(reason -> counter(topic, reason)));
    }

    @Override
    public void processElement(DeadLetter d, Context ctx, Collector<OutputRecord> out) {
        counter(d.topic(), d.reasonCategory()).inc();
        out.collect(OutputRecord.of(d));
    }

    private Counter counter(String topic, String reason) {
        return counters.computeIfAbsent(topic + "|" + reason,
                k -> metrics.addGroup("topic", topic).addGroup("reason", reason).counter("risk_dead_letters"));
    }
}
