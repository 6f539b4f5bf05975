package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.Times;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReplayReferenceClockTest {

    private static final long T0 = Times.parseIso("2023-03-10T00:00:00Z");
    private static final long MAX_AHEAD = 60_000;
    private static final long YEARS_AHEAD = Times.parseIso("2031-03-10T00:00:00Z");

    private static String at(long t) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":" + t + ",\"pair\":\"BTC-USD\"}";
    }

    private static String stamped(long t) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":" + t + ",\"kafkaTimestamp\":" + t + ",\"pair\":\"BTC-USD\"}";
    }

    @Test
    void anEmptyFileHasNoLinesAndAOneLineFileHasItsLine() throws IOException {
        assertThat(read(List.of())).isEmpty();
        List<ReplayReferenceClock.Line> one = read(List.of(at(T0)));
        assertThat(one).hasSize(1);
        assertThat(one.get(0).number()).isEqualTo(1);
        assertThat(one.get(0).referenceClock()).isEqualTo(ClockGuard.UNKNOWN);
    }

    @Test
    void theLookAheadSearchesExactlyMaxLookAheadLinesPastUnparseableOnes() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(at(T0));
        for (int i = 0; i < ReplayReferenceClock.MAX_LOOK_AHEAD - 1; i++) {
            lines.add("not json");
        }
        lines.add(at(T0 + 1_000));
        assertThat(read(lines).get(0).referenceClock()).isEqualTo(T0 + 1_000);
    }

    @Test
    void theEpochIsAValidTimeAndAValidKafkaTimestamp() throws IOException {
        assertThat(read(List.of(at(T0), at(0))).get(0).referenceClock()).isZero();
        List<String> lines = new ArrayList<>(List.of(stamped(0)));
        lines.addAll(everyMinute(6));
        assertThat(read(lines).get(0).referenceClock()).isZero();
    }

    @Test
    void aLineAtExactlyItsOwnClockIsNotAheadAndCarriesTheLastLine() throws IOException {
        // The first two lines are at their Kafka timestamps; the last one is judged against the
        // second, moved on by the spacing before it.
        List<ReplayReferenceClock.Line> out = read(List.of(stamped(T0), stamped(T0 + 60_000), at(T0 + 100_000)));
        assertThat(out.get(2).referenceClock()).isEqualTo(T0 + 120_000);
    }

    @Test
    void aLineOnItsOwnKafkaClockIsNoStepOfTheLookAheadMedian() throws IOException {
        // A first line stamped at the epoch by its broker: were its clock a step of the look-ahead
        // median, the file would seem to have been quiet for fifty years before its last line.
        List<String> lines = new ArrayList<>(List.of(stamped(0)));
        lines.addAll(everyMinute(8));
        lines.add(at(YEARS_AHEAD));
        List<ReplayReferenceClock.Line> out = read(lines);
        assertThat(out.get(out.size() - 1).referenceClock()).isLessThan(T0 + 3_600_000);
    }

    @Test
    void theLastLineIsAllowedTheMedianSpacingOfTheFiveValidLinesBeforeIt() throws IOException {
        // Five lines kept: spacings 10, 10, 1000, 1000, whose lower middle is 10 (of the last four
        // lines alone it would be 1000).
        List<String> lines = List.of(stamped(T0), stamped(T0 + 1_000), stamped(T0 + 1_010), stamped(T0 + 1_020),
                stamped(T0 + 2_020), stamped(T0 + 3_020), at(T0 + 3_500));
        assertThat(read(lines).get(6).referenceClock()).isEqualTo(T0 + 3_030);
    }

    @Test
    void theSpacingBeforeTheLastLineIsTakenInTimeOrder() throws IOException {
        // Out of file order the steps would be 2000, -1000, 2000; in time order they are 1000 each.
        List<String> lines = List.of(stamped(T0), stamped(T0 + 2_000), stamped(T0 + 1_000), stamped(T0 + 3_000),
                at(T0 + 3_500));
        assertThat(read(lines).get(4).referenceClock()).isEqualTo(T0 + 4_000);
    }

    private static List<ReplayReferenceClock.Line> read(List<String> lines) throws IOException {
        ReplayReferenceClock clock = ReplayReferenceClock.of(lines.iterator());
        List<ReplayReferenceClock.Line> out = new ArrayList<>();
        ReplayReferenceClock.Line line;
        while ((line = clock.next()) != null) {
            out.add(line);
        }
        return out;
    }

    private static List<String> everyMinute(int n) {
        return LongStream.range(0, n).mapToObj(i -> at(T0 + i * 60_000)).toList();
    }

    /** Which lines (1-based numbers) the guard refuses. */
    private static List<Long> refused(List<String> lines) throws IOException {
        List<Long> refused = new ArrayList<>();
        for (ReplayReferenceClock.Line l : read(lines)) {
            long t = io.collateralrisk.model.json.InputParser.eventTimeOrElse(l.text(), ClockGuard.UNKNOWN);
            if (t != ClockGuard.UNKNOWN && ClockGuard.refusal(t, l.referenceClock(), MAX_AHEAD) != null) {
                refused.add(l.number());
            }
        }
        return refused;
    }

    @Test
    void aLineCarryingAKafkaTimestampIsJudgedAgainstIt() throws IOException {
        String line = "{\"type\":\"PRICE_TICK\",\"eventTime\":" + T0 + ",\"kafkaTimestamp\":" + (T0 - 5_000) + "}";
        List<ReplayReferenceClock.Line> read = read(List.of(line, at(T0 + 600_000), at(T0 + 700_000)));

        assertThat(read.get(0).referenceClock()).isEqualTo(T0 - 5_000);
        assertThat(read.get(0).text()).isEqualTo(line);
        // Without the field, the lines after it.
        assertThat(read.get(1).referenceClock()).isEqualTo(T0 + 700_000);
    }

    @Test
    void aLineIsJudgedAgainstTheMedianOfTheNextFiveValidTimes() throws IOException {
        List<String> lines = List.of(at(T0), at(T0 + 50), "not json", at(T0 + 10), at(T0 + 40), "{\"eventTime\":\"1969-01-01T00:00:00Z\"}",
                at(T0 + 30), at(T0 + 20), at(T0 + 90));

        ReplayReferenceClock.Line first = read(lines).get(0);
        // 50, 10, 40, 30, 20: the unparseable line and the one before 1970 do not count.
        assertThat(first.referenceClock()).isEqualTo(T0 + 30);
        assertThat(first.number()).isEqualTo(1);
    }

    @Test
    void nearTheEndFewerLinesCountAndTheLastIsJudgedAgainstTheFiveBeforeIt() throws IOException {
        List<ReplayReferenceClock.Line> read = read(List.of(at(T0), at(T0 + 100), at(T0 + 200), at(T0 + 300), at(T0 + 400), at(T0 + 500), at(T0 + 600)));

        assertThat(read.get(4).referenceClock()).as("of 500, 600: the lower middle").isEqualTo(T0 + 500);
        assertThat(read.get(5).referenceClock()).as("only 600 after it").isEqualTo(T0 + 600);
        assertThat(read.get(6).referenceClock()).as("the line before it, moved on by the file's longest quiet").isEqualTo(T0 + 500 + 100);
    }

    @Test
    void aLoneStrayRecordIsTheOneJudgedAheadNotItsNeighbours() throws IOException {
        List<String> lines = new ArrayList<>(everyMinute(20));
        lines.add(8, at(YEARS_AHEAD));
        // Between minutes 12 and 13; the median of the five after it is minute 15.
        lines.add(14, at(T0 + 15 * 60_000 + 61_000));
        // Between minutes 15 and 16; the lower median of the four after it is minute 17.
        lines.add(18, at(T0 + 17 * 60_000 + 60_000));

        assertThat(refused(lines)).as("the last stray is exactly maxAhead on").containsExactly(9L, 15L);
    }

    @Test
    void aStrayLastRecordIsJudgedAgainstTheFiveBeforeIt() throws IOException {
        List<String> lines = new ArrayList<>(everyMinute(10));
        lines.add(at(YEARS_AHEAD));
        assertThat(refused(lines)).containsExactly(11L);

        // The last good minute, plus the file's longest quiet (a minute), plus maxAhead.
        List<String> late = new ArrayList<>(everyMinute(10));
        late.add(at(T0 + 9 * 60_000 + 2 * 60_000 + 1));
        assertThat(refused(late)).containsExactly(11L);
        List<String> justInTime = new ArrayList<>(everyMinute(10));
        justInTime.add(at(T0 + 9 * 60_000 + 2 * 60_000));
        assertThat(refused(justInTime)).isEmpty();

        // A stray among the five before moves neither the line it is judged from nor the quiet.
        List<String> strayBefore = new ArrayList<>(everyMinute(10));
        strayBefore.add(8, at(YEARS_AHEAD));
        strayBefore.add(at(YEARS_AHEAD + 60_000));
        assertThat(refused(strayBefore)).containsExactly(9L, 12L);
    }

    @Test
    void theLastRoundOfAnOracleAfterAHeartbeatIsNotRefused() throws IOException {
        // Rounds a minute apart, an hour's quiet, more rounds, and the last round after another hour.
        List<String> lines = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 30; i++) {
            lines.add(at(t += 60_000));
        }
        t += 3_600_000;
        for (int i = 0; i < 30; i++) {
            lines.add(at(t += 60_000));
        }
        lines.add(at(t + 3_600_000));
        assertThat(refused(lines)).isEmpty();

        lines.add(at(YEARS_AHEAD));
        assertThat(refused(lines)).containsExactly((long) lines.size());
    }

    @Test
    void aFileTooShortForAFullWindowIsAllowedTheSpacingOfItsLines() throws IOException {
        assertThat(ReplayReferenceClock.quiet(0, new long[] {0, 10, 20, 30, 40})).isEqualTo(10);
        assertThat(ReplayReferenceClock.quiet(0, new long[] {0, 10, YEARS_AHEAD, 20, 30})).isEqualTo(10);
        assertThat(ReplayReferenceClock.quiet(500, new long[] {0, 10})).isEqualTo(500);
        assertThat(ReplayReferenceClock.quiet(0, new long[] {7})).isZero();

        List<String> threeHourly = List.of(at(T0), at(T0 + 3_600_000), at(T0 + 7_200_000));
        assertThat(refused(threeHourly)).isEmpty();
    }

    @Test
    void aRunOfStraysShorterThanHalfTheWindowCannotCondemnTheGoodLines() throws IOException {
        List<String> lines = new ArrayList<>(everyMinute(20));
        lines.add(10, at(YEARS_AHEAD));
        lines.add(11, at(YEARS_AHEAD + 1));

        assertThat(refused(lines)).containsExactly(11L, 12L);
    }

    @Test
    void aSourceTickingOnceAnHourAndFacilityEventsDaysApartAreNeverAhead() throws IOException {
        List<String> hourly = LongStream.range(0, 48).mapToObj(i -> at(T0 + i * 3_600_000)).toList();
        assertThat(refused(hourly)).isEmpty();

        List<String> daysApart = List.of(at(T0), at(T0 + 3 * 86_400_000L), at(T0 + 5 * 86_400_000L), at(T0 + 9 * 86_400_000L),
                at(T0 + 10 * 86_400_000L), at(T0 + 12 * 86_400_000L), at(T0 + 13 * 86_400_000L));
        assertThat(refused(daysApart)).isEmpty();
        assertThat(refused(List.of(at(T0)))).as("a file of one record has nothing to judge it by").isEmpty();
    }

    @Test
    void theLastFacilityEventIsJudgedAgainstTheEndOfThePriceClockAtLeast() throws IOException {
        long pricesEnd = T0 + 6 * 86_400_000L;
        List<String> book = List.of(at(T0), at(T0), at(T0), at(T0 + 86_400_000L), at(T0 + 5 * 86_400_000L));
        List<ReplayReferenceClock.Line> read = new ArrayList<>();
        ReplayReferenceClock clock = ReplayReferenceClock.of(book.iterator(), pricesEnd);
        for (ReplayReferenceClock.Line l; (l = clock.next()) != null; ) {
            read.add(l);
        }
        // Four days after the events before it, and still within the prices.
        assertThat(read.get(4).referenceClock()).isEqualTo(pricesEnd);
        // The floor is for the last line only: the others are judged by what follows them.
        assertThat(read.get(3).referenceClock()).isEqualTo(T0 + 5 * 86_400_000L);

        List<String> yearsOn = new ArrayList<>(book);
        yearsOn.add(at(YEARS_AHEAD));
        ReplayReferenceClock.Line last = null;
        ReplayReferenceClock withStray = ReplayReferenceClock.of(yearsOn.iterator(), pricesEnd);
        for (ReplayReferenceClock.Line l; (l = withStray.next()) != null; ) {
            last = l;
        }
        assertThat(ClockGuard.refusal(YEARS_AHEAD, last.referenceClock(), MAX_AHEAD)).isEqualTo(ClockGuard.FUTURE_EVENT);
    }

    @Test
    void blankLinesAreSkippedButCounted() throws IOException {
        List<ReplayReferenceClock.Line> read = read(List.of(at(T0), "", "  ", at(T0 + 1)));

        assertThat(read).extracting(ReplayReferenceClock.Line::number).containsExactly(1L, 4L);
    }

    @Test
    void aLongRunOfUnparseableLinesEndsTheLookAhead() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(at(T0));
        for (int i = 0; i < 10 * ReplayReferenceClock.MAX_LOOK_AHEAD; i++) {
            lines.add("not json");
        }
        lines.add(at(T0 + 1));

        List<ReplayReferenceClock.Line> read = read(lines);
        assertThat(read).hasSize(lines.size());
        assertThat(read.get(0).referenceClock()).as("nothing valid ahead, nothing behind").isEqualTo(ClockGuard.UNKNOWN);
        assertThat(read.get(read.size() - 1).referenceClock()).as("the line before it had no clock either").isEqualTo(ClockGuard.UNKNOWN);
    }
}
