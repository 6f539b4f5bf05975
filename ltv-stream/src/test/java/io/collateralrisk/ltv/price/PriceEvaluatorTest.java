package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceEvaluatorTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final String PAIR = "BTC-USD";
    private static final long SECOND = 1_000;
    private static final long ORACLE_MAX_AGE = 3_900 * SECOND;
    private static final long EXCHANGE_MAX_AGE = 120 * SECOND;
    private static final long T = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();

    private final PriceEvaluator evaluator = new PriceEvaluator(CONFIG.pair(PAIR));

    @Test
    void defaultsAreTheOnesTheseTestsAssume() {
        assertThat(CONFIG.pair(PAIR).maxAgeMs(SourceKind.ORACLE)).isEqualTo(ORACLE_MAX_AGE);
        assertThat(CONFIG.pair(PAIR).maxAgeMs(SourceKind.EXCHANGE)).isEqualTo(EXCHANGE_MAX_AGE);
        assertThat(CONFIG.pair(PAIR).quorum()).isEqualTo(2);
        assertThat(CONFIG.pair(PAIR).outlierBand()).isEqualByComparingTo("0.10");
        assertThat(CONFIG.priceScale(PAIR)).isEqualTo(8);
    }

    @Test
    void oracleExactlyMaxAgeOldIsFresh() {
        Evaluation e = evaluate(oracle("chainlink", "100", T - ORACLE_MAX_AGE), exchange("coinbase", "100", T));
        assertThat(sources(e.used())).containsExactly("chainlink", "coinbase");
        assertThat(e.excluded()).isEmpty();
    }

    @Test
    void oracleOneMillisecondOverMaxAgeIsStale() {
        Evaluation e = evaluate(
                oracle("chainlink", "100", T - ORACLE_MAX_AGE - 1), exchange("coinbase", "100", T), exchange("kraken", "100", T));
        assertThat(sources(e.used())).containsExactly("coinbase", "kraken");
        assertThat(e.excluded())
                .containsExactly(new ExcludedSource(
                        "chainlink", SourceKind.ORACLE, ExcludedSource.STALE, new BigDecimal("100"), T - ORACLE_MAX_AGE - 1));
        assertThat(e.primary()).isNull();
    }

    @Test
    void exchangeExactlyMaxAgeOldIsFresh() {
        Evaluation e = evaluate(exchange("coinbase", "100", T - EXCHANGE_MAX_AGE), exchange("kraken", "100", T));
        assertThat(sources(e.used())).containsExactly("coinbase", "kraken");
        assertThat(e.status()).isEqualTo(PriceStatus.OK);
    }

    @Test
    void exchangeOneMillisecondOverMaxAgeIsStale() {
        Evaluation e = evaluate(exchange("coinbase", "100", T - EXCHANGE_MAX_AGE - 1), exchange("kraken", "100", T));
        assertThat(sources(e.used())).containsExactly("kraken");
        assertThat(e.excluded()).extracting(ExcludedSource::source, ExcludedSource::reason)
                .containsExactly(tuple("coinbase", ExcludedSource.STALE));
        assertThat(e.status()).isEqualTo(PriceStatus.UNAVAILABLE);
    }

    @Test
    void exchangeMaxAgeDoesNotApplyToOracles() {
        // An oracle an hour into its heartbeat is still fresh where an exchange would long be stale.
        Evaluation e = evaluate(oracle("chainlink", "100", T - 3_600 * SECOND), exchange("coinbase", "100", T));
        assertThat(sources(e.used())).containsExactly("chainlink", "coinbase");
    }

    @Test
    void sourceExactlyAtTheOutlierBandIsKept() {
        // median of the fresh sources is 100; 110 and 90 are exactly 10% away
        Evaluation e = evaluate(
                exchange("a", "100", T), exchange("b", "100", T), exchange("c", "110", T), exchange("d", "90", T), exchange("e", "100", T));
        assertThat(sources(e.used())).containsExactly("a", "b", "c", "d", "e");
        assertThat(e.excluded()).isEmpty();
    }

    @Test
    void sourceJustOverTheOutlierBandIsExcluded() {
        Evaluation e = evaluate(
                exchange("a", "100", T), exchange("b", "100", T), exchange("c", "110.01", T), exchange("d", "89.99", T), exchange("e", "100", T));
        assertThat(sources(e.used())).containsExactly("a", "b", "e");
        assertThat(e.excluded()).extracting(ExcludedSource::source, ExcludedSource::reason)
                .containsExactly(
                        tuple("c", ExcludedSource.OUTLIER),
                        tuple("d", ExcludedSource.OUTLIER));
        assertThat(e.median()).isEqualByComparingTo("100");
    }

    @Test
    void staleSourcesDoNotMoveTheMedianOutliersAreJudgedBy() {
        // Were the stale 200s counted, the median would be 200 and the fresh 100s the outliers.
        Evaluation e = evaluate(
                exchange("a", "100", T),
                exchange("b", "100", T),
                exchange("old1", "200", T - EXCHANGE_MAX_AGE - 1),
                exchange("old2", "200", T - EXCHANGE_MAX_AGE - 1),
                exchange("old3", "200", T - EXCHANGE_MAX_AGE - 1));
        assertThat(sources(e.used())).containsExactly("a", "b");
        assertThat(e.median()).isEqualByComparingTo("100");
    }

    @Test
    void twoUsableSourcesMakeQuorum() {
        Evaluation e = evaluate(exchange("coinbase", "100", T), oracle("chainlink", "102", T));
        assertThat(e.status()).isEqualTo(PriceStatus.OK);
        assertThat(e.usable()).isEqualTo(2);
        assertThat(e.median()).isEqualTo(new BigDecimal("101"));
    }

    @Test
    void oneUsableSourceIsUnavailableWithNoMedian() {
        Evaluation e = evaluate(exchange("coinbase", "100", T), oracle("chainlink", "102", T - ORACLE_MAX_AGE - 1));
        assertThat(e.status()).isEqualTo(PriceStatus.UNAVAILABLE);
        assertThat(e.usable()).isEqualTo(1);
        assertThat(e.median()).isNull();
        // The exchange TWAP has quorum 1: it is still reported.
        assertThat(e.twap()).isEqualByComparingTo("100");
    }

    @Test
    void noSourcesAtAllIsUnavailable() {
        Evaluation e = evaluate();
        assertThat(e.status()).isEqualTo(PriceStatus.UNAVAILABLE);
        assertThat(e.median()).isNull();
        assertThat(e.twap()).isNull();
        assertThat(e.primary()).isNull();
        assertThat(e.used()).isEmpty();
    }

    @Test
    void primaryIsTheFreshestUsableOracle() {
        Evaluation e = evaluate(
                oracle("pyth", "100", T - 60 * SECOND),
                oracle("chainlink", "101", T - 10 * SECOND),
                oracle("redstone", "150", T - SECOND), // fresher still, but an outlier
                oracle("uma", "102", T - ORACLE_MAX_AGE - 1), // stale
                exchange("coinbase", "100", T), // fresher than any oracle, but not an oracle
                exchange("kraken", "100", T));
        assertThat(e.primary()).isEqualTo(new BigDecimal("101"));
    }

    @Test
    void primaryIsTheTickExactlyAsItArrived() {
        // Never rounded: not to the quote asset's cents, not even beyond the price scale.
        assertThat(evaluate(oracle("chainlink", "100.125", T), exchange("coinbase", "100", T)).primary())
                .isEqualTo(new BigDecimal("100.125"));
        assertThat(evaluate(oracle("chainlink", "27123.4567890123", T), exchange("coinbase", "27100", T)).primary())
                .isEqualTo(new BigDecimal("27123.4567890123"));
        assertThat(evaluate(oracle("chainlink", "100.10", T), exchange("coinbase", "100", T)).primary().toPlainString())
                .isEqualTo("100.10");
    }

    @Test
    void withNoExchangeUsableTheLastExchangeMedianStandsUntilTheWindowLapses() {
        List<TwapPoint> history = List.of(new TwapPoint(T - 200 * SECOND, new BigDecimal("100")));
        Evaluation onlyOracles = evaluator.evaluate(T, List.of(oracle("chainlink", "90", T), oracle("pyth", "90", T)), history);
        assertThat(onlyOracles.status()).isEqualTo(PriceStatus.OK);
        assertThat(onlyOracles.exchangeMedian()).isNull();
        // The exchanges are dark: where they were still stands, and the primary is checked against it.
        assertThat(onlyOracles.twap()).isEqualTo(new BigDecimal("100"));

        Evaluation staleExchange = evaluator.evaluate(
                T,
                List.of(oracle("chainlink", "90", T), oracle("pyth", "90", T), exchange("coinbase", "100", T - EXCHANGE_MAX_AGE - 1)),
                history);
        assertThat(staleExchange.exchangeMedian()).isNull();
        assertThat(staleExchange.twap()).isEqualTo(new BigDecimal("100"));

        // No exchange median within the last window: no TWAP.
        List<TwapPoint> lapsed = List.of(new TwapPoint(T - 300 * SECOND, new BigDecimal("100")));
        assertThat(evaluator.evaluate(T, List.of(oracle("chainlink", "90", T), oracle("pyth", "90", T)), lapsed).twap()).isNull();
    }

    @Test
    void twapComesFromEarlierExchangeMediansNotFromTheCurrentOne() {
        List<TwapPoint> history = List.of(
                new TwapPoint(T - 300 * SECOND, new BigDecimal("100")), new TwapPoint(T - 150 * SECOND, new BigDecimal("103")));
        Evaluation e = evaluator.evaluate(T, List.of(exchange("coinbase", "109", T), exchange("kraken", "109", T)), history);
        assertThat(e.twap()).isEqualTo(new BigDecimal("101.5"));
        assertThat(e.median()).isEqualTo(new BigDecimal("109"));
    }

    @Test
    void meanOfTheMiddleTwoIsRoundedHalfEvenToThePriceScaleNotTheQuoteScale() {
        // Within the default 8 places the mean is exact: cents are not the price's precision.
        assertThat(evaluate(exchange("a", "100.00", T), exchange("b", "100.01", T)).median()).isEqualTo(new BigDecimal("100.005"));
        // 1.000000005 -> 1.00000000 (HALF_UP would give 1.00000001); 1.000000015 -> 1.00000002
        assertThat(evaluate(exchange("a", "1.00000000", T), exchange("b", "1.00000001", T)).median())
                .isEqualTo(new BigDecimal("1.00000000"));
        assertThat(evaluate(exchange("a", "1.00000001", T), exchange("b", "1.00000002", T)).median())
                .isEqualTo(new BigDecimal("1.00000002"));

        PriceEvaluator twoPlaces = new PriceEvaluator(ConfigLoader.parse("pairs: {BTC-USD: {priceScale: 2}}").pair(PAIR));
        assertThat(twoPlaces.evaluate(T, List.of(quote("a", "100.00"), quote("b", "100.01")), List.of()).median())
                .isEqualTo(new BigDecimal("100.00"));
        assertThat(twoPlaces.evaluate(T, List.of(quote("a", "100.01"), quote("b", "100.02")), List.of()).median())
                .isEqualTo(new BigDecimal("100.02"));
        // An odd count is a tick's price, kept as it arrived even beyond two places.
        assertThat(twoPlaces.evaluate(T, List.of(quote("a", "100.001"), quote("b", "100.0011"), quote("c", "100.0012")), List.of())
                .median()).isEqualTo(new BigDecimal("100.0011"));
    }

    private static SourceQuote quote(String source, String price) {
        return new SourceQuote(source, SourceKind.EXCHANGE, new BigDecimal(price), T, null);
    }

    @Test
    void exchangeMedianFeedingTheTwapStaysExact() {
        Evaluation e = evaluate(exchange("a", "100.00", T), exchange("b", "100.01", T));
        assertThat(e.exchangeMedian()).isEqualTo(new BigDecimal("100.005"));
    }

    @Test
    void usedAndExcludedAreOrderedBySourceName() {
        Evaluation e = evaluate(
                exchange("kraken", "100", T),
                exchange("zeta", "100", T - EXCHANGE_MAX_AGE - 1), // stale
                oracle("chainlink", "100", T),
                exchange("alpha", "200", T), // outlier
                exchange("binance", "100", T),
                exchange("bitstamp", "100", T - EXCHANGE_MAX_AGE - 1)); // stale
        assertThat(sources(e.used())).containsExactly("binance", "chainlink", "kraken");
        assertThat(e.excluded()).extracting(ExcludedSource::source, ExcludedSource::reason)
                .containsExactly(
                        tuple("alpha", ExcludedSource.OUTLIER),
                        tuple("bitstamp", ExcludedSource.STALE),
                        tuple("zeta", ExcludedSource.STALE));
    }

    @Test
    void usedSourcesCarryTheirOwnTickUnrounded() {
        Evaluation e = evaluate(exchange("coinbase", "100.125", T - 5 * SECOND), oracle("chainlink", "100", T));
        assertThat(e.used())
                .containsExactly(
                        new SourcePrice("chainlink", SourceKind.ORACLE, new BigDecimal("100"), T),
                        new SourcePrice("coinbase", SourceKind.EXCHANGE, new BigDecimal("100.125"), T - 5 * SECOND));
    }

    private Evaluation evaluate(SourceQuote... quotes) {
        return evaluator.evaluate(T, List.of(quotes), List.of());
    }

    private static SourceQuote oracle(String source, String price, long time) {
        return new SourceQuote(source, SourceKind.ORACLE, new BigDecimal(price), time, null);
    }

    private static SourceQuote exchange(String source, String price, long time) {
        return new SourceQuote(source, SourceKind.EXCHANGE, new BigDecimal(price), time, null);
    }

    private static List<String> sources(List<SourcePrice> used) {
        return used.stream().map(SourcePrice::source).toList();
    }
}
