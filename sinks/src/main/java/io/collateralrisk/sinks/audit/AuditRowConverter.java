package io.collateralrisk.sinks.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Turns one JSON record into a row of an audit table: each column is read from the JSON field of
 * the same name in camelCase ({@code evaluation_id} from {@code evaluationId}), {@code record} is
 * the JSON itself (or, for an accepted input, its {@code record} field: what was received). Decimals are parsed exactly; a value that would lose digits in its column is
 * refused rather than rounded.
 */
public final class AuditRowConverter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Schema schema;
    private transient ObjectMapper mapper;

    public AuditRowConverter(Schema schema) {
        this.schema = schema;
    }

    public RowData convert(String json) {
        if (mapper == null) {
            mapper = Json.outputReader();
        }
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("audit record is not JSON: " + json, e);
        }
        return struct(schema.columns(), node, json);
    }

    private static GenericRowData struct(List<Types.NestedField> fields, JsonNode node, String json) {
        GenericRowData row = new GenericRowData(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            Types.NestedField f = fields.get(i);
            Object value = "record".equals(f.name()) && json != null ? record(node, json) : value(f.type(), node.get(camel(f.name())));
            if (value == null && f.isRequired()) {
                throw new IllegalArgumentException("audit column " + f.name() + " is required but " + camel(f.name()) + " is missing");
            }
            row.setField(i, value);
        }
        return row;
    }

    /** An input's audit record carries what was received in {@code record}; an output is its own record. */
    private static StringData record(JsonNode node, String json) {
        JsonNode received = node.get("record");
        return StringData.fromString(received != null && received.isTextual() ? received.asText() : json);
    }

    private static Object value(Type type, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        switch (type.typeId()) {
            case STRING:
                return StringData.fromString(text(v));
            case INTEGER:
                return v.canConvertToInt() && v.isIntegralNumber() ? v.intValue() : null;
            case LONG:
                // A slot is written as a decimal string (a u64); above a long it stays in record only.
                try {
                    return v.isTextual() ? new java.math.BigInteger(v.asText()).longValueExact() : v.longValue();
                } catch (ArithmeticException | NumberFormatException tooLarge) {
                    return null;
                }
            case BOOLEAN:
                return v.asBoolean();
            case DECIMAL: {
                Types.DecimalType d = (Types.DecimalType) type;
                BigDecimal exact = v.isTextual() ? new BigDecimal(v.asText()) : v.decimalValue();
                // Never rounded: an input with more digits than the column holds (such as a volume
                // of 0.0028379100000000003) is left null here and kept exactly in the record column.
                if (exact.stripTrailingZeros().scale() > d.scale()) {
                    return null;
                }
                return DecimalData.fromBigDecimal(exact, d.precision(), d.scale());
            }
            case TIMESTAMP:
                return TimestampData.fromEpochMillis(v.isNumber() ? v.asLong() : Times.parseIso(v.asText()));
            case LIST: {
                Types.StructType element = type.asListType().elementType().asStructType();
                Object[] items = new Object[v.size()];
                for (int i = 0; i < v.size(); i++) {
                    items[i] = struct(element.fields(), v.get(i), null);
                }
                return new GenericArrayData(items);
            }
            default:
                throw new IllegalArgumentException("unsupported audit column type " + type);
        }
    }

    /**
     * What a text column holds for a JSON value: a string as is, a named object (a lifecycle
     * event's policy with its thresholds) by its name, anything else as its JSON.
     */
    public static String text(JsonNode v) {
        if (v.isObject() && v.hasNonNull("name")) {
            return v.get("name").asText();
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    /** The JSON field a column is read from: {@code evaluation_id} from {@code evaluationId}. */
    public static String camel(String snake) {
        StringBuilder out = new StringBuilder(snake.length());
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
