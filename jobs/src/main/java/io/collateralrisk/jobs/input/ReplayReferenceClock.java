package io.collateralrisk.jobs.input;

import io.collateralrisk.model.json.InputParser;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The reference clock of each line of a replay file, read in file order with a small look-ahead.
 * A replay file is a log in time order, so a record is judged against what follows it: its
 * {@code kafkaTimestamp} field when the line carries one, else the median event time of the next
 * {@value #WINDOW} lines with a valid event time (fewer near the end of the file). The last line
 * has nothing after it: it is judged against the latest line before it that was not ahead of its
 * own clock, moved on by the longest quiet spell the file has shown ({@link #quiet}), and in
 * facility and control files against the end of the replay's price clock at least. At the end of
 * a file a record a little ahead cannot be told from a quiet spell; one years ahead still is.
 *
 * <p>A record stamped far ahead of what follows is the broken one; one stray line cannot move the
 * median of its neighbours' windows; a source that ticks once an hour, or facility events days
 * apart, are behind what follows them and never judged ahead.
 */
public final class ReplayReferenceClock {

    /** How many valid neighbours a median is taken over. */
    public static final int WINDOW = 5;
    /**
     * How far ahead a line is looked for valid neighbours: a long run of unparseable lines ends the
     * search there, so the buffer stays small whatever the file holds.
     */
    static final int MAX_LOOK_AHEAD = 256;

    /** Where lines come from; null at the end of the file. */
    @FunctionalInterface
    public interface LineSource {
        String next() throws IOException;
    }

    /**
     * One line of the file with its reference clock ({@link ClockGuard#UNKNOWN} when the file has no
     * other valid time) and its event time ({@link ClockGuard#UNKNOWN} unless valid and from 1970 on).
     */
    public record Line(String text, long number, long referenceClock, long eventTime) {}

    private record Pending(String text, long number, long eventTime, long kafkaTimestamp) {
        boolean valid() {
            return eventTime >= 0;
        }
    }

    private final LineSource source;
    private final long lastLineFloor;
    private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
    /** The last {@value #WINDOW} valid event times already handed out, oldest first. */
    private final ArrayDeque<Long> behind = new ArrayDeque<>();
    private long lineNumber;
    private boolean endOfFile;
    /** The look-ahead clock of the previous line, and the largest step it took from one line to the next. */
    private long previousLookAhead = ClockGuard.UNKNOWN;
    private long longestQuiet;
    /** The event time of the latest line that was not ahead of its own reference clock. */
    private long lastNotAhead = ClockGuard.UNKNOWN;

    public ReplayReferenceClock(LineSource source) {
        this(source, ClockGuard.UNKNOWN);
    }

    /**
     * @param lastLineFloor the earliest reference clock a line with nothing valid after it gets:
     *     for facility and control files, whose events come days apart, the end of the replay's
     *     price clock, since the lines before cannot tell a long quiet from a broken clock and an
     *     event after the price clock's end is never applied anyway; {@link ClockGuard#UNKNOWN}
     *     for none
     */
    public ReplayReferenceClock(LineSource source, long lastLineFloor) {
        this.source = source;
        this.lastLineFloor = lastLineFloor;
    }

    /** Over lines already in memory (tests, small files). */
    public static ReplayReferenceClock of(Iterator<String> lines) {
        return of(lines, ClockGuard.UNKNOWN);
    }

    public static ReplayReferenceClock of(Iterator<String> lines, long lastLineFloor) {
        return new ReplayReferenceClock(() -> lines.hasNext() ? lines.next() : null, lastLineFloor);
    }

    /** The next non-blank line with its reference clock, or null at the end of the file. */
    public Line next() throws IOException {
        if (ahead.isEmpty() && !fill(1)) {
            return null;
        }
        // The head plus WINDOW valid lines after it, or as many as the look-ahead finds.
        while (validAfterHead() < WINDOW && ahead.size() <= MAX_LOOK_AHEAD && fill(ahead.size() + 1)) {
            // keep reading
        }
        boolean fullWindow = validAfterHead() >= WINDOW;
        Pending head = ahead.removeFirst();
        long clock = head.kafkaTimestamp >= 0 ? head.kafkaTimestamp : medianOfNext();
        if (head.kafkaTimestamp < 0 && fullWindow) {
            // The median of a full window moves on by a file's real quiet spells; one stray line
            // never moves it far (near the end, with fewer lines ahead, it could: those steps do not count).
            if (previousLookAhead != ClockGuard.UNKNOWN) {
                longestQuiet = Math.max(longestQuiet, clock - previousLookAhead);
            }
            previousLookAhead = clock;
        }
        if (clock == ClockGuard.UNKNOWN) {
            // Nothing after it vouches for it: allowed the longest quiet its file has shown, so the
            // last round of an oracle that ticks on a heartbeat is not refused, while a line years on is.
            if (lastNotAhead != ClockGuard.UNKNOWN) {
                clock = lastNotAhead + quiet(longestQuiet, behind.stream().mapToLong(Long::longValue).toArray());
            }
            clock = Math.max(clock, lastLineFloor);
        }
        if (head.valid()) {
            behind.addLast(head.eventTime);
            if (behind.size() > WINDOW) {
                behind.removeFirst();
            }
            if (clock != ClockGuard.UNKNOWN && head.eventTime <= clock) {
                lastNotAhead = head.eventTime;
            }
        }
        return new Line(head.text, head.number, clock, head.eventTime);
    }

    private int validAfterHead() {
        int n = 0;
        boolean first = true;
        for (Pending p : ahead) {
            if (!first && p.valid()) {
                n++;
            }
            first = false;
        }
        return n;
    }

    /** Reads until {@code size} lines are pending; false when the file ended first. */
    private boolean fill(int size) throws IOException {
        while (ahead.size() < size) {
            if (endOfFile) {
                return false;
            }
            String text = source.next();
            if (text == null) {
                endOfFile = true;
                return false;
            }
            lineNumber++;
            if (!text.isBlank()) {
                ahead.addLast(new Pending(text, lineNumber, validTime(text, "eventTime"), kafkaTimestamp(text)));
            }
        }
        return true;
    }

    private long medianOfNext() {
        long[] times = new long[WINDOW];
        int n = 0;
        for (Pending p : ahead) {
            if (n == WINDOW) {
                break;
            }
            if (p.valid()) {
                times[n++] = p.eventTime;
            }
        }
        return median(Arrays.copyOf(times, n));
    }

    /** The middle value; of an even count the lower middle one, so a pair never raises the clock to its larger value. */
    static long median(long[] times) {
        if (times.length == 0) {
            return ClockGuard.UNKNOWN;
        }
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    /**
     * How long a file may stay quiet before its last line: the largest step its look-ahead median
     * took, or in a file too short for a full window, the median spacing of the lines before.
     */
    static long quiet(long longestQuiet, long[] before) {
        if (before.length < 2) {
            return longestQuiet;
        }
        long[] sorted = before.clone();
        Arrays.sort(sorted);
        long[] gaps = new long[sorted.length - 1];
        for (int i = 1; i < sorted.length; i++) {
            gaps[i - 1] = sorted[i] - sorted[i - 1];
        }
        return Math.max(longestQuiet, median(gaps));
    }

    private static long kafkaTimestamp(String text) {
        // Most files carry no Kafka timestamps: parse a second time only when the field is there.
        return text.contains("\"kafkaTimestamp\"") ? validTime(text, "kafkaTimestamp") : ClockGuard.UNKNOWN;
    }

    private static long validTime(String text, String field) {
        long t = InputParser.timeOrElse(text, field, ClockGuard.UNKNOWN);
        return t >= 0 ? t : ClockGuard.UNKNOWN;
    }
}
