package io.collateralrisk.jobs.importer;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Converts the historical CSV layouts (one-minute exchange candles, Chainlink round history) into
 * {@code prices} JSONL: one {@code PRICE_TICK} object per line, in event-time order.
 *
 * <p>Prices, volumes and round ids are copied as the CSV wrote them: they are validated as numbers
 * but never re-printed, so no digit is lost or invented on the way into the job.
 */
public final class PriceImporter {

    /** The CSV layouts the importer reads; columns are found by header name. */
    public enum Format {
        /** One-minute candles: {@code open_time_ms}, {@code close}, {@code volume_base} (others ignored). */
        CANDLES,
        /** Chainlink rounds: {@code round_id}, {@code answer_usd}, {@code updated_at_s} (others ignored). */
        CHAINLINK
    }

    private static final long MINUTE_MS = 60_000L;
    private static final Pattern UNSIGNED_INTEGER = Pattern.compile("[0-9]+");
    private static final int MAX_QUOTED = 40;

    // Non-ASCII is escaped so that a line is the same bytes whatever charset the output stream uses.
    private static final ObjectWriter WRITER =
            Json.mapper().writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

    private PriceImporter() {}

    /**
     * Reads every file (gzip when the name ends in {@code .gz}), merges their ticks by event time
     * (stable: equal times keep file order, then row order) and writes one JSON line per tick.
     * Nothing is written unless every row of every file converts. {@code out} is flushed, not closed.
     *
     * @throws MalformedCsvException naming the file and line of the first row that does not convert
     */
    public static ImportStats convert(
            Format format, String source, SourceKind kind, String pair, List<Path> files, Writer out)
            throws IOException {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(out, "out");
        requireText(source, "source");
        requireText(pair, "pair");
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("at least one input file is required");
        }

        // Every row is read before any is written: the merge needs them all (a file need not be
        // sorted), and a bad row then leaves no half-written output behind.
        List<Tick> ticks = new ArrayList<>();
        long rowsRead = 0;
        long fills = 0;
        for (Path file : files) {
            FileCounts counts = read(format, file, ticks);
            rowsRead += counts.rows();
            fills += counts.fills();
        }
        ticks.sort(Comparator.comparingLong(Tick::eventTime)); // List.sort is stable

