package io.collateralrisk.jobs.input;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Parses {@code prices} records: accepted ticks out, refusals to {@link DeadLetters#TAG}. */
public class ParsePrices extends ProcessFunction<InputRecord, PriceTick> {

    private final RiskConfig config;
    private transient InputParser parser;
    private transient DeadLetters deadLetters;

    public ParsePrices(RiskConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InputParser(config);
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<PriceTick> out) {
        try {
            out.collect(parser.parsePrice(record.payload()));
        } catch (InvalidInputException e) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, e));
        }
    }
}
