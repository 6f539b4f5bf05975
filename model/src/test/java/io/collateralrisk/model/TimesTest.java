package io.collateralrisk.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The direct paths of {@link Times} against {@link DateTimeFormatter}, which defines them. */
class TimesTest {

    private static final DateTimeFormatter OUTPUT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
            .appendLiteral('Z')
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    /** What the formatter makes of a text: its epoch milliseconds, or the fact that it refuses it. */
    private static String byFormatter(String text) {
        try {
            return Long.toString(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli());
        } catch (DateTimeException | ArithmeticException e) {
            return "refused";
        }
    }

    private static String byTimes(String text) {
        try {
            return Long.toString(Times.parseIso(text));
        } catch (DateTimeException | ArithmeticException e) {
            return "refused";
        }
    }

    @Test
    void formatsEveryInstantAsTheFormatterDoes() {
        SplittableRandom random = new SplittableRandom(12);
        List<Long> times = new ArrayList<>(List.of(0L, -1L, 1L, 86_399_999L, 86_400_000L, 951_782_400_000L, 1_678_445_280_000L,
                -62_167_219_200_000L, -62_167_219_200_001L, 253_402_300_799_999L, 253_402_300_800_000L, Long.MIN_VALUE / 4, Long.MAX_VALUE / 4));
        for (int i = 0; i < 200_000; i++) {
            times.add(random.nextLong(-70_000_000_000_000L, 270_000_000_000_000L));
        }
        for (long t : times) {
            assertThat(Times.format(t)).as("%d", t).isEqualTo(OUTPUT.format(Instant.ofEpochMilli(t)));
        }
    }

    @Test
    void parsesWhatItFormatsAndEveryOffsetAsTheFormatterDoes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long t = random.nextLong(-62_167_219_200_000L, 253_402_300_799_999L);
            String utc = Times.format(t);
            assertThat(Times.parseIso(utc)).isEqualTo(t);
            // The same instant at another offset, with 0 to 9 fraction digits.
            int offsetMinutes = random.nextInt(-18 * 60, 18 * 60 + 1);
            int digits = random.nextInt(10);
            OffsetDateTime at = Instant.ofEpochMilli(t).plusNanos(random.nextInt(1_000_000)).atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60));
            String pattern = "uuuu-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + "S".repeat(digits)) + "xxx";
            String text = at.format(DateTimeFormatter.ofPattern(pattern)).replace("+00:00", random.nextBoolean() ? "Z" : "+00:00");
            assertThat(byTimes(text)).as(text).isEqualTo(byFormatter(text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2023-03-10T10:48:00Z", "2023-03-10T10:48:00.5Z", "2023-03-10T10:48:00.123456789Z", "2023-03-10T10:48:00.1234567891Z",
        "2023-03-10T10:48Z", "2023-03-10T10:48:00", "2023-03-10 10:48:00Z", "2023-03-10t10:48:00Z", "2023-03-10T10:48:00z",
        "2023-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2023-04-31T00:00:00Z",
        "2023-13-01T00:00:00Z", "2023-00-01T00:00:00Z", "2023-01-00T00:00:00Z", "2023-01-01T24:00:00Z", "2023-01-01T23:60:00Z",
        "2023-01-01T23:59:60Z", "2023-01-01T00:00:00.Z", "2023-01-01T00:00:00+18:00", "2023-01-01T00:00:00+18:01",
        "2023-01-01T00:00:00-18:00", "2023-01-01T00:00:00+05:30", "2023-01-01T00:00:00+0530", "2023-01-01T00:00:00+05",
        "2023-01-01T00:00:00+05:30:15", "2023-01-01T00:00:00-00:00", "+2023-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z",
        "2023-03-1OT10:48:00Z", "２023-03-10T10:48:00Z", "2023-03-10T10:48:00ZZ", "2023-03-10T10:48:00.000+01:00x", ""
    })
    void decidesEveryShapeAsTheFormatterDoes(String text) {
        assertThat(byTimes(text)).isEqualTo(byFormatter(text));
    }
}
