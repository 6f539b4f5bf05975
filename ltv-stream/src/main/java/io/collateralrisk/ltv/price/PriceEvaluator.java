package io.collateralrisk.ltv.price;

import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.config.PairConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The reference-price rules of one pair at one instant {@code t}, without Flink:
 *
 * <pre>
 * last tick per source --fresh? (age &lt;= maxAge of its kind)--&gt; fresh sources      (else STALE)
 * fresh sources --|p - median(fresh)| &lt;= outlierBand x median(fresh)?--&gt; usable (else OUTLIER)
 * usable &gt;= quorum ? OK, median(usable) : UNAVAILABLE
 * exchange median = median(usable exchanges) --&gt; TWAP over twapWindow ({@link Twap}, {@link RunningTwap})
 * primary = the freshest usable oracle
 * </pre>
 *
 * Comparisons are exact. A tick's price is used exactly as it arrived (the primary, and the
 * median of an odd count, are a tick's price); a computed price (the mean of the middle two, the
 * TWAP) is rounded half-even to the pair's {@code priceScale}, never to the quote asset's scale.
 */
public final class PriceEvaluator {

    private static final Comparator<SourceQuote> BY_SOURCE = Comparator.comparing(SourceQuote::source);

    private final PairConfig pair;
    private final int priceScale;

    public PriceEvaluator(PairConfig pair) {
        this.pair = pair;
        this.priceScale = pair.priceScale();
    }

    /**
     * @param quotes the last accepted tick of every known source, none later than {@code t}
     * @param twapHistory exchange medians of earlier evaluations, ascending, within reach of the window
     *     (see {@link Twap#prune})
     */
    public Evaluation evaluate(long t, Collection<SourceQuote> quotes, List<TwapPoint> twapHistory) {
        return evaluate(t, quotes, exchangeMedian -> Twap.at(twapHistory, t, pair.twapWindowMs(), exchangeMedian, priceScale));
    }

    /**
     * As {@link #evaluate(long, Collection, List)}, with the TWAP from a running sum over the
     * earlier evaluations' exchange medians, already slid to {@code t - twapWindow}.
     */
    public Evaluation evaluate(long t, Collection<SourceQuote> quotes, RunningTwap twap) {
        return evaluate(t, quotes, exchangeMedian -> twap.at(t, pair.twapWindowMs(), exchangeMedian, priceScale));
    }

    private Evaluation evaluate(long t, Collection<SourceQuote> quotes, UnaryOperator<BigDecimal> twapOfExchangeMedian) {
        List<SourceQuote> sorted = new ArrayList<>(quotes);
        sorted.sort(BY_SOURCE);

        List<SourceQuote> fresh = new ArrayList<>();
        List<ExcludedSource> excluded = new ArrayList<>();
        for (SourceQuote q : sorted) {
            if (t - q.eventTime() <= pair.maxAgeMs(q.kind())) {
                fresh.add(q);
            } else {
                excluded.add(exclusion(q, ExcludedSource.STALE));
            }
        }

        BigDecimal freshMedian = Median.of(fresh.stream().map(SourceQuote::price).toList());
        List<SourceQuote> usable = new ArrayList<>();
        for (SourceQuote q : fresh) {
            BigDecimal tolerance = pair.outlierBand().multiply(freshMedian);
            if (q.price().subtract(freshMedian).abs().compareTo(tolerance) > 0) {
                excluded.add(exclusion(q, ExcludedSource.OUTLIER));
            } else {
                usable.add(q);
            }
        }
        excluded.sort(Comparator.comparing(ExcludedSource::source));

        boolean ok = usable.size() >= pair.quorum();
        BigDecimal median = ok ? Median.of(usable.stream().map(SourceQuote::price).toList(), priceScale) : null;
        BigDecimal exchangeMedian =
                Median.of(usable.stream().filter(q -> q.kind() == SourceKind.EXCHANGE).map(SourceQuote::price).toList());
        BigDecimal twap = twapOfExchangeMedian.apply(exchangeMedian);
        BigDecimal primary =
                usable.stream()
                        .filter(q -> q.kind() == SourceKind.ORACLE)
                        .max(Comparator.comparingLong(SourceQuote::eventTime).thenComparing(BY_SOURCE.reversed()))
                        .map(SourceQuote::price)
                        .orElse(null);
        List<SourcePrice> used =
                usable.stream().map(q -> new SourcePrice(q.source(), q.kind(), q.price(), q.eventTime())).toList();
        return new Evaluation(
                ok ? PriceStatus.OK : PriceStatus.UNAVAILABLE,
                median,
                exchangeMedian,
                twap,
                primary,
                used,
                List.copyOf(excluded),
                usable.size());
    }

    private static ExcludedSource exclusion(SourceQuote q, String reason) {
        return new ExcludedSource(q.source(), q.kind(), reason, q.price(), q.eventTime());
    }
}
