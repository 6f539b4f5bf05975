package io.collateralrisk.jobs.input;

import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Validates {@code risk-control} records: valid ones pass on (the divergence detector consumes
 * them), refusals go to {@link DeadLetters#TAG}.
 */
public class ValidateControl extends ProcessFunction<InputRecord, InputRecord> {

    private final RiskConfig config;
    private transient InputParser parser;
    private transient DeadLetters deadLetters;
    private transient Counter accepted;

    public ValidateControl(RiskConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InputParser(config);
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
        accepted = getRuntimeContext().getMetricGroup().counter("risk_input_records_accepted");
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<InputRecord> out) {
        try {
            parser.parseControl(record.payload());
            accepted.inc();
            out.collect(record);
        } catch (InvalidInputException e) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, e));
        }
    }
}
