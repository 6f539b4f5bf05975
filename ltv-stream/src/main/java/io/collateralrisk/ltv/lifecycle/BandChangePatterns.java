package io.collateralrisk.ltv.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.util.Collector;

/**
 * CEP over one facility's band changes: flags for the risk desk, never a liquidation decision.
 *
 * <pre>
 *  BandChange --keyBy(facilityId)--+--&gt; CEP rapidDeterioration  (uid cep-rapid-deterioration)   --+
 *                                  |                                                                +--&gt; RiskFlag
 *                                  +--&gt; CEP repeatedMarginCalls (uid cep-repeated-margin-calls) --+
 * </pre>
 *
 * <p>The input is the low-rate stream of band moves the lifecycle emits, never price ticks. Both
 * patterns run in event time: the CEP operator buffers changes until the watermark passes them and
 * feeds them to the NFA in timestamp order, so the record timestamp must be the change's
 * {@code eventTime} (as the lifecycle emits it). A change that arrives behind the watermark is
 * dropped by CEP (Flink's {@code numLateRecordsDropped}); a flag can be missed then, never invented.
 *
 * <p>A {@code within} bound is exclusive, as Flink applies it: a match spans less than the window
 * (a change exactly one {@code rapidWindow} after the start does not flag).
 *
 * <p>State: partial matches are pruned once the watermark passes their window (at most 1 h and 7
 * days of changes per facility). CEP cannot clear one key, so a closed facility keeps its empty
 * NFA state (a few bytes) in both operators.
 */
public final class BandChangePatterns {

    public static final Duration DEFAULT_RAPID_WINDOW = Duration.ofHours(1);
    public static final Duration DEFAULT_REPEATED_WINDOW = Duration.ofDays(7);
    public static final int REPEATED_MARGIN_CALLS = 3;

    public static final String RAPID_UID = "cep-rapid-deterioration";
    public static final String REPEATED_UID = "cep-repeated-margin-calls";

    /** Stage names of {@link #rapidDeterioration}, in match order. */
    public static final String START = "start";
    public static final String DETERIORATION = "deterioration";
    /** Stage name of {@link #repeatedMarginCalls}. */
    public static final String CALLS = "calls";

    static final String MARGIN_CALL_ISSUED = "MARGIN_CALL_ISSUED";

    private BandChangePatterns() {}

    /**
     * {@code RAPID_DETERIORATION}: the facility was in {@code HEALTHY} or {@code WARNING} and
     * reached {@code MARGIN_CALL} or worse less than {@code rapidWindow} after entering that band.
     *
     * <pre>
     *  start (optional):  a change into HEALTHY or WARNING
     *    next (strict):   deterioration = a change from HEALTHY/WARNING into MARGIN_CALL/LIQUIDATION,
     *                     less than rapidWindow after start;
     *                     without a start, only a jump of two bands or more (HEALTHY to MARGIN_CALL,
     *                     HEALTHY or WARNING to LIQUIDATION) counts
     * </pre>
     *
     * <p>Time is measured from the change that put the facility in its good band: time in a band
     * ends at the move out of it, so "from WARNING to MARGIN_CALL" is only rapid when WARNING was
     * entered recently. A single change that skips a band went from good to call-or-worse in one
     * evaluation, so it is rapid whatever came before; a plain {@code WARNING -> MARGIN_CALL} with
     * no recent start is the ordinary path and does not flag.
     *
     * <p>Both cases are one pattern (an optional start) so that one deterioration is one match
     * stream on one operator: {@code HEALTHY -> WARNING} then {@code WARNING -> LIQUIDATION} ten
     * minutes later completes both the two-change and the one-change match on the same event, and
     * the skip strategy below keeps only the first. Two patterns on two operators would flag it
     * twice.
     *
     * <p>Strict contiguity ({@code next}), not skip-till-next: the changes of one facility chain
     * (each starts in the band the previous one entered), so the change right before a
     * deterioration is the facility's entry into the band it deteriorated from, and its time is
     * what the window measures. Any earlier start within the window is followed by that one too,
     * so skip-till-next would flag nothing more; it would only keep a partial match per earlier
     * start alive and report a start that is not adjacent to the deterioration.
     *
     * <p>{@link AfterMatchSkipStrategy#skipPastLastEvent()}: a match consumes its changes, so the
     * deterioration that completed it cannot also complete another match (the one-change reading
     * above); each entry into {@code MARGIN_CALL} or {@code LIQUIDATION} flags at most once. A
     * facility that is cured and re-enters {@code MARGIN_CALL} within the window flags again: that
     * re-entry is a new deterioration from {@code WARNING} (and a new margin call). A move from
     * {@code MARGIN_CALL} to {@code LIQUIDATION} never flags: it does not start in a good band.
     *
     * @param rapidWindow {@code lifecycle.rapidWindow} (default 1 h); must be positive, since Flink
     *     reads a zero window as none
     */
    public static Pattern<BandChange, ?> rapidDeterioration(Duration rapidWindow) {
        requirePositive(rapidWindow, "rapidWindow");
        return Pattern.<BandChange>begin(START, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(c -> isGood(c.to())))
                .optional()
                .next(DETERIORATION)
                .where(new Deteriorates())
                .within(rapidWindow);
    }

