package io.collateralrisk.jobs.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import org.apache.iceberg.data.Record;

/**
 * One row of an audit table with its {@code record} column parsed: the exact JSON the product
 * emitted (or received), which is what a story is told from; the typed columns are there to be
 * checked against it.
 */
public record AuditRow(String table, Record row, JsonNode json) {

    public static AuditRow of(String table, Record row) {
        Object record = row.getField("record");
        JsonNode json = null;
        if (record instanceof String text) {
            try {
                json = Json.outputReader().readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("the record of " + table + " row " + row.getField("event_id") + " is not JSON", e);
            }
        }
        return new AuditRow(table, row, json == null ? Json.outputReader().createObjectNode() : json);
    }

    public String eventId() {
        return (String) row.getField("event_id");
    }

    /** The {@code event_time} column, epoch milliseconds. */
    public long eventTime() {
        return ((OffsetDateTime) row.getField("event_time")).toInstant().toEpochMilli();
    }

    public Object column(String name) {
        return row.getField(name);
    }

    /** A field of the record (a dotted path such as {@code policy.warning}); null when absent or null. */
    public JsonNode node(String path) {
        JsonNode n = json;
        for (String part : path.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    public String text(String path) {
        JsonNode n = node(path);
        return n == null ? null : n.isTextual() ? n.asText() : n.toString();
    }

    /** An amount of the record, exactly as written; null when null. */
    public BigDecimal decimal(String path) {
        String t = text(path);
        return t == null ? null : new BigDecimal(t);
    }

    /** A time of the record, epoch milliseconds; null when null. */
    public Long time(String path) {
        String t = text(path);
        return t == null ? null : Times.parseIso(t);
    }

    public Long longValue(String path) {
        JsonNode n = node(path);
        return n == null ? null : n.asLong();
    }

    public boolean flag(String path) {
        JsonNode n = node(path);
        return n != null && n.asBoolean();
    }

    public String type() {
        return text("type");
    }
}