        for (Tick tick : ticks) {
            out.write(toJson(tick, source, kind, pair));
            out.write('\n');
        }
        out.flush();
        return new ImportStats(rowsRead, ticks.size(), fills);
    }

    private static String toJson(Tick tick, String source, SourceKind kind, String pair) throws IOException {
        // Field order is part of the contract (stable, diffable files), hence an ordered ObjectNode.
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("type", "PRICE_TICK");
        node.put("eventTime", Times.format(tick.eventTime()));
        node.put("pair", pair);
        node.put("source", source);
        node.put("kind", kind.name());
        node.put("price", tick.price());
        if (tick.volume() != null) {
            node.put("volume", tick.volume());
        }
        if (tick.round() != null) {
            node.put("round", tick.round());
        }
        return WRITER.writeValueAsString(node);
    }

    private static FileCounts read(Format format, Path file, List<Tick> into) throws IOException {
        long line = 0; // the last line read completely
        long rows = 0;
        long fills = 0;
        try (BufferedReader reader = open(file)) {
            String headerLine = reader.readLine();
            if (headerLine == null) {
                throw new MalformedCsvException(file, 1, "empty file: no header row");
            }
            line = 1;
            Header header = Header.parse(file, headerLine);
            RowParser parser = format == Format.CANDLES ? new CandleRows(header) : new ChainlinkRows(header);
            String text;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isEmpty()) {
                    continue; // a blank line holds no row; any other text must convert
                }
                rows++;
                try {
                    List<String> fields = split(text);
                    if (fields.size() != header.size()) {
                        throw new BadRow("expected " + header.size() + " fields, found " + fields.size());
                    }
                    Tick tick = parser.parse(fields);
                    if (tick == null) {
                        fills++;
                    } else {
                        into.add(tick);
                    }
                } catch (BadRow e) {
                    throw new MalformedCsvException(file, line, e.getMessage());
                }
            }
        } catch (CharacterCodingException e) {
            // The reader decodes ahead of the line it returns, so the position is a lower bound.
            throw new MalformedCsvException(file, line + 1, "not valid UTF-8 (at or after this line)");
        } catch (MalformedCsvException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (FileSystemException e) {
            throw new IOException(file + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()), e);
        } catch (IOException e) {
            // Gzip errors do not say which file they came from.
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return new FileCounts(rows, fills);
    }

    private static BufferedReader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            Path name = file.getFileName();
            if (name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
                in = new GZIPInputStream(in, 64 * 1024);
            }
            // newDecoder() reports malformed bytes instead of replacing them with U+FFFD.
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()), 64 * 1024);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields); empty fields are kept. */
    static List<String> split(String line) throws BadRow {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int n = line.length();
        int i = 0;
        while (true) {
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new BadRow("unterminated quoted field");
                    }
                    char c = line.charAt(i++);
                    if (c != '"') {
                        field.append(c);
                    } else if (i < n && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new BadRow("text after a closing quote");
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    field.append(line.charAt(i++));
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }

    /** Candles: the close stands at the end of its minute; a zero-volume row is no tick. */
    private static final class CandleRows implements RowParser {
        private final int openTimeMs;
        private final int openTimeUtc;
        private final int close;
        private final int volume;

        CandleRows(Header header) throws MalformedCsvException {
            openTimeMs = header.required("open_time_ms");
            openTimeUtc = header.optional("open_time_utc");
            close = header.required("close");
            volume = header.required("volume_base");
        }

        @Override
        public Tick parse(List<String> fields) throws BadRow {
            long openTime = integer(fields.get(openTimeMs), "open_time_ms");
            if (openTimeUtc >= 0) {
                agree(fields.get(openTimeUtc), "open_time_utc", openTime, "open_time_ms");
            }
            String price = decimalText(fields.get(close), "close");
            String volumeText = fields.get(volume);
            BigDecimal volumeValue = decimal(volumeText, "volume_base");
            if (volumeValue.signum() < 0) {
                throw new BadRow("volume_base is negative: " + quote(volumeText));
            }
            if (volumeValue.signum() == 0) {
                // Binance.US writes minutes without trades as forward fills (OHLC = previous close,
                // volume 0). Replaying them as ticks would keep a stale price looking fresh.
                return null;
            }
            // The close is known only when the minute ends; stamping it at the open would put the
            // price into the past and let it be seen a minute early.
            long eventTime = exactly(() -> Math.addExact(openTime, MINUTE_MS), "open_time_ms");
            return new Tick(eventTime, price, volumeText, null);
        }
    }

    /** Chainlink rounds: the answer is in force from the round's {@code updatedAt}. */
    private static final class ChainlinkRows implements RowParser {
        private final int roundId;
        private final int answer;
        private final int updatedAtS;
        private final int updatedAtUtc;

        ChainlinkRows(Header header) throws MalformedCsvException {
            roundId = header.required("round_id");
            answer = header.required("answer_usd");
            updatedAtS = header.required("updated_at_s");
            updatedAtUtc = header.optional("updated_at_utc");
        }

        @Override
        public Tick parse(List<String> fields) throws BadRow {
            String round = fields.get(roundId);
            // A uint80 (phase << 64 | aggregator round): kept as text, it exceeds a long.
            if (!UNSIGNED_INTEGER.matcher(round).matches()) {
                throw new BadRow("round_id is not a non-negative integer: " + quote(round));
            }
            String price = decimalText(fields.get(answer), "answer_usd");
            long updatedAt = integer(fields.get(updatedAtS), "updated_at_s");
            if (updatedAt <= 0) {
                // The aggregator reports updatedAt 0 for a round that never completed: no answer.
                throw new BadRow("updated_at_s is " + updatedAt + ": not a completed round");
            }
            long eventTime = exactly(() -> Math.multiplyExact(updatedAt, 1000L), "updated_at_s");
            if (updatedAtUtc >= 0) {
                agree(fields.get(updatedAtUtc), "updated_at_utc", eventTime, "updated_at_s");
            }
            return new Tick(eventTime, price, null, round);
        }
    }

    /** Column positions by header name (trimmed, case-insensitive), so column order does not matter. */
    private static final class Header {
        private final Path file;
        private final Map<String, Integer> columns;
        private final int size;

        private Header(Path file, Map<String, Integer> columns, int size) {
            this.file = file;
            this.columns = columns;
            this.size = size;
        }

        static Header parse(Path file, String line) throws MalformedCsvException {
            String text = line.startsWith("\uFEFF") ? line.substring(1) : line; // byte-order mark
            List<String> names;
            try {
                names = split(text);
            } catch (BadRow e) {
                throw new MalformedCsvException(file, 1, "header: " + e.getMessage());
            }
            Map<String, Integer> columns = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i).trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && columns.put(name, i) != null) {
                    throw new MalformedCsvException(file, 1, "header: column '" + name + "' appears twice");
                }
            }
            return new Header(file, columns, names.size());
        }

        int size() {
            return size;
        }

        int required(String name) throws MalformedCsvException {
            Integer index = columns.get(name);
            if (index == null) {
                throw new MalformedCsvException(file, 1, "header: missing column '" + name + "'");
            }
            return index;
        }

        int optional(String name) {
            return columns.getOrDefault(name, -1);
        }
    }

    private interface RowParser {
        /** The row's tick, or null for a row that is, by the format's rules, no tick. */
        Tick parse(List<String> fields) throws BadRow;
    }

    private static long exactly(LongSupplier arithmetic, String column) throws BadRow {
        try {
            return arithmetic.getAsLong();
        } catch (ArithmeticException e) {
            throw new BadRow(column + " is out of range");
        }
    }

    private static long integer(String text, String column) throws BadRow {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BadRow(column + " is not an integer: " + quote(text));
        }
    }

    private static BigDecimal decimal(String text, String column) throws BadRow {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new BadRow(column + " is not a decimal: " + quote(text));
        }
    }

    /** Validates the text as a decimal and returns the text itself, not a re-printed value. */
    private static String decimalText(String text, String column) throws BadRow {
        decimal(text, column);
        return text;
    }

    /** The redundant ISO column, when present and filled, must name the same instant. */
    private static void agree(String iso, String isoColumn, long epochMillis, String epochColumn) throws BadRow {
        if (iso.isEmpty()) {
            return;
        }
        long parsed;
        try {
            parsed = Times.parseIso(iso);
        } catch (DateTimeException e) {
            throw new BadRow(isoColumn + " is not an ISO-8601 time with a zone: " + quote(iso));
        }
        if (parsed != epochMillis) {
            throw new BadRow(isoColumn + " " + quote(iso) + " disagrees with " + epochColumn);
        }
    }

    private static String quote(String text) {
        return "'" + (text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...") + "'";
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private record Tick(long eventTime, String price, String volume, String round) {}

    private record FileCounts(long rows, long fills) {}

    /** A row that does not convert; becomes a {@link MalformedCsvException} with file and line. */
    static final class BadRow extends Exception {
        private static final long serialVersionUID = 1L;

        BadRow(String message) {
            super(message, null, false, false);
        }
    }
}
