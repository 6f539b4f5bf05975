package io.collateralrisk.divergence;

import io.collateralrisk.model.config.DivergenceConfig;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * The opening run of a divergence incident, as a CEP pattern over one pair's readings:
 *
 * <pre>
 *   run:  reading above threshold, zero or more, strictly consecutive
 *   last: reading above threshold, next after the run, such that
 *         readings (run + last) &gt;= minConsecutive and last.t - first.t &gt;= minDuration
 * </pre>
 *
 * Strict contiguity makes any reading at or below the threshold break the run; a missing reading
 * (no fresh primary or no TWAP) is not in the stream at all, so it does not. After a match the
 * pattern skips past it: one run opens at most one incident.
 */
public final class DivergencePatterns {

    public static final String RUN = "run";
    public static final String LAST = "last";

    private DivergencePatterns() {}

    public static Pattern<DivergenceReading, ?> openingRun(DivergenceConfig config) {
        return Pattern.<DivergenceReading>begin(RUN, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(DivergenceReading::above))
                .oneOrMore()
                .consecutive()
                .optional()
                .next(LAST)
                .where(new CompletesRun(config.minConsecutive(), config.minDurationMs()));
    }

    /** The reading that makes the run long enough in both count and duration. */
    static final class CompletesRun extends IterativeCondition<DivergenceReading> {
        private final int minConsecutive;
        private final long minDurationMs;

        CompletesRun(int minConsecutive, long minDurationMs) {
            this.minConsecutive = minConsecutive;
            this.minDurationMs = minDurationMs;
        }

        @Override
        public boolean filter(DivergenceReading reading, Context<DivergenceReading> ctx) throws Exception {
            if (!reading.above()) {
                return false;
            }
            int count = 1;
            long first = reading.eventTime();
            for (DivergenceReading r : ctx.getEventsForPattern(RUN)) {
                count++;
                first = Math.min(first, r.eventTime());
            }
            return count >= minConsecutive && reading.eventTime() - first >= minDurationMs;
        }
    }

    /** One match to one signal, with the run's start and peak. */
    public static final class ToSignal extends PatternProcessFunction<DivergenceReading, IncidentSignal> {
        @Override
        public void processMatch(Map<String, List<DivergenceReading>> match, Context ctx, Collector<IncidentSignal> out) {
            DivergenceReading last = match.get(LAST).get(0);
            List<DivergenceReading> run = match.getOrDefault(RUN, List.of());
            long start = run.isEmpty() ? last.eventTime() : run.get(0).eventTime();
            DivergenceReading peak = last;
            for (DivergenceReading r : run) {
                if (r.divergence().compareTo(peak.divergence()) > 0) {
                    peak = r;
                }
            }
            out.collect(new IncidentSignal(last.pair(), last.eventTime(), start, run.size() + 1, peak.divergence(), peak.eventTime(), last));
        }
    }
}
