package io.collateralrisk.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/** Event times: parsed strictly (a zone is required), printed as ISO-8601 UTC with milliseconds. */
public final class Times {

    private static final DateTimeFormatter OUTPUT =
            new DateTimeFormatterBuilder()
                    .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
                    .appendFraction(ChronoField.MILLI_OF_SECOND, 3, 3, true)
                    .appendLiteral('Z')
                    .toFormatter()
                    .withZone(ZoneOffset.UTC);

    private Times() {}

    /** Epoch milliseconds to {@code 2023-03-10T10:48:00.000Z}. */
    public static String format(long epochMillis) {
        return OUTPUT.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * Parses ISO-8601 with {@code Z} or an explicit offset. A time without a zone is refused:
     * guessing the zone of a price would move it by hours.
     *
     * @throws DateTimeException when the text is not such a time
     */
    public static long parseIso(String text) {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant()
                .toEpochMilli();
    }
}
