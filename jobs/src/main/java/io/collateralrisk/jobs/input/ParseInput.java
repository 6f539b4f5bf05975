package io.collateralrisk.jobs.input;

import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses the raw records of one input topic: valid ones out as {@code T}, refusals to
 * {@link DeadLetters#TAG} with their reason, counted by reason.
 */
public class ParseInput<T> extends ProcessFunction<InputRecord, T> implements ResultTypeQueryable<T> {

    /** How one topic's record becomes its event. */
    @FunctionalInterface
    public interface Parser<T> extends Serializable {
        T parse(InputParser parser, InputRecord record) throws InvalidInputException;
    }

    private final RiskConfig config;
    private final Parser<T> parse;
    private final Class<T> type;
    private transient InputParser parser;
    private transient DeadLetters deadLetters;

    public ParseInput(RiskConfig config, Parser<T> parse, Class<T> type) {
        this.config = config;
        this.parse = parse;
        this.type = type;
    }

    /** Price ticks, each carrying its record's read time for {@code risk_tick_to_event_seconds}. */
    public static ParseInput<PriceTick> prices(RiskConfig config) {
        return new ParseInput<>(config, (p, r) -> p.parsePrice(r.payload()).withIngestedAt(r.ingestedAt()), PriceTick.class);
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InputParser(config);
        deadLetters = new DeadLetters();
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<T> out) {
        try {
            out.collect(parse.parse(parser, record));
        } catch (InvalidInputException e) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, e));
        }
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
