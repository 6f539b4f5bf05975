package io.collateralrisk.jobs.input;

import io.collateralrisk.ltv.facility.FacilityInput;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.CustodySnapshotParser;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.solvency.custody.CustodyInput;
import io.collateralrisk.solvency.portfolio.PortfolioInput;
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

    /** Where a parsed event keeps its event time, which the clock guard judges. */
    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long of(T event);
    }

    private final RiskConfig config;
    private final Parser<T> parse;
    private final EventTime<T> eventTime;
    private final Class<T> type;
    private transient InputParser parser;
    private transient DeadLetters deadLetters;

    public ParseInput(RiskConfig config, Parser<T> parse, EventTime<T> eventTime, Class<T> type) {
        this.config = config;
        this.parse = parse;
        this.eventTime = eventTime;
        this.type = type;
    }

    /** Price ticks, each carrying its record's read time for {@code risk_tick_to_event_seconds}. */
    public static ParseInput<PriceTick> prices(RiskConfig config) {
        return new ParseInput<>(config, (p, r) -> p.parsePrice(r.payload()).withIngestedAt(r.ingestedAt()), PriceTick::eventTime,
                PriceTick.class);
    }

    /** Facility events, each with where it came from and its raw payload for the audit trail. */
    public static ParseInput<FacilityInput> facilityEvents(RiskConfig config) {
        return new ParseInput<>(config, (p, r) -> FacilityInput.of(p.parseFacility(r.payload()), r.location(), r.payload()),
                FacilityInput::eventTime, FacilityInput.class);
    }

    /** {@code risk-control} records of either type, with where they came from and their raw payload. */
    public static ParseInput<ControlInput> control(RiskConfig config) {
        return new ParseInput<>(config, (p, r) -> new ControlInput(p.parseControl(r.payload()), r.location(), r.payload()),
                c -> c.record().eventTime(), ControlInput.class);
    }

    /**
     * {@code portfolio-events} records, with where they came from and their raw payload. A record
     * whose position and version can be read but whose content is refused passes as a
     * {@code PositionRecordRefused}: the portfolio stage checks its version first.
     */
    public static ParseInput<PortfolioInput> portfolioEvents(RiskConfig config) {
        return new ParseInput<>(config, (p, r) -> PortfolioInput.of(p.parsePortfolio(r.payload()), r.location(), r.payload()),
                PortfolioInput::eventTime, PortfolioInput.class);
    }

    /** {@code custody-snapshots} records, with where they came from and their raw payload. */
    public static ParseInput<CustodyInput> custodySnapshots(RiskConfig config) {
        return new ParseInput<>(config, (p, r) -> new CustodyInput(CustodySnapshotParser.parse(r.payload()), r.location(), r.payload()),
                CustodyInput::eventTime, CustodyInput.class);
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
        long time = eventTime.of(event);
        String refusal = ClockGuard.refusal(time, record.referenceClock(), config.maxAheadMs());
        if (refusal != null) {
            ctx.output(DeadLetters.TAG, deadLetters.refuse(record, time, refusal, describe(refusal, time, record.referenceClock())));
            return;
        }
        out.collect(event);
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
