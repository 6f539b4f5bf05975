package io.collateralrisk.jobs.input;

import io.collateralrisk.ltv.facility.FacilityInput;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Parses {@code facility-events} records: valid events out, refusals to {@link DeadLetters#TAG}. */
public class ParseFacilityEvents extends ProcessFunction<InputRecord, FacilityInput> {

    private final RiskConfig config;
    private transient InputParser parser;
    private transient DeadLetters deadLetters;

    public ParseFacilityEvents(RiskConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InputParser(config);
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<FacilityInput> out) {
        try {
            out.collect(FacilityInput.of(parser.parseFacility(record.payload()), record.location(), record.payload()));
        } catch (InvalidInputException e) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, e));
        }
    }
}
