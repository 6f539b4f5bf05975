package io.collateralrisk.jobs.input;

import io.collateralrisk.divergence.FeedHealthInput;
import io.collateralrisk.ltv.facility.FacilityInput;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.io.Serializable;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses the raw records of one input topic: valid ones out as {@code T}, refusals to
 * {@link DeadLetters#TAG} with their reason, counted by reason. A parsed record then passes the
 * {@link ClockGuard} against its reference clock: one before 1970 or more than
 * {@code lateness.maxAhead} ahead is refused here, before it reaches a watermark, timer or state.
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
        deadLetters = new DeadLetters(config.maxAheadMs());
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<T> out) {
        T event;
        try {
            event = parse.parse(parser, record);
        } catch (InvalidInputException e) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, e));
            return;
        }
        long eventTime = eventTimeOf(event);
        String refusal = ClockGuard.refusal(eventTime, record.referenceClock(), config.maxAheadMs());
        if (refusal != null) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, eventTime, refusal, describe(refusal, eventTime, record.referenceClock())));
            return;
        }
        out.collect(event);
    }

    private static long eventTimeOf(Object event) {
        if (event instanceof PriceTick t) {
            return t.eventTime();
        } else if (event instanceof FacilityInput f) {
            return f.eventTime();
        } else if (event instanceof FeedHealthInput c) {
            return c.eventTime();
        }
        // A programming error, found by the first test of a new input type: it must say where its time is.
        throw new IllegalArgumentException("no event time known for " + event.getClass().getName());
    }

    private String describe(String refusal, long eventTime, long referenceClock) {
        if (ClockGuard.INVALID_TIME.equals(refusal)) {
            return "'eventTime' is before 1970-01-01: " + Instant.ofEpochMilli(eventTime);
        }
        return "'eventTime' " + Instant.ofEpochMilli(eventTime) + " is more than " + config.maxAheadMs() + " ms ahead of the reference clock "
                + Instant.ofEpochMilli(referenceClock);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
