package io.collateralrisk.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.Times;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.util.Locale;

/** Strict readers for the fields of one input object; each failure names the field. */
final class Fields {

    /** Decimals beyond this many digits or this exponent are refused: no input needs them and they can exhaust memory. */
    private static final int MAX_DIGITS = 40;

    /** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
    private static final long MIN_TIME = -62_167_219_200_000L;
    private static final long MAX_TIME = 253_402_300_799_999L;

    private final JsonNode node;

    Fields(JsonNode node) {
        this.node = node;
    }

    private JsonNode required(String field) throws InvalidInputException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidInputException("MISSING_FIELD:" + field, "'" + field + "' is required");
        }
        return value;
    }

    String text(String field) throws InvalidInputException {
        JsonNode value = required(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidInputException("INVALID_FIELD:" + field, "'" + field + "' must be a non-empty string");
        }
        return value.asText();
    }

    String optionalText(String field) throws InvalidInputException {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : text(field);
    }

    long time(String field) throws InvalidInputException {
        return inPrintableRange(field, parseTime(field));
    }

    private long parseTime(String field) throws InvalidInputException {
        JsonNode value = required(field);
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isTextual()) {
            String text = value.asText();
            // ASCII digits only: Long.parseLong would also read other scripts' digits.
            if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9') && text.length() <= 15) {
                return Long.parseLong(text);
            }
            try {
                return Times.parseIso(text);
            } catch (DateTimeException | ArithmeticException e) {
                throw new InvalidInputException(
                        "INVALID_TIME:" + field,
                        "'" + field + "' must be ISO-8601 with Z or an offset, or epoch milliseconds: " + abbreviate(text));
            }
        }
        throw new InvalidInputException("INVALID_TIME:" + field, "'" + field + "' must be a time");
    }

    /** Outputs print times as four-digit years; a time they cannot print is refused here, not in a sink. */
    private static long inPrintableRange(String field, long millis) throws InvalidInputException {
        if (millis < MIN_TIME || millis > MAX_TIME) {
            throw new InvalidInputException("INVALID_TIME:" + field, "'" + field + "' is outside years 0000 to 9999: " + millis);
        }
        return millis;
    }

    BigDecimal decimal(String field) throws InvalidInputException {
        return toDecimal(field, required(field));
    }

    BigDecimal optionalDecimal(String field) throws InvalidInputException {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : toDecimal(field, value);
    }

    /** A decimal that must be zero or more. */
    BigDecimal amount(String field) throws InvalidInputException {
        BigDecimal value = decimal(field);
        if (value.signum() < 0) {
            throw new InvalidInputException("NEGATIVE_AMOUNT:" + field, "'" + field + "' must not be negative: " + value.toPlainString());
        }
        return value;
    }

    BigInteger optionalNonNegativeInteger(String field) throws InvalidInputException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        BigDecimal decimal = toDecimal(field, value);
        try {
            BigInteger integer = decimal.toBigIntegerExact();
            if (integer.signum() < 0) {
                throw new ArithmeticException();
            }
            return integer;
        } catch (ArithmeticException e) {
            throw new InvalidInputException("INVALID_FIELD:" + field, "'" + field + "' must be a non-negative integer");
        }
    }

    long version(String field) throws InvalidInputException {
        JsonNode value = required(field);
        if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 0) {
            return value.longValue();
        }
        throw new InvalidInputException("INVALID_FIELD:" + field, "'" + field + "' must be a non-negative integer");
    }

    /**
     * A required JSON object of token to amount, each zero or more; reasons name the entry, such as
     * {@code NEGATIVE_AMOUNT:debts.USDC}.
     */
    java.util.Map<String, BigDecimal> amounts(String field) throws InvalidInputException {
        JsonNode value = required(field);
        if (!value.isObject()) {
            throw new InvalidInputException("INVALID_FIELD:" + field, "'" + field + "' must be an object of token to amount");
        }
        java.util.Map<String, BigDecimal> amounts = new java.util.TreeMap<>();
        for (var it = value.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = field + "." + abbreviate(e.getKey());
            if (e.getValue().isNull()) {
                throw new InvalidInputException("INVALID_DECIMAL:" + name, "'" + name + "' must be a decimal string or number");
            }
            BigDecimal amount = toDecimal(name, e.getValue());
            if (amount.signum() < 0) {
                throw new InvalidInputException("NEGATIVE_AMOUNT:" + name, "'" + name + "' must not be negative: " + amount.toPlainString());
            }
            amounts.put(e.getKey(), amount);
        }
        return amounts;
    }

    /**
     * A required whole number as a {@link BigInteger}, so that an index far out of range is reported as out
     * of range rather than as unreadable.
     */
    BigInteger wholeNumber(String field) throws InvalidInputException {
        JsonNode value = required(field);
        if (!value.isIntegralNumber()) {
            throw new InvalidInputException("INVALID_FIELD:" + field, "'" + field + "' must be a whole number");
        }
        return value.bigIntegerValue();
    }

    private static BigDecimal toDecimal(String field, JsonNode value) throws InvalidInputException {
        BigDecimal decimal;
        if (value.isNumber()) {
            if (!value.isBigDecimal() && !value.isIntegralNumber()) {
                throw new InvalidInputException("INVALID_DECIMAL:" + field, "'" + field + "' is not an exact number");
            }
            decimal = value.decimalValue();
        } else if (value.isTextual()) {
            String text = value.asText().trim();
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains("nan") || lower.contains("inf")) {
                throw new InvalidInputException(nonFinite(field), "'" + field + "' is not finite: " + abbreviate(text));
            }
            try {
                decimal = new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("INVALID_DECIMAL:" + field, "'" + field + "' is not a decimal: " + abbreviate(text));
            }
        } else {
            throw new InvalidInputException("INVALID_DECIMAL:" + field, "'" + field + "' must be a decimal string or number");
        }
        if (decimal.precision() > MAX_DIGITS || Math.abs(decimal.scale()) > MAX_DIGITS) {
            throw new InvalidInputException("INVALID_DECIMAL:" + field, "'" + field + "' has too many digits or too large an exponent");
        }
        return decimal;
    }

    private static String nonFinite(String field) {
        return "price".equals(field) ? "NON_FINITE_PRICE" : "INVALID_DECIMAL:" + field;
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