    /**
     * {@code REPEATED_MARGIN_CALLS}: three margin calls ({@code MARGIN_CALL_ISSUED} into {@code
     * MARGIN_CALL}) of one facility less than {@code window} apart from first to third: cures that
     * keep rolling the call over.
     *
     * <p>Skip-till-next between the calls: cures, warnings and liquidation moves in between are
     * skipped, only the calls count. {@link AfterMatchSkipStrategy#skipPastLastEvent()}: a call
     * counts towards one flag only, so a fourth call within the same 7 days does not flag again
     * (it starts the next count); six calls within 7 days flag twice, after the third and the
     * sixth. The window slides: calls on days 0, 5, 8 and 9 flag once, for days 5, 8 and 9.
     *
     * @param window 7 days by default; must be positive
     */
    public static Pattern<BandChange, ?> repeatedMarginCalls(Duration window) {
        requirePositive(window, "window");
        return Pattern.<BandChange>begin(CALLS, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(BandChangePatterns::isMarginCallIssued))
                .times(REPEATED_MARGIN_CALLS)
                .within(window);
    }

    /** Turns {@link #rapidDeterioration} matches into {@code RAPID_DETERIORATION} flags. */
    public static ToRiskFlag rapidDeteriorationFlags() {
        return new ToRiskFlag(RiskFlag.RAPID_DETERIORATION, START, DETERIORATION);
    }

    /** Turns {@link #repeatedMarginCalls} matches into {@code REPEATED_MARGIN_CALLS} flags. */
    public static ToRiskFlag repeatedMarginCallFlags() {
        return new ToRiskFlag(RiskFlag.REPEATED_MARGIN_CALLS, CALLS);
    }

    /**
     * Both patterns over {@code changes}, keyed by facility so that no match mixes facilities, in
     * event time; the union of their flags. Repeated margin calls use {@link
     * #DEFAULT_REPEATED_WINDOW}.
     *
     * @param changes band changes with their event time as the record timestamp
     */
    public static DataStream<RiskFlag> apply(DataStream<BandChange> changes, Duration rapidWindow) {
        KeyedStream<BandChange, String> byFacility = changes.keyBy(BandChange::facilityId, Types.STRING);
        TypeInformation<RiskFlag> flagType = TypeInformation.of(RiskFlag.class);
        DataStream<RiskFlag> rapid = CEP.pattern(byFacility, rapidDeterioration(rapidWindow))
                .inEventTime()
                .process(rapidDeteriorationFlags(), flagType)
                .uid(RAPID_UID)
                .name("cep: rapid deterioration");
        DataStream<RiskFlag> repeated = CEP.pattern(byFacility, repeatedMarginCalls(DEFAULT_REPEATED_WINDOW))
                .inEventTime()
                .process(repeatedMarginCallFlags(), flagType)
                .uid(REPEATED_UID)
                .name("cep: repeated margin calls");
        return rapid.union(repeated);
    }

    /** One match to one flag: the matched changes in stage order, which is time order. */
    public static final class ToRiskFlag extends PatternProcessFunction<BandChange, RiskFlag> {

        private static final long serialVersionUID = 1L;

        private final String type;
        private final String[] stages;

        ToRiskFlag(String type, String... stages) {
            this.type = type;
            this.stages = stages;
        }

        @Override
        public void processMatch(Map<String, List<BandChange>> match, Context ctx, Collector<RiskFlag> out) {
            List<BandChange> changes = new ArrayList<>();
            for (String stage : stages) {
                changes.addAll(match.getOrDefault(stage, List.of()));
            }
            out.collect(RiskFlag.of(type, changes));
        }
    }

    /** A move from a good band into MARGIN_CALL or worse: after a start, or skipping a band. */
    private static final class Deteriorates extends IterativeCondition<BandChange> {

        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(BandChange c, Context<BandChange> ctx) throws Exception {
            if (!isGood(c.from()) || !isCallOrWorse(c.to())) {
                return false;
            }
            return c.to().ordinal() - c.from().ordinal() >= 2 || ctx.getEventsForPattern(START).iterator().hasNext();
        }
    }

    static boolean isGood(Band band) {
        return band == Band.HEALTHY || band == Band.WARNING;
    }

    static boolean isCallOrWorse(Band band) {
        return band == Band.MARGIN_CALL || band == Band.LIQUIDATION;
    }

    static boolean isMarginCallIssued(BandChange c) {
        return c.to() == Band.MARGIN_CALL && MARGIN_CALL_ISSUED.equals(c.eventType());
    }

    private static void requirePositive(Duration window, String name) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + window);
        }
    }
}
