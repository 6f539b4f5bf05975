package io.collateralrisk.jobs.bench;

import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.ltv.price.Evaluation;
import io.collateralrisk.ltv.price.Median;
import io.collateralrisk.ltv.price.PriceEvaluator;
import io.collateralrisk.ltv.price.RunningTwap;
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
import java.util.HashMap;
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
 * line, one evaluation (the rules and the running TWAP), and the TWAP alone, with the running sum
 * and, for comparison, with the whole-window walk it replaced. Flink's state access and timers
 * are left out: they are measured, with everything else, by the end-to-end replay figure of
 * {@code bin/risk bench prices}.
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
     * 2023-03-10 (the day SVB was closed), minute by minute, as the operator evaluates it: the
     * quotes of the three exchanges plus an oracle at each minute, and every evaluation's exchange
     * median since the bundled data starts (the TWAP's step function).
     */
    static final class Day {
        static final long DAY_START = Times.parseIso("2023-03-10T00:00:00Z");
        static final long DAY_END = Times.parseIso("2023-03-11T00:00:00Z");

        final PairConfig pair;
        /** The day's evaluation instants (one a minute) and the quotes and exchange median at each. */
        final long[] times;
        final List<List<SourceQuote>> quotes = new ArrayList<>();
        final BigDecimal[] medians;
        /** Every evaluation of the bundled data, for the histories the old layout held. */
        final List<Long> evalTimes = new ArrayList<>();
        final List<BigDecimal> evalMedians = new ArrayList<>();

        Day() throws IOException, InvalidInputException {
            RiskConfig config = RiskConfig.defaults();
            pair = config.pair(PAIR);
            InputParser parser = new InputParser(config);
            List<PriceTick> ticks = new ArrayList<>();
            for (String line : BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD)) {
                ticks.add(parser.parsePrice(line));
            }
            // Replays the ticks as the operator applies them: all ticks of an instant, then one
            // evaluation. The exchange medians become the TWAP's step function.
            Map<String, SourceQuote> last = new TreeMap<>();
            Oracle oracle = new Oracle();
            PriceEvaluator evaluator = new PriceEvaluator(pair);
            List<TwapPoint> history = new ArrayList<>();
            List<Long> dayTimes = new ArrayList<>();
            List<BigDecimal> dayMedians = new ArrayList<>();
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
                    dayTimes.add(t);
                    quotes.add(List.copyOf(current));
                    dayMedians.add(e.exchangeMedian());
                }
            }
            times = dayTimes.stream().mapToLong(Long::longValue).toArray();
            medians = dayMedians.toArray(BigDecimal[]::new);
        }

        /** From one lap of the day to the next: the same minutes a whole day later. */
        long lap() {
            return DAY_END - DAY_START;
        }
    }

    /**
     * The operator's running TWAP at a steady evaluation rate through the day, lap after lap:
     * {@code perMinute} evaluations within each minute, 100 ms apart at 600, each with
     * that minute's quotes. The window is filled before the first measurement, so every measured
     * evaluation slides it by one point (at 600: 3,000 points standing).
     */
    public abstract static class Live {

        int perMinute;
        Day day;
        PairConfig pair;
        long window;
        int scale;
        long step;
        List<List<SourceQuote>> quotes;
        RunningTwap twap;
        RunningTwap.Points points;
        long lapOffset;
        int minute;
        int within;
        /** This evaluation's instant and quotes, set by {@link #advance}. */
        long t;
        int current;

        abstract int rate();

        @Setup
        public void build() throws Exception {
            perMinute = rate();
            day = new Day();
            pair = day.pair;
            window = pair.twapWindowMs();
            scale = pair.priceScale();
            step = 60_000L / perMinute;
            quotes = day.quotes;
            twap = new RunningTwap();
            points = RunningTwap.Points.of(new HashMap<>());
            minute = 0;
            within = -1;
            // Fills the window: 6 minutes of evaluations before the first measured one.
            for (int i = 0; i < 6 * perMinute; i++) {
                advance();
                twap.slide(t - window, points);
                twap.append(t, day.medians[current], points);
            }
        }

        /** The next evaluation instant; after the day's last minute, the day again a day later. */
        void advance() {
            if (++within == perMinute) {
                within = 0;
                if (++minute == day.times.length) {
                    minute = 0;
                    lapOffset += day.lap();
                    long shift = lapOffset;
                    // The quotes move with the clock, so that they stay fresh.
                    quotes = day.quotes.stream()
                            .map(qs -> qs.stream()
                                    .map(q -> new SourceQuote(q.source(), q.kind(), q.price(), q.eventTime() + shift, q.round()))
                                    .toList())
                            .toList();
                }
            }
            current = minute;
            t = lapOffset + day.times[minute] + within * step;
        }
    }

    /** Whole evaluations at two rates. */
    @State(Scope.Thread)
    public static class LiveEvaluations extends Live {

        /** 1: the bundled one-minute candles (6 points in the window); 600: ten a second (3,001 points). */
        @Param({"1", "600"})
        public int evaluationsPerMinute;

        @Override
        int rate() {
            return evaluationsPerMinute;
        }
    }

    /** The TWAP alone at ten evaluations a second: 3,000 points standing in the 5-minute window. */
    @State(Scope.Thread)
    public static class LiveTwap extends Live {
        @Override
        int rate() {
            return 600;
        }
    }

    /**
     * The histories the whole-list layout held at ten evaluations a second, at each minute of the
     * day: a regular grid, each point carrying the exchange median in force at its time, pruned
     * at the previous evaluation (from the last point at or before {@code t - step - window}), up
     * to just before {@code t}: 3,001 points. The minutes share one timeline through sublist views.
     */
    @State(Scope.Thread)
    public static class Histories {
        static final int EVALUATIONS_PER_MINUTE = 600;

        PairConfig pair;
        long[] times;
        BigDecimal[] medians;
        List<List<TwapPoint>> histories;
        int next;

        @Setup
        public void build() throws Exception {
            Day day = new Day();
            pair = day.pair;
            times = day.times;
            medians = day.medians;
            long step = 60_000L / EVALUATIONS_PER_MINUTE;
            long window = pair.twapWindowMs();
            long start = times[0] - window - step;
            List<TwapPoint> timeline = new ArrayList<>();
            int e = 0;
            for (long x = start; x < times[times.length - 1]; x += step) {
                while (e + 1 < day.evalTimes.size() && day.evalTimes.get(e + 1) <= x) {
                    e++;
                }
                timeline.add(new TwapPoint(x, day.evalTimes.get(e) <= x ? day.evalMedians.get(e) : null));
            }
            histories = new ArrayList<>(times.length);
            for (long t : times) {
                int from = (int) Math.floorDiv(t - step - window - start, step);
                int to = (int) Math.floorDiv(t - 1 - start, step) + 1; // points strictly before t
                histories.add(timeline.subList(from, Math.min(to, timeline.size())));
            }
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

    /**
     * One evaluation as {@code onTimer} does it, minus Flink's state access: slide the running
     * TWAP, {@code PriceEvaluator.evaluate} (freshness, outliers, quorum, medians, TWAP, primary),
     * append the exchange median.
     */
    @Benchmark
    public Evaluation evaluate(LiveEvaluations s) throws Exception {
        s.advance();
        long t = s.t;
        s.twap.slide(t - s.window, s.points);
        Evaluation e = new PriceEvaluator(s.pair).evaluate(t, s.quotes.get(s.current), s.twap);
        s.twap.append(t, e.exchangeMedian(), s.points);
        return e;
    }

    /** The TWAP alone with the running sum: slide the window, the TWAP at {@code t}, append {@code t}'s median. */
    @Benchmark
    public BigDecimal twap(LiveTwap s) throws Exception {
        s.advance();
        long t = s.t;
        BigDecimal median = s.day.medians[s.current];
        s.twap.slide(t - s.window, s.points);
        BigDecimal twap = s.twap.at(t, s.window, median, s.scale);
        s.twap.append(t, median, s.points);
        return twap;
    }

    /**
     * The TWAP alone as the whole-list layout computed it, for comparison: {@code Twap.at} walks
     * the 3,001 points of a ten-a-second history and {@code Twap.prune} copies it.
     */
    @Benchmark
    public void twapWholeWindowWalk(Histories s, Blackhole bh) {
        int i = s.next;
        if (++s.next == s.times.length) {
            s.next = 0;
        }
        long t = s.times[i];
        List<TwapPoint> history = s.histories.get(i);
        bh.consume(Twap.at(history, t, s.pair.twapWindowMs(), s.medians[i], s.pair.priceScale()));
        bh.consume(Twap.prune(history, t, s.pair.twapWindowMs()));
    }
}
