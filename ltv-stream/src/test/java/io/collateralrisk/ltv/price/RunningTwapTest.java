package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The running sum against the plain definition, {@link Twap#at} over the whole history: identical
 * results (value and scale) on every input, with a store that is appended to and pruned only.
 */
class RunningTwapTest {

    private static final long SECOND = 1_000;
    private static final long WINDOW = 300 * SECOND;
    private static final long T = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    private static final int SCALE = 8;

    @Test
    void randomHistoriesGiveExactlyWhatThePlainDefinitionGives() throws Exception {
        Random random = new Random(20240301L);
        int evaluations = 0;
        int lapses = 0;
        int straddling = 0;
        for (int history = 0; history < 4_000; history++) {
            // Short windows and small time steps make points land exactly on t - window, on each
            // other and on t often; some steps are longer than the window (lapses).
            long window = 1 + random.nextInt(history % 2 == 0 ? 20 : 2_000);
            int scale = random.nextInt(10);
            long t = random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000);
            List<TwapPoint> full = new ArrayList<>();
            CountingPoints store = new CountingPoints();
            RunningTwap running = new RunningTwap();
            int steps = 1 + random.nextInt(80);
            for (int step = 0; step < steps; step++) {
                t += gap(random, window);
                BigDecimal current = random.nextInt(10) < 3 ? null : price(random);

                BigDecimal expected = Twap.at(full, t, window, current, scale);
                running.slide(t - window, store);
                BigDecimal actual = running.at(t, window, current, scale);
                assertThat(actual)
                        .as("history %d step %d: t=%d window=%d scale=%d points=%s current=%s", history, step, t, window, scale, full,
                                current)
                        .isEqualTo(expected); // BigDecimal.equals: the same value at the same scale
                evaluations++;
                long now = t;
                long lastBefore = full.stream().filter(p -> p.value() != null && p.time() < now).mapToLong(TwapPoint::time).max().orElse(-1);
                if (lastBefore >= 0 && lastBefore <= now - window) {
                    lapses++;
                }
                if (full.stream().anyMatch(p -> p.value() != null && p.time() < now - window) && lastBefore > now - window) {
                    straddling++;
                }

                full.add(new TwapPoint(t, current));
                running.append(t, current, store);
                assertThat(store.points).hasSize((int) running.size());
            }
            // Every point written once, none rewritten: the store only grows at its tail and
            // shrinks at its head.
            assertThat(store.puts).isEqualTo(full.stream().filter(p -> p.value() != null).count());
            assertThat(store.overwrites).isZero();
        }
        assertThat(evaluations).isGreaterThan(100_000);
        assertThat(lapses).isGreaterThan(1_000);
        assertThat(straddling).isGreaterThan(10_000);
    }

    /** Mostly steps within the window, often none (equal times) or exactly the window, sometimes a lapse. */
    private static long gap(Random random, long window) {
        return switch (random.nextInt(12)) {
            case 0, 1 -> 0;
            case 2 -> window;
            case 3 -> window + 1 + random.nextInt((int) Math.min(window * 3, 10_000));
            case 4 -> window - 1;
            default -> 1 + random.nextInt((int) Math.max(1, window / 3));
        };
    }

    /** Prices at scales 0 to 6, now and then with a negative scale or beyond a long once multiplied by a span. */
    private static BigDecimal price(Random random) {
        return switch (random.nextInt(20)) {
            case 0 -> new BigDecimal(BigInteger.valueOf(1 + random.nextInt(99)), -random.nextInt(3));
            case 1 -> new BigDecimal(new BigInteger(90, random).add(BigInteger.ONE), random.nextInt(10));
            default -> BigDecimal.valueOf(1 + random.nextInt(9_999_999), random.nextInt(7));
        };
    }

    @Test
    void liveRateKeepsOnlyTheWindowStoredAndMatchesThePlainDefinition() throws Exception {
        // Ten evaluations a second for 20 minutes over a 5-minute window: 3,000 points stand.
        CountingPoints store = new CountingPoints();
        RunningTwap running = new RunningTwap();
        List<TwapPoint> pruned = new ArrayList<>();
        Random random = new Random(7);
        BigDecimal price = new BigDecimal("22000.00");
        for (long t = T; t < T + 20 * 60 * SECOND; t += 100) {
            price = price.add(BigDecimal.valueOf(random.nextInt(201) - 100, 2));
            BigDecimal current = random.nextInt(50) == 0 ? null : price;
            running.slide(t - WINDOW, store);
            assertThat(running.at(t, WINDOW, current, SCALE)).isEqualTo(Twap.at(pruned, t, WINDOW, current, SCALE));
            running.append(t, current, store);
            pruned.add(new TwapPoint(t, current));
            pruned = Twap.prune(pruned, t, WINDOW);
            assertThat(running.size()).isEqualTo(pruned.size());
        }
        assertThat(running.size()).isBetween(2_900L, 3_001L);
        assertThat(store.overwrites).isZero();
    }

    @Test
    void straddlingPointCountsOnlyForItsPartInsideTheWindow() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap running = new RunningTwap();
        running.append(T - WINDOW - 30 * SECOND, new BigDecimal("100"), points(store));
        running.append(T - WINDOW + 30 * SECOND, new BigDecimal("200"), points(store));
        running.slide(T - WINDOW, points(store));
        // (100 x 30 + 200 x 270) / 300, as TwapTest has it
        assertThat(running.at(T, WINDOW, new BigDecimal("200"), SCALE)).isEqualTo(new BigDecimal("190"));
    }

    @Test
    void pointExactlyAtTheWindowStartBecomesTheFrontAndTheOneBeforeItLeaves() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap running = new RunningTwap();
        running.append(T - WINDOW - 100 * SECOND, new BigDecimal("999"), points(store));
        running.append(T - WINDOW, new BigDecimal("100"), points(store));
        running.append(T - WINDOW + 150 * SECOND, new BigDecimal("200"), points(store));
        running.slide(T - WINDOW, points(store));
        assertThat(running.size()).isEqualTo(2);
        assertThat(store.values()).extracting(TwapPoint::value).containsExactlyInAnyOrder(new BigDecimal("100"), new BigDecimal("200"));
        assertThat(running.at(T, WINDOW, new BigDecimal("200"), SCALE)).isEqualTo(new BigDecimal("150"));
    }

    @Test
    void blackoutAsLongAsTheWindowLeavesNoTwapAndTheReturningMedianStandsAlone() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap running = new RunningTwap();
        running.append(T - WINDOW, new BigDecimal("100"), points(store));
        running.append(T - 100 * SECOND, null, points(store));
        running.slide(T - WINDOW, points(store));
        assertThat(running.at(T, WINDOW, null, SCALE)).isNull();
        assertThat(running.at(T, WINDOW, new BigDecimal("105.125"), SCALE)).isEqualTo(new BigDecimal("105.125"));
    }

    @Test
    void aPointThatStandsForNoTimeAddsNeitherWeightNorDigits() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap running = new RunningTwap();
        running.append(T - 100 * SECOND, new BigDecimal("1.0"), points(store));
        running.append(T - 50 * SECOND, new BigDecimal("2.000"), points(store));
        running.append(T - 50 * SECOND, new BigDecimal("3.0"), points(store));
        running.slide(T - WINDOW, points(store));
        assertThat(running.at(T, WINDOW, new BigDecimal("999"), SCALE)).isEqualTo(new BigDecimal("2.0"));
    }

    @Test
    void pointsAtTheEvaluationItselfAreNotHistory() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap running = new RunningTwap();
        running.append(T - 100 * SECOND, new BigDecimal("100"), points(store));
        running.append(T, new BigDecimal("500"), points(store));
        running.slide(T - WINDOW, points(store));
        assertThat(running.at(T, WINDOW, new BigDecimal("7"), SCALE)).isEqualTo(new BigDecimal("100"));
    }

    @Test
    void quotientIsRoundedHalfEvenOnlyAtTheEnd() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap tieDown = new RunningTwap();
        tieDown.append(T - WINDOW, new BigDecimal("1.00"), points(store));
        tieDown.append(T - 150 * SECOND, new BigDecimal("1.01"), points(store));
        tieDown.slide(T - WINDOW, points(store));
        assertThat(tieDown.at(T, WINDOW, BigDecimal.ONE, 2)).isEqualTo(new BigDecimal("1.00"));

        store.clear();
        RunningTwap third = new RunningTwap();
        third.append(T - WINDOW, new BigDecimal("1"), points(store));
        third.append(T - 200 * SECOND, new BigDecimal("2"), points(store));
        third.slide(T - WINDOW, points(store));
        assertThat(third.at(T, WINDOW, BigDecimal.ONE, SCALE)).isEqualTo(new BigDecimal("1.66666667"));
    }

    @Test
    void refusesToGoBackInTimeOrToEvaluateUnslid() throws Exception {
        Map<Long, TwapPoint> store = new HashMap<>();
        RunningTwap running = new RunningTwap();
        running.append(T - 400 * SECOND, new BigDecimal("1"), points(store));
        running.append(T - 350 * SECOND, new BigDecimal("2"), points(store));
        assertThatThrownBy(() -> running.append(T - 351 * SECOND, BigDecimal.ONE, points(store)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> running.at(T, WINDOW, null, SCALE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> running.at(T - 351 * SECOND, WINDOW, null, SCALE)).isInstanceOf(IllegalArgumentException.class);
    }

    private static RunningTwap.Points points(Map<Long, TwapPoint> store) {
        return RunningTwap.Points.of(store);
    }

    /** A map store that counts writes, and writes over a stored point. */
    private static final class CountingPoints implements RunningTwap.Points {
        final Map<Long, TwapPoint> points = new HashMap<>();
        long puts;
        long overwrites;

        @Override
        public void put(long seq, TwapPoint point) {
            puts++;
            if (points.put(seq, point) != null) {
                overwrites++;
            }
        }

        @Override
        public TwapPoint get(long seq) {
            TwapPoint p = points.get(seq);
            assertThat(p).as("point %d", seq).isNotNull();
            return p;
        }

        @Override
        public void remove(long seq) {
            assertThat(points.remove(seq)).as("removed point %d", seq).isNotNull();
        }
    }
}
