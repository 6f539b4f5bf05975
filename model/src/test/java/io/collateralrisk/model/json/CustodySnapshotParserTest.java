package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodySnapshot;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code custody-snapshots} records: every field read exactly, amounts beyond 64 bits, and every
 * way an amount, the slot or the blockage threshold can be malformed refused with its reason.
 */
class CustodySnapshotParserTest {

    /** 2024-03-01T12:00:00Z. */
    private static final long NOON = 1_709_294_400_000L;
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger TWO_128 = BigInteger.ONE.shiftLeft(128);

    private static final List<String> REQUIRED_AMOUNTS = List.of(
            "insurance", "impairmentLosses", "userLosses", "owned", "base", "locked", "longed", "shorted", "guaranteedUsd",
            "feeReserves");
    private static final List<String> OPTIONAL_AMOUNTS = List.of("positionCollateral", "tokenAccountBalance");

    static List<String> everyAmount() {
        return java.util.stream.Stream.concat(REQUIRED_AMOUNTS.stream(), OPTIONAL_AMOUNTS.stream()).toList();
    }

    static List<String> requiredFields() {
        return java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("type", "eventTime", "custody", "mint", "slot"), REQUIRED_AMOUNTS.stream())
                .toList();
    }

    /** A complete, consistent snapshot as the spec's example shapes it; each amount distinct. */
    private static ObjectNode full() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "CUSTODY_SNAPSHOT");
        n.put("eventTime", "2024-03-01T12:00:00Z");
        n.put("custody", "main-pool/USDC");
        n.put("mint", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
        n.put("slot", 251234567L);
        n.put("insurance", "1");
        n.put("impairmentLosses", "2");
        n.put("userLosses", "3");
        n.put("owned", "12000");
        n.put("base", "10000");
        n.put("locked", "5000");
        n.put("longed", "4");
        n.put("shorted", "5");
        n.put("guaranteedUsd", "6");
        n.put("feeReserves", "300");
        n.put("positionCollateral", "2000");
        n.put("tokenAccountBalance", "12300");
        n.put("tradeBlockageUtilizationBps", 8000);
        return n;
    }

    private static CustodySnapshot parse(ObjectNode n) throws InvalidInputException {
        return CustodySnapshotParser.parse(n.toString());
    }

    private static InvalidInputException refusal(String payload) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> CustodySnapshotParser.parse(payload));
        assertThat(e).as("refusal of %s", payload).isNotNull();
        return e;
    }

    private static String reasonFor(ObjectNode n) {
        return refusal(n.toString()).reason();
    }

    /** {@code n} with {@code field} set to the raw JSON token {@code token} (a string needs its quotes). */
    private static String withRaw(String field, String token) {
        ObjectNode n = full();
        n.put(field, "RAW");
        return n.toString().replace("\"" + field + "\":\"RAW\"", "\"" + field + "\":" + token);
    }

    // ---------------------------------------------------------------- valid snapshots

    @Test
    void everyFieldIsRead() throws Exception {
        CustodySnapshot s = parse(full());
        assertThat(s).isEqualTo(new CustodySnapshot(
                NOON, "main-pool/USDC", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", BigInteger.valueOf(251234567L),
                new CustodyAmounts(
                        big(1), big(2), big(3), big(12000), big(10000), big(5000), big(4), big(5), big(6), big(300), big(2000), big(12300)),
                8000));
    }

    @Test
    void optionalFieldsAbsentOrNullAreNull() throws Exception {
        ObjectNode absent = full();
        absent.remove(List.of("positionCollateral", "tokenAccountBalance", "tradeBlockageUtilizationBps"));
        CustodySnapshot a = parse(absent);
        assertThat(a.amounts().positionCollateral()).isNull();
        assertThat(a.amounts().tokenAccountBalance()).isNull();
        assertThat(a.tradeBlockageUtilizationBps()).isNull();

        ObjectNode nulls = full();
        nulls.putNull("positionCollateral");
        nulls.putNull("tokenAccountBalance");
        nulls.putNull("tradeBlockageUtilizationBps");
        CustodySnapshot b = parse(nulls);
        assertThat(b.amounts().positionCollateral()).isNull();
        assertThat(b.amounts().tokenAccountBalance()).isNull();
        assertThat(b.tradeBlockageUtilizationBps()).isNull();
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        ObjectNode n = full();
        n.put("assets", "whatever");
        n.putObject("pricing").put("maxLeverage", "1e9");
        assertThat(parse(n)).isEqualTo(parse(full()));
    }

    @ParameterizedTest
    @MethodSource("everyAmount")
    void amountsAbove63And64BitsAreExactAsStringsAndAsJsonIntegers(String field) throws Exception {
        for (BigInteger v : List.of(TWO_63, TWO_63.add(BigInteger.ONE), TWO_64.subtract(BigInteger.ONE), TWO_64,
                TWO_64.add(BigInteger.ONE), TWO_128.subtract(BigInteger.ONE))) {
            ObjectNode asString = full();
            asString.put(field, v.toString());
            assertThat(amount(parse(asString), field)).as("%s = \"%s\"", field, v).isEqualTo(v);
            assertThat(amount(CustodySnapshotParser.parse(withRaw(field, v.toString())), field)).as("%s = %s", field, v).isEqualTo(v);
        }
    }

    @ParameterizedTest
    @MethodSource("everyAmount")
    void zeroIsAnAmount(String field) throws Exception {
        ObjectNode n = full();
        n.put(field, "0");
        assertThat(amount(parse(n), field)).isEqualTo(BigInteger.ZERO);
        assertThat(amount(CustodySnapshotParser.parse(withRaw(field, "0")), field)).isEqualTo(BigInteger.ZERO);
    }

    @Test
    void slotAndThresholdAcceptTheirWholeRangeAsNumbersOrStrings() throws Exception {
        assertThat(CustodySnapshotParser.parse(withRaw("slot", "0")).slot()).isZero();
        assertThat(CustodySnapshotParser.parse(withRaw("slot", "\"251234567\"")).slot()).isEqualTo(big(251234567));
        BigInteger maxSlot = TWO_64.subtract(BigInteger.ONE);
        assertThat(CustodySnapshotParser.parse(withRaw("slot", maxSlot.toString())).slot()).isEqualTo(maxSlot);
        assertThat(CustodySnapshotParser.parse(withRaw("slot", "\"" + maxSlot + "\"")).slot()).isEqualTo(maxSlot);
        assertThat(CustodySnapshotParser.parse(withRaw("tradeBlockageUtilizationBps", "0")).tradeBlockageUtilizationBps()).isZero();
        assertThat(CustodySnapshotParser.parse(withRaw("tradeBlockageUtilizationBps", "10000")).tradeBlockageUtilizationBps())
                .isEqualTo(10_000);
        assertThat(CustodySnapshotParser.parse(withRaw("tradeBlockageUtilizationBps", "\"8500\"")).tradeBlockageUtilizationBps())
                .isEqualTo(8_500);
    }

    @Test
    void eventTimeWithAnOffsetOrAsEpochMillis() throws Exception {
        ObjectNode offset = full();
        offset.put("eventTime", "2024-03-01T14:00:00+02:00");
        assertThat(parse(offset).eventTime()).isEqualTo(NOON);
        ObjectNode millis = full();
        millis.put("eventTime", NOON);
        assertThat(parse(millis).eventTime()).isEqualTo(NOON);
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void notOneJsonObjectIsMalformed() {
        assertThat(refusal("").reason()).isEqualTo("MALFORMED_JSON");
        assertThat(refusal("custody main-pool/USDC at slot 1").reason()).isEqualTo("MALFORMED_JSON");
        assertThat(refusal("[" + full() + "]").reason()).isEqualTo("MALFORMED_JSON");
        assertThat(refusal(full() + "{}").reason()).isEqualTo("MALFORMED_JSON");
        String valid = full().toString();
        assertThat(refusal(valid.substring(0, valid.length() - 1)).reason()).isEqualTo("MALFORMED_JSON");
        // JSON itself has no leading '+' and no leading zero in numbers.
        assertThat(refusal(withRaw("owned", "+5")).reason()).isEqualTo("MALFORMED_JSON");
        assertThat(refusal(withRaw("owned", "007")).reason()).isEqualTo("MALFORMED_JSON");
    }

    @Test
    void aPayloadBeyondTheLimitIsTooLarge() {
        ObjectNode n = full();
        n.put("padding", "x".repeat(Json.MAX_PAYLOAD_CHARS));
        assertThat(reasonFor(n)).isEqualTo("PAYLOAD_TOO_LARGE");
    }

    @Test
    void anotherTypeIsUnknownOnThisTopic() {
        ObjectNode n = full();
        n.put("type", "PRICE_TICK");
        assertThat(reasonFor(n)).isEqualTo("UNKNOWN_TYPE");
        n.put("type", "custody_snapshot");
        assertThat(reasonFor(n)).isEqualTo("UNKNOWN_TYPE");
    }

    @ParameterizedTest
    @MethodSource("requiredFields")
    void aRequiredFieldAbsentOrNullIsMissing(String field) {
        ObjectNode absent = full();
        absent.remove(field);
        assertThat(reasonFor(absent)).isEqualTo("MISSING_FIELD:" + field);
        ObjectNode nulled = full();
        nulled.putNull(field);
        assertThat(reasonFor(nulled)).isEqualTo("MISSING_FIELD:" + field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"custody", "mint"})
    void namesMustBeNonEmptyStrings(String field) {
        assertThat(refusal(withRaw(field, "\"\"")).reason()).isEqualTo("INVALID_FIELD:" + field);
        assertThat(refusal(withRaw(field, "\"   \"")).reason()).isEqualTo("INVALID_FIELD:" + field);
        assertThat(refusal(withRaw(field, "42")).reason()).isEqualTo("INVALID_FIELD:" + field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"2024-03-01T12:00:00\"", "\"yesterday\"", "true", "\"10000-01-01T00:00:00Z\""})
    void anEventTimeWithoutZoneOrOutOfRangeIsInvalid(String token) {
        assertThat(refusal(withRaw("eventTime", token)).reason()).isEqualTo("INVALID_TIME:eventTime");
    }

    @ParameterizedTest
    @MethodSource("everyAmount")
    void aNegativeAmountIsRefusedAsAStringOrANumber(String field) {
        assertThat(refusal(withRaw(field, "\"-1\"")).reason()).isEqualTo("NEGATIVE_AMOUNT:" + field);
        assertThat(refusal(withRaw(field, "-1")).reason()).isEqualTo("NEGATIVE_AMOUNT:" + field);
        assertThat(refusal(withRaw(field, "\"-" + TWO_64 + "\"")).reason()).isEqualTo("NEGATIVE_AMOUNT:" + field);
        assertThat(refusal(withRaw(field, "-" + TWO_64)).detail()).contains("must not be negative");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            "1.5"           | without a fraction
            "1.0"           | without a fraction
            1.5             | without fraction or exponent
            1.0             | without fraction or exponent
            "1e3"           | without an exponent
            "1E3"           | without an exponent
            1e3             | without fraction or exponent
            "+5"            | without a sign
            "-0"            | without a sign
            "0007"          | leading zeros
            "00"            | leading zeros
            """)
    void anAmountThatIsANumberButNotAPlainUnsignedIntegerIsInvalid(String token, String problem) {
        for (String field : List.of("owned", "positionCollateral")) {
            InvalidInputException e = refusal(withRaw(field, token));
            assertThat(e.reason()).as("%s = %s", field, token).isEqualTo("INVALID_FIELD:" + field);
            assertThat(e.detail()).contains(field).contains(problem);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ""              | digits only
            "-"             | digits only
            " 5"            | digits only
            "5 "            | digits only
            "0x10"          | digits only
            "5,000"         | digits only
            "five"          | digits only
            "NaN"           | digits only
            "Infinity"      | digits only
            "\u0663"        | digits only
            true            | string of digits or an integer
            {}              | string of digits or an integer
            ["5"]           | string of digits or an integer
            """)
    void anAmountThatIsNoNumberIsAnInvalidDecimal(String token, String problem) {
        for (String field : List.of("owned", "positionCollateral")) {
            InvalidInputException e = refusal(withRaw(field, token));
            assertThat(e.reason()).as("%s = %s", field, token).isEqualTo("INVALID_DECIMAL:" + field);
            assertThat(e.detail()).contains(field).contains(problem);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"-1.5\"", "-1.5", "\"-1e3\"", "-1e3"})
    void aNegativeDecimalIsANegativeAmount(String token) {
        assertThat(refusal(withRaw("owned", token)).reason()).isEqualTo("NEGATIVE_AMOUNT:owned");
    }

    @ParameterizedTest
    @MethodSource("everyAmount")
    void anAmountAbove128BitsIsInvalid(String field) {
        assertThat(refusal(withRaw(field, "\"" + TWO_128 + "\"")).reason()).isEqualTo("INVALID_FIELD:" + field);
        assertThat(refusal(withRaw(field, TWO_128.toString())).reason()).isEqualTo("INVALID_FIELD:" + field);
        // Longer than the bound by one digit, and far longer: refused by length, never parsed.
        assertThat(refusal(withRaw(field, "\"1" + "0".repeat(39) + "\"")).reason()).isEqualTo("INVALID_FIELD:" + field);
        assertThat(refusal(withRaw(field, "\"" + "9".repeat(5000) + "\"")).reason()).isEqualTo("INVALID_FIELD:" + field);
        assertThat(refusal(withRaw(field, TWO_128.toString())).detail()).contains(TWO_128.subtract(BigInteger.ONE).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "\"-1\"", "18446744073709551616", "\"18446744073709551616\"", "1.5", "\"1e3\"", "\"+1\"",
            "\"01\"", "\"slot 1\"", "false"})
    void aSlotThatIsNotAnUnsigned64BitIntegerIsInvalid(String token) {
        assertThat(refusal(withRaw("slot", token)).reason()).isEqualTo("INVALID_FIELD:slot");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10001", "\"10001\"", "80.5", "\"80%\"", "\"0.8\"", "true"})
    void aBlockageThresholdOutside0To10000BpsIsInvalid(String token) {
        assertThat(refusal(withRaw("tradeBlockageUtilizationBps", token)).reason()).isEqualTo("INVALID_FIELD:tradeBlockageUtilizationBps");
    }

    @Test
    void theFirstBadFieldInTheSpecsOrderIsReported() {
        ObjectNode n = full();
        n.put("owned", "-1");
        n.put("base", "1.5");
        assertThat(reasonFor(n)).isEqualTo("NEGATIVE_AMOUNT:owned");
    }

    @Test
    void theEventTimeOfARefusedSnapshotIsKeptForItsDeadLetter() {
        ObjectNode n = full();
        n.put("owned", "-1");
        assertThat(InputParser.eventTimeOrElse(n.toString(), 42L)).isEqualTo(NOON);
    }

    private static BigInteger amount(CustodySnapshot s, String field) {
        CustodyAmounts a = s.amounts();
        return switch (field) {
            case "insurance" -> a.insurance();
            case "impairmentLosses" -> a.impairmentLosses();
            case "userLosses" -> a.userLosses();
            case "owned" -> a.owned();
            case "base" -> a.base();
            case "locked" -> a.locked();
            case "longed" -> a.longed();
            case "shorted" -> a.shorted();
            case "guaranteedUsd" -> a.guaranteedUsd();
            case "feeReserves" -> a.feeReserves();
            case "positionCollateral" -> a.positionCollateral();
            case "tokenAccountBalance" -> a.tokenAccountBalance();
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }
}
