package io.collateralrisk.jobs.input;

import io.collateralrisk.divergence.FeedHealthInput;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Parses {@code risk-control} records for the feed-health stage; refusals go to {@link DeadLetters#TAG}. */
public class ParseControl extends ProcessFunction<InputRecord, FeedHealthInput> {

    private final RiskConfig config;
    private transient InputParser parser;
    private transient DeadLetters deadLetters;

    public ParseControl(RiskConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InputParser(config);
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<FeedHealthInput> out) {
        try {
            out.collect(FeedHealthInput.of(parser.parseControl(record.payload()), record.location(), record.payload()));
        } catch (InvalidInputException e) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, e));
        }
    }
}
