package io.collateralrisk.jobs;

import io.collateralrisk.divergence.FeedHealthStage;
import io.collateralrisk.jobs.audit.AuditRecords;
import io.collateralrisk.jobs.input.DeadLetters;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.sinks.metrics.ConfigLimits;
import io.collateralrisk.sinks.metrics.DeadLetterMetrics;
import io.collateralrisk.sinks.metrics.DivergenceEventMetrics;
import io.collateralrisk.sinks.metrics.LifecycleMetrics;
import io.collateralrisk.sinks.metrics.PriceAlertMetrics;
import io.collateralrisk.sinks.metrics.ReferencePriceMetrics;
import io.collateralrisk.sinks.metrics.WatermarkLagOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.TreeSet;
import io.collateralrisk.jobs.input.InputRecord;
import io.collateralrisk.jobs.input.ParseInput;
import io.collateralrisk.jobs.input.NoClockWatermarks;
import io.collateralrisk.jobs.input.PriceSourceWatermarks;
import io.collateralrisk.jobs.input.ReferenceClockWatermarks;
import io.collateralrisk.ltv.facility.FacilityInput;
import io.collateralrisk.ltv.facility.FacilityStage;
import io.collateralrisk.ltv.lifecycle.BandChangePatterns;
import io.collateralrisk.ltv.lifecycle.RiskFlag;
import io.collateralrisk.ltv.liquidation.CircuitBreakerStage;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.divergence.FeedHealthInput;
import io.collateralrisk.ltv.price.PriceStage;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.jobs.input.ControlInput;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.OpsAlert;
import io.collateralrisk.model.Topics;
import io.collateralrisk.solvency.custody.CustodyInput;
import io.collateralrisk.solvency.custody.CustodyStage;
import io.collateralrisk.solvency.portfolio.PortfolioInput;
import io.collateralrisk.solvency.portfolio.PortfolioStage;
import io.collateralrisk.ltv.ops.ArrivalSampler;
import io.collateralrisk.ltv.ops.RestoreAlerts;
import io.collateralrisk.ltv.ops.RestoreReport;
import io.collateralrisk.ltv.ops.WatermarkStallWatch;
import org.apache.flink.api.common.typeinfo.Types;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The job as a function of its inputs: raw input records in, output records out. Kafka, replay
 * files and tests plug in their own sources and sinks around the same graph. Live, every stage runs
 * on the price clock: facility, control, portfolio and custody records carry none
 * ({@link Inputs#priceClockOnly()}). Portfolio events and custody snapshots are optional inputs:
 * null, and the job has no portfolio or custody operator at all.
 *
 * <pre>
 * prices ----------&gt; parse -&gt; watermarks -&gt; [pair] price evaluation -&gt; [pair] feed health -&gt; REFERENCE_PRICE
 *                     |                          |   +-&gt; PRICE_UNAVAILABLE / PRICE_RESTORED
 *                     |                          +-&gt; late ticks ------------------------------+
 * facility-events -&gt; parse -&gt; watermarks -&gt; [facility] facility state -&gt; [pair#shard] LTV + lifecycle -&gt; risk.ltv
 *                     |                          |            (prices fanned out to every shard)  |
 *                     |                          |                                                v
 *                     |                          |   events, band changes, commands, prices -&gt; [pair] circuit breaker -&gt; risk.margin-calls
 *                     |                          |                                                +-&gt; band changes -&gt; [facility] CEP flags
 *                     |                          +-&gt; unknown facility / policy ---------------+
 * risk-control ----&gt; parse -&gt; DIVERGENCE_RESOLVED to feed health, HOLDS_RELEASED to the circuit breaker                         |
 * portfolio-events -&gt; parse -&gt; watermarks -&gt; [wallet shard] portfolio solvency (REFERENCE_PRICE broadcast) -&gt; risk.solvency
 *                     |                          +-&gt; unknown position, limits -----------------------------------+
 * custody-snapshots -&gt; parse -&gt; watermarks -&gt; [custody] custody pools -&gt; risk.solvency                                      |
 *                     |                          +-&gt; another mint ---------------------------------------------+
 *                     +---------------------------------------------------------------------+-&gt; DEAD_LETTER
 * </pre>
 */
public final class RiskJob {

    /**
     * Fixed so that state can be rescaled and restored: changing it breaks every savepoint. The
     * keyed stages' keys are chosen for its key groups ({@link KeyGroupKeys}).
     */
    public static final int MAX_PARALLELISM = KeyGroupKeys.MAX_PARALLELISM;

    private RiskJob() {}

    /**
     * The inputs; a topic with no input is null.
     *
     * @param live true for Kafka: the prices arrive with their watermarks, made per partition in the
     *     source ({@link PriceSourceWatermarks}; unbounded, a quiet partition goes idle after
     *     {@code live.idleTimeout}), and the price clock is watched on the wall clock; a replay
     *     never reads the wall clock
     * @param priceClockOnly true live: facility and control events carry no clock
     *     ({@link NoClockWatermarks}), every decision runs on the price clock alone and an event
     *     the clock has passed is applied at once, marked applied late; false for a replay of
     *     history (files, or the demo through Kafka), where every input's watermark holds the
     *     others back, so the job sees all inputs in one event-time order and nothing is applied
     *     late by accident of reading speed
     */
    public record Inputs(
            DataStream<InputRecord> prices, DataStream<InputRecord> facilityEvents, DataStream<InputRecord> control,
            DataStream<InputRecord> portfolioEvents, DataStream<InputRecord> custodySnapshots, boolean live, boolean priceClockOnly) {

        /** Without portfolio events and custody snapshots: a job that values no portfolio and watches no custody. */
        public Inputs(
                DataStream<InputRecord> prices, DataStream<InputRecord> facilityEvents, DataStream<InputRecord> control, boolean live,
                boolean priceClockOnly) {
            this(prices, facilityEvents, control, null, null, live, priceClockOnly);
        }

        /** The same inputs with another prices stream (a test's operator inserted after the source). */
        public Inputs withPrices(DataStream<InputRecord> otherPrices) {
            return new Inputs(otherPrices, facilityEvents, control, portfolioEvents, custodySnapshots, live, priceClockOnly);
        }
    }

    /**
     * The watermarks of an input after parsing: none of its own when it carries no clock; otherwise
     * (history: a replay, the demo's bounded run) bounded out-of-orderness on event time, each
     * record moving the watermark no further than its reference clock, never idle: a bounded
     * input that has nothing more to say ends, and its end releases the others.
     */
    private static <T> WatermarkStrategy<T> watermarks(boolean hasClock, RiskConfig config, SerializableTimestampAssigner<T> eventTime) {
        if (!hasClock) {
            return new NoClockWatermarks<>(eventTime);
        }
        return new ReferenceClockWatermarks<>(Duration.ofMillis(config.outOfOrderMs()), eventTime);
    }

    /** Settings every environment that runs the job must have. */
    public static Configuration baseConfiguration() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        return conf;
    }

    /**
     * @param eventTimeHorizon the last event time any timer may fire at: {@link Long#MAX_VALUE}
     *     live, the last input time in a replay
     */
    /**
     * What the job emits: records for the output topics, and (in a replay) the cure deadlines that
     * fall after the last input time, reported rather than fired.
     */
    public record Outputs(DataStream<OutputRecord> records, DataStream<LifecycleEvent> unfiredDeadlines, Supplier<DataStream<OutputRecord>> acceptedInputs) {

        /**
         * What the audit tables take: every output record and every accepted input. The accepted
         * inputs' audit records are built only here, once: a job without audit tables would
         * otherwise re-read and re-write every tick's JSON for nothing.
         */
        public DataStream<OutputRecord> audit() {
            return records.union(acceptedInputs.get());
        }
    }

    public static Outputs build(Inputs inputs, RiskConfig config, String codeVersion, long eventTimeHorizon) {
        // Parsing and watermarks stay chained to the source at its parallelism: a shuffle before
        // the watermark assigner would reorder ticks beyond any bounded out-of-orderness.
        List<String> pairs = List.copyOf(new TreeSet<>(config.pairs().keySet()));
        int sourceParallelism = inputs.prices().getParallelism();
        SingleOutputStreamOperator<PriceTick> parsed =
                inputs.prices().process(ParseInput.prices(config)).uid("parse-prices").name("parse prices")
                        .setParallelism(sourceParallelism);

        // Live, the source made the price clock per partition; a replay makes it here, on one file's order.
        DataStream<PriceTick> ticks = inputs.live() ? parsed
                : parsed.assignTimestampsAndWatermarks(watermarks(true, config, (PriceTick tick, long ignored) -> tick.eventTime()))
                        .uid("price-watermarks").name("price watermarks").setParallelism(sourceParallelism);

        PriceStage.Result prices = PriceStage.apply(ticks, config, eventTimeHorizon);
        DataStream<RestoreReport> restoreReports = prices.restoreReports();

        DataStream<FeedHealthInput> resolutions = null;
        DataStream<HoldsReleased> releases = null;
        Supplier<DataStream<OutputRecord>> acceptedReleases = null;
        DataStream<DeadLetter> controlRefused = null;
        if (inputs.control() != null) {
            int parallelism = inputs.control().getParallelism();
            SingleOutputStreamOperator<ControlInput> parsedControl = inputs.control()
                    .process(ParseInput.control(config)).uid("parse-risk-control").name("parse risk control")
                    .setParallelism(parallelism);
            DataStream<ControlInput> control = parsedControl.assignTimestampsAndWatermarks(watermarks(!inputs.priceClockOnly(), config, (ControlInput e, long ignored) -> e.record().eventTime()))
                    .uid("risk-control-watermarks").name("risk control watermarks").setParallelism(parallelism);
            resolutions = control.filter(c -> c.record().divergenceResolved() != null).uid("risk-control-resolutions").name("divergence resolutions")
                    .map(c -> FeedHealthInput.of(c.record().divergenceResolved(), c.location(), c.payload())).returns(FeedHealthInput.class)
                    .uid("risk-control-to-feed-health").name("resolutions to feed health");
            releases = control.filter(c -> c.record().holdsReleased() != null).uid("risk-control-releases").name("holds released")
                    .map(c -> c.record().holdsReleased()).returns(HoldsReleased.class).uid("risk-control-to-breaker").name("releases to breaker");
            controlRefused = parsedControl.getSideOutput(DeadLetters.TAG);
            acceptedReleases = () -> control.filter(c -> c.record().holdsReleased() != null).uid("audit-releases-filter").name("holds released for audit")
                    .map(c -> AuditRecords.of(c.record().holdsReleased(), c.location(), c.payload())).uid("audit-accepted-releases").name("accepted releases for audit");
        }
        FeedHealthStage.Result feedHealth = FeedHealthStage.apply(prices.evaluations(), resolutions, config, eventTimeHorizon);
        DataStream<ReferencePrice> referencePrices = feedHealth.referencePrices();

        DataStream<DeadLetter> deadLetters = parsed.getSideOutput(DeadLetters.TAG).union(prices.lateTicks(), feedHealth.refused());
        if (controlRefused != null) {
            deadLetters = deadLetters.union(controlRefused);
        }
        List<Supplier<DataStream<OutputRecord>>> acceptedInputs = new ArrayList<>();
        acceptedInputs.add(() -> prices.acceptedTicks().map(AuditRecords::of).uid("audit-accepted-ticks").name("accepted ticks for audit"));
        if (acceptedReleases != null) {
            acceptedInputs.add(acceptedReleases);
        }
        DataStream<OutputRecord> lifecycle = null;
        DataStream<LifecycleEvent> unfired = null;
        if (inputs.facilityEvents() != null) {
            int parallelism = inputs.facilityEvents().getParallelism();
            SingleOutputStreamOperator<FacilityInput> facilityEvents = inputs.facilityEvents()
                    .process(ParseInput.facilityEvents(config)).uid("parse-facility-events").name("parse facility events")
                    .setParallelism(parallelism);
            // Facility events are never late-dropped; the price clock only tells which were applied late.
            FacilityStage.Result facilities = FacilityStage.apply(
                    facilityEvents.assignTimestampsAndWatermarks(watermarks(!inputs.priceClockOnly(), config, (FacilityInput e, long ignored) -> e.eventTime()))
                            .uid("facility-watermarks").name("facility watermarks").setParallelism(parallelism),
                    priceClock(ticks), config, eventTimeHorizon);
            deadLetters = deadLetters.union(facilityEvents.getSideOutput(DeadLetters.TAG), facilities.refused());
            acceptedInputs.add(() ->
                    facilities.accepted().map(AuditRecords::of).uid("audit-accepted-facility-events").name("accepted facility events for audit"));

            LtvStage.Result ltv = LtvStage.apply(referencePrices, facilities.commands(), config, codeVersion, eventTimeHorizon);
            // The pair-wide circuit breaker: what leaves it is what the job decided, for the outputs and CEP alike.
            CircuitBreakerStage.Result decided = CircuitBreakerStage.apply(ltv.events(), ltv.bandChanges(), facilities.commands(),
                    referencePrices, releases, config, codeVersion, eventTimeHorizon);
            DataStream<RiskFlag> flags = BandChangePatterns.apply(decided.bandChanges(), Duration.ofMillis(config.lifecycle().rapidWindowMs()));
            lifecycle = decided.events().transform("lifecycle events out", TypeInformation.of(OutputRecord.class),
                            new WatermarkLagOperator<>(new LifecycleMetrics(pairs, Decision.TYPES))).uid("out-lifecycle")
                    .union(
                            ltv.ltv().map(OutputRecord::of).uid("out-ltv").name("ltv out"),
                            flags.map(RiskFlagOutput::of).uid("out-flags").name("risk flags out"));
            unfired = ltv.unfiredDeadlines();
            restoreReports = restoreReports.union(ltv.restoreReports());
        }
        DataStream<OutputRecord> solvency = null;
        if (inputs.portfolioEvents() != null) {
            int parallelism = inputs.portfolioEvents().getParallelism();
            SingleOutputStreamOperator<PortfolioInput> portfolioEvents = inputs.portfolioEvents()
                    .process(ParseInput.portfolioEvents(config)).uid("parse-portfolio-events").name("parse portfolio events")
                    .setParallelism(parallelism);
            // Like facility events: never late-dropped; applied when the price clock reaches them, or at once and marked late.
            PortfolioStage.Result portfolios = PortfolioStage.apply(referencePrices,
                    portfolioEvents.assignTimestampsAndWatermarks(watermarks(!inputs.priceClockOnly(), config, (PortfolioInput e, long ignored) -> e.eventTime()))
                            .uid("portfolio-watermarks").name("portfolio watermarks").setParallelism(parallelism),
                    config, codeVersion);
            deadLetters = deadLetters.union(portfolioEvents.getSideOutput(DeadLetters.TAG), portfolios.refused());
            solvency = portfolios.events().map(OutputRecord::of).uid("out-portfolio-solvency").name("portfolio events out");
        }
        if (inputs.custodySnapshots() != null) {
            int parallelism = inputs.custodySnapshots().getParallelism();
            SingleOutputStreamOperator<CustodyInput> snapshots = inputs.custodySnapshots()
                    .process(ParseInput.custodySnapshots(config)).uid("parse-custody-snapshots").name("parse custody snapshots")
                    .setParallelism(parallelism);
            // Snapshots are ordered by slot, never by a clock: the watermarks only keep a replay's inputs in one order.
            CustodyStage.Result custody = CustodyStage.apply(
                    snapshots.assignTimestampsAndWatermarks(watermarks(!inputs.priceClockOnly(), config, (CustodyInput s, long ignored) -> s.eventTime()))
                            .uid("custody-watermarks").name("custody watermarks").setParallelism(parallelism),
                    config, codeVersion);
            deadLetters = deadLetters.union(snapshots.getSideOutput(DeadLetters.TAG), custody.refused());
            DataStream<OutputRecord> custodyOut = custody.events().map(OutputRecord::of).uid("out-custody-pools").name("custody events out");
            solvency = solvency == null ? custodyOut : solvency.union(custodyOut);
        }
        DataStream<OpsAlert> opsAlerts = opsAlerts(inputs.live(), ticks, restoreReports, config, sourceParallelism);

        DataStream<OutputRecord> records = referencePrices.transform("reference prices out", TypeInformation.of(OutputRecord.class),
                        new WatermarkLagOperator<>(new ReferencePriceMetrics(pairs, config.configHash(), codeVersion, ConfigLimits.of(config))))
                .uid("out-reference-prices")
                .union(
                        prices.alerts().process(new PriceAlertMetrics()).uid("out-price-alerts").name("price alerts out"),
                        deadLetters.process(new DeadLetterMetrics()).uid("out-dead-letters").name("dead letters out"),
                        feedHealth.incidents().process(new DivergenceEventMetrics()).uid("out-divergence").name("divergence incidents out"));
        if (lifecycle != null) {
            records = records.union(lifecycle);
        }
        if (solvency != null) {
            records = records.union(solvency);
        }
        records = records.union(opsAlerts.map(OutputRecord::of).uid("out-ops-alerts").name("ops alerts out"));
        return new Outputs(records, unfired, () -> {
            DataStream<OutputRecord> accepted = acceptedInputs.get(0).get();
            for (Supplier<DataStream<OutputRecord>> more : acceptedInputs.subList(1, acceptedInputs.size())) {
                accepted = accepted.union(more.get());
            }
            return accepted;
        });
    }

    /** The price clock alone: no records, only the prices' watermarks, for stages that must run on it. */
    private static DataStream<PriceTick> priceClock(DataStream<PriceTick> ticks) {
        return ticks.filter(tick -> false).uid("price-clock").name("price clock").setParallelism(ticks.getParallelism());
    }

    /**
     * {@code risk.ops-alerts}: what restores found (every run), and live, the price clock watched on
     * the wall clock ({@code WATERMARK_STALLED} / {@code WATERMARK_RESUMED}); a replay never reads
     * the wall clock, so it has no watch.
     */
    private static DataStream<OpsAlert> opsAlerts(
            boolean live, DataStream<PriceTick> ticks, DataStream<RestoreReport> reports, RiskConfig config, int sourceParallelism) {
        DataStream<OpsAlert> alerts = reports.keyBy(RestoreReport::operator, Types.STRING)
                .process(new RestoreAlerts(config.configHash())).uid("restore-alerts").name("restore alerts")
                .returns(OpsAlert.class).setParallelism(1);
        if (live) {
            DataStream<String> arrivals = ticks.process(new ArrivalSampler<PriceTick>(Topics.PRICES)).returns(Types.STRING)
                    .uid("price-arrivals").name("price arrivals").setParallelism(sourceParallelism);
            alerts = alerts.union(arrivals.keyBy(topic -> topic, Types.STRING)
                    .process(new WatermarkStallWatch(Topics.PRICES, config.watermarkLagAlertMs(), config.configHash()))
                    .uid("watch-price-clock").name("price clock watch").returns(OpsAlert.class).setParallelism(1));
        }
        return alerts;
    }

}
