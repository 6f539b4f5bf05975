package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TwapTest {

    private static final long SECOND = 1_000;
    private static final long WINDOW = 300 * SECOND;
    private static final long T = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    private static final long WINDOW_START = T - WINDOW;
    private static final int SCALE = 8;

    @Test
    void valuesWeighByHowLongTheyStoodNotByCount() {
        List<TwapPoint> points = List.of(
                point(T - 300 * SECOND, "100"), // stands 60 s
                point(T - 240 * SECOND, "110"), // stands 180 s
                point(T - 60 * SECOND, "130")); // stands 60 s, until t
        // (100 x 60 + 110 x 180 + 130 x 60) / 300 = 33600 / 300; a plain mean would be 113.33
        assertThat(at(points, "999")).isEqualTo("112");
    }

    @Test
    void singleValueIsItsOwnAverageAtItsOwnScale() {
        assertThat(at(List.of(point(T - 100 * SECOND, "5123.45")), "5200")).isEqualTo("5123.45");
    }

    @Test
    void withNoHistoryTheCurrentValueIsTheTwap() {
        assertThat(at(List.of(), "5200.5")).isEqualTo("5200.5");
        assertThat(at(List.of(), null)).isNull();
    }

    @Test
    void medianComputedAtTWeighsNothingYet() {
        // The 1000 computed at t has stood for no time: only the 100 counts.
        assertThat(at(List.of(point(T - 1, "100")), "1000")).isEqualTo("100");
    }

    @Test
    void pointBeforeTheWindowCountsOnlyForThePartInsideIt() {
        List<TwapPoint> points = List.of(
                point(WINDOW_START - 30 * SECOND, "100"), // 30 s before the window, 30 s inside it
                point(WINDOW_START + 30 * SECOND, "200")); // 270 s inside
        // (100 x 30 + 200 x 270) / 300; counting the whole 60 s of the first point would give 181.82
        assertThat(at(points, "200")).isEqualTo("190");
    }

    @Test
    void pointExactlyAtTheWindowStartCountsFromThere() {
        List<TwapPoint> points = List.of(
                point(WINDOW_START - 100 * SECOND, "999"), // superseded before the window opened
                point(WINDOW_START, "100"),
                point(WINDOW_START + 150 * SECOND, "200"));
        assertThat(at(points, "200")).isEqualTo("150");
    }

    // --- through an exchange blackout (evaluations with no exchange median)

    @Test
    void blackoutShorterThanTheWindowKeepsTheLastMedianStanding() {
        List<TwapPoint> points = new ArrayList<>(List.of(
                point(T - 360 * SECOND, "100"),
                point(T - 300 * SECOND, "101"),
                point(T - 240 * SECOND, "102"), // the exchanges go dark after this one
                point(T - 180 * SECOND, null),
                point(T - 120 * SECOND, null),
                point(T - 60 * SECOND, null)));
        // At t, still dark: 101 stood 60 s of the window and 102 the 240 s since.
        // (101 x 60 + 102 x 240) / 300 = 101.8; a TWAP that ignored the dark minutes would be null.
        assertThat(at(points, null)).isEqualTo("101.8");

        // They return 30 s later at 95, which weighs nothing yet: over (t - 270 s, t + 30 s] 101 stood
        // 30 s and 102 270 s, (101 x 30 + 102 x 270) / 300 = 101.9.
        points.add(point(T, null));
        assertThat(Twap.at(points, T + 30 * SECOND, WINDOW, new BigDecimal("95"), SCALE)).isEqualTo(new BigDecimal("101.9"));
    }

    @Test
    void blackoutGapNeverCountsAsNoValue() {
        List<TwapPoint> points = List.of(
                point(T - 300 * SECOND, "100"),
                point(T - 200 * SECOND, null), // no fresh exchange: 100 keeps standing
                point(T - 100 * SECOND, "200"));
        // (100 x 200 + 200 x 100) / 300 = 133.333...; dropping the dark 100 s would give 150
        assertThat(at(points, "200")).isEqualTo("133.33333333");
    }

    @Test
    void blackoutAsLongAsTheWindowLeavesNoTwap() {
        // The last exchange median was computed exactly one window ago: none within (t - window, t].
        List<TwapPoint> lapsed = List.of(point(WINDOW_START, "100"), point(T - 100 * SECOND, null));
        assertThat(at(lapsed, null)).isNull();
        // One millisecond later it is still within the window, and stands for all of it.
        List<TwapPoint> justInside = List.of(point(WINDOW_START + 1, "100"), point(T - 100 * SECOND, null));
        assertThat(at(justInside, null)).isEqualTo("100");
    }

    @Test
    void afterABlackoutLongerThanTheWindowTheReturningMedianStartsAfresh() {
        List<TwapPoint> points = List.of(point(T - 400 * SECOND, "100"), point(T - 350 * SECOND, null), point(T - 10 * SECOND, null));
        // Only the median computed at t has stood (for no time): the TWAP is that value, not the 100 of before.
        assertThat(at(points, "105.125")).isEqualTo("105.125");
    }

    // --- precision

    @Test
    void quotientIsRoundedHalfEvenToThePriceScale() {
        List<TwapPoint> points = List.of(point(T - 300 * SECOND, "1"), point(T - 200 * SECOND, "2"));
        // (1 x 100 + 2 x 200) / 300 = 5/3
        assertThat(at(points, "1")).isEqualTo("1.66666667");
        // Exact ties go to the even digit: 1.005 -> 1.00, 1.015 -> 1.02 at two places.
        List<TwapPoint> tieDown = List.of(point(T - 300 * SECOND, "1.00"), point(T - 150 * SECOND, "1.01"));
        assertThat(Twap.at(tieDown, T, WINDOW, BigDecimal.ONE, 2)).isEqualTo(new BigDecimal("1.00"));
        List<TwapPoint> tieUp = List.of(point(T - 300 * SECOND, "1.01"), point(T - 150 * SECOND, "1.02"));
        assertThat(Twap.at(tieUp, T, WINDOW, BigDecimal.ONE, 2)).isEqualTo(new BigDecimal("1.02"));
    }

    @Test
    void fifthDecimalOfASubDollarPriceIsKept() {
        List<TwapPoint> points = List.of(point(T - 300 * SECOND, "1.0004"), point(T - 150 * SECOND, "1.0001"));
        // (1.0004 + 1.0001) / 2 = 1.00025: at the quote asset's cents it would read 1.00
        assertThat(at(points, "1")).isEqualTo("1.00025");
    }

    @Test
    void currentValueBeyondThePriceScaleIsRounded() {
        assertThat(Twap.at(List.of(), T, WINDOW, new BigDecimal("1.000000125"), SCALE)).isEqualTo(new BigDecimal("1.00000012"));
    }

    // --- the history kept between evaluations

    @Test
    void pruneKeepsTheLastMedianBeforeTheWindowAndEverythingAfter() {
        TwapPoint older = point(T - 400 * SECOND, "90");
        TwapPoint lastBefore = point(T - 350 * SECOND, "100");
        TwapPoint inside = point(T - 100 * SECOND, "200");
        List<TwapPoint> points = List.of(older, lastBefore, inside);

        assertThat(Twap.prune(points, T, WINDOW)).containsExactly(lastBefore, inside);
        // Dropping the older point must not change the average the full history gives.
        assertThat(Twap.at(Twap.prune(points, T, WINDOW), T, WINDOW, BigDecimal.ONE, SCALE))
                .isEqualTo(Twap.at(points, T, WINDOW, BigDecimal.ONE, SCALE));
    }

    @Test
    void pruneKeepsTheLastMedianBeforeTheWindowThroughABlackout() {
        TwapPoint lastBefore = point(T - 350 * SECOND, "100");
        TwapPoint inside = point(T - 100 * SECOND, "200");
        List<TwapPoint> points = List.of(point(T - 400 * SECOND, "90"), lastBefore, point(T - 320 * SECOND, null),
                point(WINDOW_START, null), point(T - 200 * SECOND, null), inside);

        // The dark evaluations carry nothing; the 100 still stands into the window.
        List<TwapPoint> pruned = Twap.prune(points, T, WINDOW);
        assertThat(pruned).containsExactly(lastBefore, inside);
        assertThat(Twap.at(pruned, T, WINDOW, null, SCALE)).isEqualTo(new BigDecimal("133.33333333"));
        assertThat(Twap.at(pruned, T, WINDOW, null, SCALE)).isEqualTo(Twap.at(points, T, WINDOW, null, SCALE));
    }

    @Test
    void pruneStartsAtAPointExactlyAtTheWindowStart() {
        TwapPoint atStart = point(WINDOW_START, "100");
        TwapPoint inside = point(T - 100 * SECOND, "200");
        assertThat(Twap.prune(List.of(point(T - 400 * SECOND, "90"), atStart, inside), T, WINDOW))
                .containsExactly(atStart, inside);
        // One millisecond after the start it is inside, and the point before it still stands into the window.
        TwapPoint before = point(T - 400 * SECOND, "90");
        TwapPoint afterStart = point(WINDOW_START + 1, "100");
        assertThat(Twap.prune(List.of(before, afterStart, inside), T, WINDOW)).containsExactly(before, afterStart, inside);
    }

    @Test
    void pruneKeepsAllWhenNothingIsBeforeTheWindow() {
        List<TwapPoint> points = List.of(point(T - 200 * SECOND, "100"), point(T - 100 * SECOND, "200"));
        assertThat(Twap.prune(points, T, WINDOW)).containsExactlyElementsOf(points);
        assertThat(Twap.prune(List.of(), T, WINDOW)).isEmpty();
    }

    @Test
    void aPointThatStandsForNoTimeAddsNeitherWeightNorDigits() {
        // Two points at one instant: the earlier in the list stood for no time, so its finer
        // quote does not set the digits of the average.
        List<TwapPoint> points = List.of(
                point(T - 100 * SECOND, "1.0"),
                point(T - 50 * SECOND, "2.000"),
                point(T - 50 * SECOND, "3.0"));
        assertThat(at(points, "999")).isEqualTo("2.0");
    }

    @Test
    void aPointAtTheEvaluationItselfIsNotHistory() {
        // Only a point from before the window and one at t: nothing was computed inside the
        // window before t, so the history has lapsed and the current median is the TWAP.
        List<TwapPoint> points = List.of(point(T - 2 * WINDOW, "1"), point(T, "2"));
        assertThat(at(points, "3")).isEqualTo("3");
    }

    private static String at(List<TwapPoint> points, String current) {
        BigDecimal twap = Twap.at(points, T, WINDOW, current == null ? null : new BigDecimal(current), SCALE);
        return twap == null ? null : twap.toPlainString();
    }

    private static TwapPoint point(long time, String value) {
        return new TwapPoint(time, value == null ? null : new BigDecimal(value));
    }
}
