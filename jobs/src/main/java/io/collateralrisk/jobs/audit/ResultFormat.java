package io.collateralrisk.jobs.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.json.Json;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.types.Row;

/** Prints an {@link AuditQuery.Result} as an aligned table, CSV (RFC 4180) or JSON. */
public enum ResultFormat {
    TABLE,
    CSV,
    JSON;

    public String render(AuditQuery.Result result) {
        return switch (this) {
            case TABLE -> table(result);
            case CSV -> csv(result);
            case JSON -> json(result);
        };
    }

    /**
     * Decimals plain (never 1E+3) without the column's padding zeros but with at least two
     * decimals (19590.51, 0.80, 1.25000001), times in UTC ISO-8601, nulls empty.
     */
    static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof BigDecimal d) {
            BigDecimal stripped = d.stripTrailingZeros();
            return stripped.setScale(Math.max(2, stripped.scale())).toPlainString();
        }
        if (v instanceof Instant i) {
            return DateTimeFormatter.ISO_INSTANT.format(i);
        }
        if (v instanceof OffsetDateTime o) {
            return DateTimeFormatter.ISO_INSTANT.format(o.toInstant());
        }
        if (v instanceof LocalDateTime l) {
            return DateTimeFormatter.ISO_INSTANT.format(l.toInstant(ZoneOffset.UTC));
        }
        if (v instanceof Object[] array) {
            List<String> items = new ArrayList<>();
            for (Object item : array) {
                items.add(text(item));
            }
            return "[" + String.join(", ", items) + "]";
        }
        if (v instanceof Row row) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < row.getArity(); i++) {
                items.add(text(row.getField(i)));
            }
            return "(" + String.join(", ", items) + ")";
        }
        return v.toString();
    }

    private static String table(AuditQuery.Result r) {
        int n = r.columns().size();
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            width[i] = r.columns().get(i).length();
        }
        List<String[]> cells = new ArrayList<>();
        for (List<Object> row : r.rows()) {
            String[] line = new String[n];
            for (int i = 0; i < n; i++) {
                line[i] = text(row.get(i)).replace('\n', ' ');
                width[i] = Math.max(width[i], line[i].length());
            }
            cells.add(line);
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, r.columns().toArray(new String[0]), width);
        String[] rule = new String[n];
        for (int i = 0; i < n; i++) {
            rule[i] = "-".repeat(width[i]);
        }
        appendLine(out, rule, width);
        cells.forEach(line -> appendLine(out, line, width));
        out.append('(').append(r.rows().size()).append(r.rows().size() == 1 ? " row)" : " rows)").append('\n');
        return out.toString();
    }

    private static void appendLine(StringBuilder out, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            out.append(i == 0 ? "" : " | ").append(cells[i]).append(" ".repeat(width[i] - cells[i].length()));
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
        out.append('\n');
    }

    private static String csv(AuditQuery.Result r) {
        StringBuilder out = new StringBuilder();
        csvLine(out, new ArrayList<>(r.columns()));
        for (List<Object> row : r.rows()) {
            csvLine(out, row);
        }
        return out.toString();
    }

    private static void csvLine(StringBuilder out, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            String t = text(values.get(i));
            boolean quote = t.contains(",") || t.contains("\"") || t.contains("\n") || t.contains("\r");
            out.append(i == 0 ? "" : ",").append(quote ? "\"" + t.replace("\"", "\"\"") + "\"" : t);
        }
        out.append("\r\n");
    }

    private static String json(AuditQuery.Result r) {
        ArrayNode array = Json.mapper().createArrayNode();
        for (List<Object> row : r.rows()) {
            ObjectNode o = array.addObject();
            for (int i = 0; i < r.columns().size(); i++) {
                Object v = row.get(i);
                String name = r.columns().get(i);
                if (v == null) {
                    o.putNull(name);
                } else if (v instanceof Boolean b) {
                    o.put(name, b);
                } else if (v instanceof Long || v instanceof Integer) {
                    o.put(name, ((Number) v).longValue());
                } else {
                    // Decimals as strings, as on the topics: exact, never through binary floating point.
                    o.put(name, text(v));
                }
            }
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(array) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
