package io.collateralrisk.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Event times: parsed strictly (a zone is required), printed as ISO-8601 UTC with milliseconds.
 *
 * <p>Every tick carries a time to parse and every output record one to print, so the common
 * shapes ({@code 2023-03-10T10:48:00.000Z} and the like) take a direct path; anything else goes
 * through {@link DateTimeFormatter}, which stays the definition of what is accepted.
 */
public final class Times {

    private static final DateTimeFormatter OUTPUT =
            new DateTimeFormatterBuilder()
                    .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
                    .appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
                    .appendLiteral('Z')
                    .toFormatter()
                    .withZone(ZoneOffset.UTC);

    private static final long MILLIS_PER_DAY = 86_400_000L;
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the years the output pattern prints with four digits and no sign. */
    private static final long FIRST_FOUR_DIGIT_YEAR_MILLIS = -62_167_219_200_000L;
    private static final long LAST_FOUR_DIGIT_YEAR_MILLIS = 253_402_300_799_999L;

    private Times() {}

    /** Epoch milliseconds to {@code 2023-03-10T10:48:00.000Z}. */
    public static String format(long epochMillis) {
        if (epochMillis < FIRST_FOUR_DIGIT_YEAR_MILLIS || epochMillis > LAST_FOUR_DIGIT_YEAR_MILLIS) {
            return OUTPUT.format(Instant.ofEpochMilli(epochMillis));
        }
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int msOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        int[] ymd = civilFromDays(day);
        byte[] out = new byte[24];
        put(out, 0, ymd[0], 4);
        out[4] = '-';
        put(out, 5, ymd[1], 2);
        out[7] = '-';
        put(out, 8, ymd[2], 2);
        out[10] = 'T';
        put(out, 11, msOfDay / 3_600_000, 2);
        out[13] = ':';
        put(out, 14, msOfDay / 60_000 % 60, 2);
        out[16] = ':';
        put(out, 17, msOfDay / 1_000 % 60, 2);
        out[19] = '.';
        put(out, 20, msOfDay % 1_000, 3);
        out[23] = 'Z';
        return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Parses ISO-8601 with {@code Z} or an explicit offset. A time without a zone is refused:
     * guessing the zone of a price would move it by hours.
     *
     * @throws DateTimeException when the text is not such a time
     */
    public static long parseIso(String text) {
        long fast = parseCommon(text);
        if (fast != NOT_COMMON) {
            return fast;
        }
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant()
                .toEpochMilli();
    }

    private static final long NOT_COMMON = Long.MIN_VALUE;

    /**
     * {@code uuuu-MM-ddTHH:mm:ss[.f{1,9}]} then {@code Z} or {@code +HH:MM} / {@code -HH:MM}, ASCII
     * digits, every field in range; {@link #NOT_COMMON} for anything else (the formatter decides).
     */
    static long parseCommon(String s) {
        int n = s.length();
        if (n < 20 || n > 35) {
            return NOT_COMMON;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59
                || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || day > daysInMonth(year, month)) {
            return NOT_COMMON;
        }
        int i = 19;
        int millis = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int count = i - start;
            if (count < 1 || count > 9) {
                return NOT_COMMON;
            }
            for (int k = count; k < 3; k++) {
                millis *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 18 || om < 0 || om > 59 || (oh == 18 && om != 0)) {
                return NOT_COMMON;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return NOT_COMMON;
        }
        long epochSecond = daysFromCivil(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second - offsetSeconds;
        return epochSecond * 1_000L + millis;
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long daysFromCivil(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** Year, month, day of days since 1970-01-01 (H. Hinnant's civil_from_days). */
    static int[] civilFromDays(long days) {
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return new int[] {(int) year, month, day};
    }

    private static void put(byte[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
