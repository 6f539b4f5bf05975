package io.collateralrisk.jobs.bench;

import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.ltv.price.Evaluation;
import io.collateralrisk.ltv.price.Median;
import io.collateralrisk.ltv.price.PriceEvaluator;
import io.collateralrisk.ltv.price.SourceQuote;
import io.collateralrisk.ltv.price.Twap;
import io.collateralrisk.ltv.price.TwapPoint;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-tick work of {@code ReferencePriceFunction} without Flink: parsing a {@code prices}
 * line, and one evaluation (the rules, the TWAP and pruning its history). Flink's state access and
 * timers are left out: they are measured, with everything else, by the end-to-end replay figure
 * of {@code bin/risk bench prices}.
 *
 * <p>Inputs are the bundled March 2023 BTC-USD candles of three exchanges, so the prices, their
 * spread and the venues' gaps are real.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReferencePriceBenchmark {

    static final String PAIR = "BTC-USD";

    /** Every bundled tick line, in event-time order. */
    @State(Scope.Thread)
    public static class Lines {
        InputParser parser;
        String[] lines;
        int next;

        @Setup
        public void load() throws IOException {
            parser = new InputParser(RiskConfig.defaults());
            lines = BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD).toArray(String[]::new);
        }
    }

    /**
     * One evaluation per minute of 2023-03-10 (the day SVB was closed): the quotes of the three
     * exchanges plus an oracle, and the TWAP history the operator would hold at that instant.
     */
    @State(Scope.Thread)
    public static class Evaluations {

        /**
         * How often the pair is evaluated, which sets the TWAP history's length (a 5-minute
         * window): 1 is the bundled one-minute candles (6 points); 600 is live feeds at a few ticks
         * per second per source, each tick at its own instant (3,001 points).
         */
        @Param({"1", "600"})
        public int evaluationsPerMinute;

        static final long DAY_START = Times.parseIso("2023-03-10T00:00:00Z");
        static final long DAY_END = Times.parseIso("2023-03-11T00:00:00Z");

        PairConfig pair;
        long[] times;
        List<List<SourceQuote>> quotes;
        List<List<TwapPoint>> histories;
        int next;

        @Setup
        public void build() throws IOException, InvalidInputException {
            RiskConfig config = RiskConfig.defaults();
            pair = config.pair(PAIR);
            InputParser parser = new InputParser(config);
            List<PriceTick> ticks = new ArrayList<>();
            for (String line : BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD)) {
                ticks.add(parser.parsePrice(line));
            }

            // Replays the ticks as the operator applies them: all ticks of an instant, then one
            // evaluation. The exchange medians become the TWAP's step function.
            List<Long> evalTimes = new ArrayList<>();
            List<BigDecimal> evalMedians = new ArrayList<>();
            quotes = new ArrayList<>();
            Map<String, SourceQuote> last = new TreeMap<>();
            Oracle oracle = new Oracle();
            PriceEvaluator evaluator = new PriceEvaluator(pair);
            List<TwapPoint> history = new ArrayList<>();
            List<Long> scenarioTimes = new ArrayList<>();
            for (int i = 0; i < ticks.size(); ) {
                long t = ticks.get(i).eventTime();
                for (; i < ticks.size() && ticks.get(i).eventTime() == t; i++) {
                    PriceTick tick = ticks.get(i);
                    last.put(tick.source(), new SourceQuote(tick.source(), tick.kind(), tick.price(), t, null));
                }
                oracle.observe(t, last);
                List<SourceQuote> current = new ArrayList<>(last.values());
                oracle.quote().ifPresent(current::add);
                Evaluation e = evaluator.evaluate(t, current, history);
                history.add(new TwapPoint(t, e.exchangeMedian()));
                history = Twap.prune(history, t, pair.twapWindowMs());
                evalTimes.add(t);
                evalMedians.add(e.exchangeMedian());
                if (t >= DAY_START && t < DAY_END) {
                    scenarioTimes.add(t);
                    quotes.add(List.copyOf(current));
                }
            }
            times = scenarioTimes.stream().mapToLong(Long::longValue).toArray();
            histories = denseHistories(evalTimes, evalMedians);
        }

        /**
         * For each scenario, the history an operator evaluating {@code evaluationsPerMinute} times
         * a minute would hold: points on a regular grid, each carrying the exchange median in
         * force at its time, as the operator holds it at {@code t}: pruned at the previous evaluation
     * (so from the last point at or before {@code t - step - window}), up to just before {@code t}.
         * The scenarios share one timeline through sublist views, which keeps the dense case small.
         */
        private List<List<TwapPoint>> denseHistories(List<Long> evalTimes, List<BigDecimal> evalMedians) {
            long step = 60_000L / evaluationsPerMinute;
            long window = pair.twapWindowMs();
            long start = times[0] - window - step;
            List<TwapPoint> timeline = new ArrayList<>();
            int e = 0;
            for (long x = start; x < times[times.length - 1]; x += step) {
                while (e + 1 < evalTimes.size() && evalTimes.get(e + 1) <= x) {
                    e++;
                }
                timeline.add(new TwapPoint(x, evalTimes.get(e) <= x ? evalMedians.get(e) : null));
            }
            List<List<TwapPoint>> out = new ArrayList<>(times.length);
            for (long t : times) {
                int from = (int) Math.floorDiv(t - step - window - start, step);
                int to = (int) Math.floorDiv(t - 1 - start, step) + 1; // points strictly before t
                out.add(timeline.subList(from, Math.min(to, timeline.size())));
            }
            return out;
        }
    }

    /**
     * An oracle that follows the exchanges as Chainlink's BTC/USD feed does: a new answer when
     * the median moves more than 0.5% from the last one, or after an hour's heartbeat. The
     * bundled Chainlink rounds do not cover March 2023, hence this stand-in.
     */
    static final class Oracle {
        private static final BigDecimal DEVIATION = new BigDecimal("0.005");
        private static final long HEARTBEAT_MS = 3_600_000L;
        private SourceQuote last;

        void observe(long t, Map<String, SourceQuote> exchanges) {
            BigDecimal median = Median.of(exchanges.values().stream().map(SourceQuote::price).toList());
            if (median == null) {
                return;
            }
            boolean due = last == null
                    || t - last.eventTime() >= HEARTBEAT_MS
                    || median.subtract(last.price()).abs().compareTo(DEVIATION.multiply(last.price())) > 0;
            if (due) {
                BigDecimal answer = median.setScale(8, RoundingMode.HALF_EVEN);
                last = new SourceQuote("chainlink", SourceKind.ORACLE, answer, t, null);
            }
        }

        Optional<SourceQuote> quote() {
            return Optional.ofNullable(last);
        }
    }

    /** One {@code prices} line to a validated tick, as the job's parse step does per record. */
    @Benchmark
    public PriceTick parsePrice(Lines s) throws InvalidInputException {
        String line = s.lines[s.next];
        if (++s.next == s.lines.length) {
            s.next = 0;
        }
        return s.parser.parsePrice(line);
    }

    /** One evaluation as {@code onTimer} does it, minus state access: rules, TWAP, history pruning. */
    @Benchmark
    public void evaluate(Evaluations s, Blackhole bh) {
        int i = s.next;
        if (++s.next == s.times.length) {
            s.next = 0;
        }
        long t = s.times[i];
        List<TwapPoint> history = s.histories.get(i);
        Evaluation e = new PriceEvaluator(s.pair).evaluate(t, s.quotes.get(i), history);
        bh.consume(e);
        bh.consume(Twap.prune(history, t, s.pair.twapWindowMs()));
    }
}
