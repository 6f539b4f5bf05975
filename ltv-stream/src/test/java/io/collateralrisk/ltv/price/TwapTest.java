package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TwapTest {

    private static final long SECOND = 1_000;
    private static final long WINDOW = 300 * SECOND;
    private static final long T = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    private static final long WINDOW_START = T - WINDOW;

    @Test
    void valuesWeighByHowLongTheyStoodNotByCount() {
        List<TwapPoint> points = List.of(
                point(T - 300 * SECOND, "100"), // stands 60 s
                point(T - 240 * SECOND, "110"), // stands 180 s
                point(T - 60 * SECOND, "130")); // stands 60 s, until t
        // (100 x 60 + 110 x 180 + 130 x 60) / 300 = 33600 / 300; a plain mean would be 113.33
        assertThat(Twap.at(points, T, WINDOW, new BigDecimal("999"))).isEqualByComparingTo("112");
    }

    @Test
    void singleValueIsItsOwnAverage() {
        assertThat(Twap.at(List.of(point(T - 100 * SECOND, "5123.45")), T, WINDOW, new BigDecimal("5200")))
                .isEqualByComparingTo("5123.45");
    }

    @Test
    void withNoHistoryTheCurrentValueIsTheTwap() {
        assertThat(Twap.at(List.of(), T, WINDOW, new BigDecimal("5200"))).isEqualByComparingTo("5200");
    }

    @Test
    void pointBeforeTheWindowCountsOnlyForThePartInsideIt() {
        List<TwapPoint> points = List.of(
                point(WINDOW_START - 30 * SECOND, "100"), // 30 s before the window, 30 s inside it
                point(WINDOW_START + 30 * SECOND, "200")); // 270 s inside
        // (100 x 30 + 200 x 270) / 300; counting the whole 60 s of the first point would give 181.82
        assertThat(Twap.at(points, T, WINDOW, new BigDecimal("200"))).isEqualByComparingTo("190");
    }

    @Test
    void pointExactlyAtTheWindowStartCountsFromThere() {
        List<TwapPoint> points = List.of(
                point(WINDOW_START - 100 * SECOND, "999"), // superseded before the window opened
                point(WINDOW_START, "100"),
                point(WINDOW_START + 150 * SECOND, "200"));
        assertThat(Twap.at(points, T, WINDOW, new BigDecimal("200"))).isEqualByComparingTo("150");
    }

    @Test
    void gapWithNoValueCarriesNoWeight() {
        List<TwapPoint> points = List.of(
                point(T - 300 * SECOND, "100"),
                point(T - 200 * SECOND, null), // no fresh exchange for 100 s
                point(T - 100 * SECOND, "200"));
        // (100 x 100 + 200 x 100) / 200; treating the gap as zero would give 100
        assertThat(Twap.at(points, T, WINDOW, new BigDecimal("200"))).isEqualByComparingTo("150");
    }

    @Test
    void onlyGapsInTheWindowFallBackToTheCurrentValue() {
        List<TwapPoint> points = List.of(point(T - 400 * SECOND, "100"), point(T - 350 * SECOND, null));
        assertThat(Twap.at(points, T, WINDOW, new BigDecimal("105"))).isEqualByComparingTo("105");
    }

    @Test
    void noCurrentValueMeansNoTwap() {
        List<TwapPoint> points = List.of(point(T - 300 * SECOND, "100"), point(T - 100 * SECOND, "200"));
        assertThat(Twap.at(points, T, WINDOW, null)).isNull();
    }

    @Test
    void repeatingQuotientIsRoundedNotAnError() {
        List<TwapPoint> points = List.of(point(T - 300 * SECOND, "1"), point(T - 200 * SECOND, "2"));
        // (1 x 100 + 2 x 200) / 300 = 5/3
        assertThat(Twap.at(points, T, WINDOW, BigDecimal.ONE))
                .isEqualTo(BigDecimal.valueOf(5).divide(BigDecimal.valueOf(3), MathContext.DECIMAL128));
    }

    @Test
    void pruneKeepsTheLastPointBeforeTheWindowAndEverythingAfter() {
        TwapPoint older = point(T - 400 * SECOND, "90");
        TwapPoint lastBefore = point(T - 350 * SECOND, "100");
        TwapPoint inside = point(T - 100 * SECOND, "200");
        List<TwapPoint> points = List.of(older, lastBefore, inside);

        assertThat(Twap.prune(points, T, WINDOW)).containsExactly(lastBefore, inside);
        // Dropping the older point must not change the average the full history gives.
        assertThat(Twap.at(Twap.prune(points, T, WINDOW), T, WINDOW, BigDecimal.ONE))
                .isEqualByComparingTo(Twap.at(points, T, WINDOW, BigDecimal.ONE));
    }

    @Test
    void pruneStartsAtAPointExactlyAtTheWindowStart() {
        TwapPoint atStart = point(WINDOW_START, "100");
        TwapPoint inside = point(T - 100 * SECOND, "200");
        assertThat(Twap.prune(List.of(point(T - 400 * SECOND, "90"), atStart, inside), T, WINDOW))
                .containsExactly(atStart, inside);
    }

    @Test
    void pruneKeepsAllWhenNothingIsBeforeTheWindow() {
        List<TwapPoint> points = List.of(point(T - 200 * SECOND, "100"), point(T - 100 * SECOND, "200"));
        assertThat(Twap.prune(points, T, WINDOW)).containsExactlyElementsOf(points);
        assertThat(Twap.prune(List.of(), T, WINDOW)).isEmpty();
    }

    private static TwapPoint point(long time, String value) {
        return new TwapPoint(time, value == null ? null : new BigDecimal(value));
    }
}
