package io.collateralrisk.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodySnapshot;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Parses {@code custody-snapshots} records strictly. Amounts are unsigned integers in the token's
 * base units, given as a string of ASCII digits or a JSON integer: no sign, no fraction, no
 * exponent, no leading zeros, no white space, at most {@link #MAX_AMOUNT} (128 bits: what a chain
 * account can hold; the spec only says they can exceed 64 bits signed). Every refusal is an
 * {@link InvalidInputException} with a reason of the dead-letter vocabulary the other topics use
 * (a detail says exactly what is wrong):
 *
 * <pre>
 * MALFORMED_JSON, PAYLOAD_TOO_LARGE      not one JSON object of bounded size
 * UNKNOWN_TYPE                           type is not CUSTODY_SNAPSHOT
 * MISSING_FIELD:f                        a required field is absent or null
 * INVALID_TIME:eventTime                 no zone, not a time, or outside years 0000 to 9999
 * NEGATIVE_AMOUNT:f                      an amount below zero
 * INVALID_DECIMAL:f                      an amount that is no number at all (letters, white space,
 *                                        an empty string, true, an object)
 * INVALID_FIELD:f                        an amount that is a number but not a plain unsigned
 *                                        integer (fraction, exponent, sign, leading zero) or is above
 *                                        2^128 - 1; custody or mint not a non-empty string; slot
 *                                        not an unsigned 64-bit integer; tradeBlockageUtilizationBps
 *                                        not an integer from 0 to 10,000
 * </pre>
 *
 * Unknown fields are ignored. Whether the event time is acceptable against the clock, and whether
 * the slot is newer than the last applied one, are judged after parsing.
 */
public final class CustodySnapshotParser {

    /** The input topic. */
    public static final String TOPIC = "custody-snapshots";

    public static final BigInteger MAX_AMOUNT = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    public static final BigInteger MAX_SLOT = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    public static final int MAX_BLOCKAGE_BPS = 10_000;

    private CustodySnapshotParser() {}

    public static CustodySnapshot parse(String payload) throws InvalidInputException {
        JsonNode node = InputParser.tree(payload);
        Fields f = new Fields(node);
        String type = f.text("type");
        if (!CustodySnapshot.TYPE.equals(type)) {
            throw new InvalidInputException("UNKNOWN_TYPE", "type '" + Fields.abbreviate(type) + "' is not accepted on this topic");
        }
        long eventTime = f.time("eventTime");
        String custody = f.text("custody");
        String mint = f.text("mint");
        BigInteger slot = unsigned(node, "slot", Kind.SLOT);
        CustodyAmounts amounts = new CustodyAmounts(
                amount(node, "insurance"),
                amount(node, "impairmentLosses"),
                amount(node, "userLosses"),
                amount(node, "owned"),
                amount(node, "base"),
                amount(node, "locked"),
                amount(node, "longed"),
                amount(node, "shorted"),
                amount(node, "guaranteedUsd"),
                amount(node, "feeReserves"),
                optionalAmount(node, "positionCollateral"),
                optionalAmount(node, "tokenAccountBalance"));
        BigInteger bps = absent(node, "tradeBlockageUtilizationBps") ? null : unsigned(node, "tradeBlockageUtilizationBps", Kind.BPS);
        return new CustodySnapshot(eventTime, custody, mint, slot, amounts, bps == null ? null : bps.intValueExact());
    }

    /** What an integer field holds, which decides its bound and its refusal reasons. */
    private enum Kind {
        AMOUNT(MAX_AMOUNT, "an amount in base units"),
        SLOT(MAX_SLOT, "an unsigned 64-bit slot"),
        BPS(BigInteger.valueOf(MAX_BLOCKAGE_BPS), "basis points from 0 to 10000");

        final BigInteger max;
        final String what;

        Kind(BigInteger max, String what) {
            this.max = max;
            this.what = what;
        }

        String negative(String field) {
            return this == AMOUNT ? "NEGATIVE_AMOUNT:" + field : invalid(field);
        }

        String notANumber(String field) {
            return this == AMOUNT ? "INVALID_DECIMAL:" + field : invalid(field);
        }

        String invalid(String field) {
            return "INVALID_FIELD:" + field;
        }
    }

    private static BigInteger amount(JsonNode node, String field) throws InvalidInputException {
        return unsigned(node, field, Kind.AMOUNT);
    }

    private static BigInteger optionalAmount(JsonNode node, String field) throws InvalidInputException {
        return absent(node, field) ? null : unsigned(node, field, Kind.AMOUNT);
    }

    private static boolean absent(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull();
    }

    private static BigInteger unsigned(JsonNode node, String field, Kind kind) throws InvalidInputException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidInputException("MISSING_FIELD:" + field, "'" + field + "' is required");
        }
        BigInteger integer;
        if (value.isTextual()) {
            integer = digits(value.asText(), field, kind);
        } else if (value.isIntegralNumber()) {
            integer = value.bigIntegerValue();
            if (integer.signum() < 0) {
                throw refused(kind.negative(field), field, "must not be negative", integer.toString());
            }
        } else if (value.isNumber()) {
            if (value.decimalValue().signum() < 0) {
                throw refused(kind.negative(field), field, "must not be negative", value.asText());
            }
            throw refused(kind.invalid(field), field, "must be an integer, without fraction or exponent", value.asText());
        } else {
            throw new InvalidInputException(kind.notANumber(field), "'" + field + "' must be " + kind.what + ", as a string of digits or an integer");
        }
        if (integer.compareTo(kind.max) > 0) {
            throw refused(kind.invalid(field), field, "exceeds " + kind.max, integer.toString());
        }
        return integer;
    }

    /** The text of an unsigned integer: ASCII digits only, no leading zero but in "0" itself. */
    private static BigInteger digits(String text, String field, Kind kind) throws InvalidInputException {
        if (!isDigits(text)) {
            BigDecimal decimal = decimalOrNull(text);
            if (decimal == null) {
                throw refused(kind.notANumber(field), field, "must be digits only", text);
            }
            if (decimal.signum() < 0) {
                throw refused(kind.negative(field), field, "must not be negative", text);
            }
            char first = text.charAt(0);
            String problem = first == '+' || first == '-' ? "must be digits only, without a sign"
                    : text.indexOf('e') >= 0 || text.indexOf('E') >= 0 ? "must be an integer, without an exponent"
                    : "must be an integer, without a fraction";
            throw refused(kind.invalid(field), field, problem, text);
        }
        if (text.length() > 1 && text.charAt(0) == '0') {
            throw refused(kind.invalid(field), field, "must not have leading zeros", text);
        }
        // Compared by length first: a hostile string of thousands of digits is never parsed.
        if (text.length() > kind.max.toString().length()) {
            throw refused(kind.invalid(field), field, "exceeds " + kind.max, text);
        }
        return new BigInteger(text);
    }

    /** The text as a decimal when it is one of reasonable length, else null: it is then no number at all. */
    private static BigDecimal decimalOrNull(String text) {
        if (text.isEmpty() || text.length() > 64 || !text.chars().allMatch(c -> c < 128)) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isDigits(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static InvalidInputException refused(String reason, String field, String problem, String text) {
        return new InvalidInputException(reason, "'" + field + "' " + problem + ": " + Fields.abbreviate(text));
    }
}
