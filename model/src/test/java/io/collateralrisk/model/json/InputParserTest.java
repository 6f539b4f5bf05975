package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.collateralrisk.model.CollateralUpdated;
import io.collateralrisk.model.DebtUpdated;
import io.collateralrisk.model.ControlRecord;
import io.collateralrisk.model.DivergenceResolved;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.FacilityClosed;
import io.collateralrisk.model.FacilityOpened;
import io.collateralrisk.model.LiquidationExecuted;
import io.collateralrisk.model.LiquidationFailed;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class InputParserTest {

    private static final RiskConfig CONFIG = ConfigLoader.defaults();
    /** 2024-03-01T12:00:00Z. */
    private static final long NOON = 1_709_294_400_000L;

    private final InputParser parser = new InputParser(CONFIG);

    static List<BadInputCorpus.Case> corpus() {
        return BadInputCorpus.load();
    }

    private Object parse(String topic, String payload) throws InvalidInputException {
        return switch (topic) {
            case "prices" -> parser.parsePrice(payload);
            case "facility-events" -> parser.parseFacility(payload);
            case "risk-control" -> parser.parseControl(payload);
            default -> throw new IllegalArgumentException("no parser for topic " + topic);
        };
    }

    private String reasonFor(String topic, String payload) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> parse(topic, payload));
        assertThat(e).as("refusal of %s", payload).isNotNull();
        return e.reason();
    }

    private static String tick(String eventTime, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":" + eventTime + ",\"pair\":\"BTC-USD\",\"source\":\"coinbase\","
                + "\"kind\":\"EXCHANGE\",\"price\":" + price + "}";
    }

    private static String tickAt(String isoOrMillis) {
        return tick(isoOrMillis, "\"61234.56\"");
    }

    private static String tickPriced(String priceToken) {
        return tick("\"2024-03-01T12:00:00Z\"", priceToken);
    }

    // ---------------------------------------------------------------- the bad-input corpus

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusRecordIsRefusedWithItsExactReason(BadInputCorpus.Case c) {
        assertThat(reasonFor(c.topic(), c.payload())).isEqualTo(c.expectedReason());
    }

    @Test
    void corpusIsLargeDistinctAndCoversTheWholeReasonVocabulary() {
        List<BadInputCorpus.Case> cases = corpus();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
        assertThat(cases.stream().filter(c -> c.topic().equals("prices"))).hasSizeGreaterThanOrEqualTo(25);
        Set<String> distinct = new HashSet<>();
        cases.forEach(c -> assertThat(distinct.add(c.topic() + '\n' + c.payload())).as("duplicate case %s", c).isTrue());
        Set<String> categories =
                cases.stream().map(c -> c.expectedReason().replaceFirst(":.*", "")).collect(Collectors.toSet());
        assertThat(categories)
                .containsExactlyInAnyOrder(
                        "MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNKNOWN_TYPE", "MISSING_FIELD", "INVALID_FIELD", "INVALID_TIME",
                        "INVALID_DECIMAL", "NON_FINITE_PRICE", "NON_POSITIVE_PRICE", "NEGATIVE_AMOUNT", "OUT_OF_BOUNDS", "UNKNOWN_PAIR");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eventTimeForADeadLetterNeverThrows(BadInputCorpus.Case c) {
        assertThatCode(() -> InputParser.eventTimeOrElse(c.payload(), 42L)).doesNotThrowAnyException();
    }

    @Test
    void everyTruncationOfAValidRecordIsMalformedNotACrash() {
        String valid = tickPriced("\"61234.56\"");
        for (int i = 0; i < valid.length(); i++) {
            assertThat(reasonFor("prices", valid.substring(0, i))).as("prefix of %d chars", i).isEqualTo("MALFORMED_JSON");
        }
    }

    @Test
    void eventTimeOfARefusedRecordIsKeptWhenValid() {
        assertThat(InputParser.eventTimeOrElse(tickPriced("\"-1\""), 42L)).isEqualTo(NOON);
        assertThat(InputParser.eventTimeOrElse(tickAt("\"2024-03-01T12:00:00\""), 42L)).isEqualTo(42L);
        assertThat(InputParser.eventTimeOrElse("not json", 42L)).isEqualTo(42L);
    }

    // ---------------------------------------------------------------- limits

    @Test
    void payloadAtTheLimitIsReadAndOneCharacterMoreIsRefused() throws Exception {
        String head = tickPriced("\"61234.56\"");
        String open = head.substring(0, head.length() - 1) + ",\"padding\":\"";
        String atLimit = open + "x".repeat(Json.MAX_PAYLOAD_CHARS - open.length() - 2) + "\"}";
        assertThat(atLimit).hasSize(Json.MAX_PAYLOAD_CHARS);
        assertThat(parser.parsePrice(atLimit).price()).isEqualTo(new BigDecimal("61234.56"));

        String overLimit = open + "x".repeat(Json.MAX_PAYLOAD_CHARS - open.length() - 1) + "\"}";
        assertThat(reasonFor("prices", overLimit)).isEqualTo("PAYLOAD_TOO_LARGE");
    }

    @Test
    void nestingUpToTheLimitInAnUnknownFieldIsIgnored() throws Exception {
        String valid = tickPriced("\"61234.56\"");
        // The record itself is one level; 31 more stay within the 32-level limit.
        String nested = valid.substring(0, valid.length() - 1) + ",\"x\":" + "[".repeat(31) + "]".repeat(31) + "}";
        assertThat(parser.parsePrice(nested).price()).isEqualTo(new BigDecimal("61234.56"));
        String tooDeep = valid.substring(0, valid.length() - 1) + ",\"x\":" + "[".repeat(32) + "]".repeat(32) + "}";
        assertThat(reasonFor("prices", tooDeep)).isEqualTo("MALFORMED_JSON");
    }

    // ---------------------------------------------------------------- valid price ticks

    @Nested
    class ValidPriceTicks {

        @Test
        void fullTickIsReadField() throws Exception {
            PriceTick t = parser.parsePrice(
                    "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2024-03-01T12:00:00.000Z\",\"pair\":\"BTC-USD\",\"source\":\"coinbase\","
                            + "\"kind\":\"EXCHANGE\",\"price\":\"5123.45\",\"volume\":\"1.2\"}");
            assertThat(t).isEqualTo(new PriceTick(
                    NOON, "BTC-USD", "coinbase", SourceKind.EXCHANGE, new BigDecimal("5123.45"), new BigDecimal("1.2"), null));
        }

        @Test
        void oracleTickWithRoundBeyond64Bits() throws Exception {
            PriceTick t = parser.parsePrice(
                    "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"pair\":\"BTC-USD\",\"source\":\"chainlink\","
                            + "\"kind\":\"ORACLE\",\"price\":\"5120.00\",\"round\":\"18446744073709562301\"}");
            assertThat(t.kind()).isEqualTo(SourceKind.ORACLE);
            assertThat(t.round()).isEqualTo(new BigInteger("18446744073709562301"));
            assertThat(t.round()).isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
            assertThat(t.volume()).isNull();
        }

        @Test
        void roundBeyond64BitsAsAJsonNumber() throws Exception {
            String json = tickPriced("\"5120.00\"").replace("}", ",\"round\":18446744073709562301}");
            assertThat(parser.parsePrice(json).round()).isEqualTo(new BigInteger("18446744073709562301"));
        }

        @Test
        void optionalFieldsAbsentOrNullAreNull() throws Exception {
            PriceTick absent = parser.parsePrice(tickPriced("\"5123.45\""));
            assertThat(absent.volume()).isNull();
            assertThat(absent.round()).isNull();
            PriceTick nulls = parser.parsePrice(tickPriced("\"5123.45\"").replace("}", ",\"volume\":null,\"round\":null}"));
            assertThat(nulls.volume()).isNull();
            assertThat(nulls.round()).isNull();
        }

        @Test
        void isoTimeWithZ() throws Exception {
            assertThat(parser.parsePrice(tickAt("\"2024-03-01T12:00:00Z\"")).eventTime()).isEqualTo(NOON);
            assertThat(parser.parsePrice(tickAt("\"2024-03-01T12:00:00.123Z\"")).eventTime()).isEqualTo(NOON + 123);
        }

        @Test
        void isoTimeWithAnOffsetIsConvertedToUtc() throws Exception {
            assertThat(parser.parsePrice(tickAt("\"2024-03-01T14:00:00+02:00\"")).eventTime()).isEqualTo(NOON);
            assertThat(parser.parsePrice(tickAt("\"2024-03-01T06:30:00.250-05:30\"")).eventTime()).isEqualTo(NOON + 250);
            assertThat(parser.parsePrice(tickAt("\"2024-03-01T12:00:00+00:00\"")).eventTime()).isEqualTo(NOON);
        }

        @Test
        void epochMillisAsNumberOrDigitString() throws Exception {
            assertThat(parser.parsePrice(tickAt("1709294400000")).eventTime()).isEqualTo(NOON);
            assertThat(parser.parsePrice(tickAt("\"1709294400000\"")).eventTime()).isEqualTo(NOON);
        }

        @Test
        void timesAtTheEdgesOfFourDigitYearsAreAccepted() throws Exception {
            assertThat(parser.parsePrice(tickAt("\"9999-12-31T23:59:59.999Z\"")).eventTime()).isEqualTo(253_402_300_799_999L);
            assertThat(parser.parsePrice(tickAt("\"253402300799999\"")).eventTime()).isEqualTo(253_402_300_799_999L);
            assertThat(parser.parsePrice(tickAt("\"0000-01-01T00:00:00Z\"")).eventTime()).isEqualTo(-62_167_219_200_000L);
            assertThat(reasonFor("prices", tickAt("\"253402300800000\""))).isEqualTo("INVALID_TIME:eventTime");
            assertThat(reasonFor("prices", tickAt("-62167219200001"))).isEqualTo("INVALID_TIME:eventTime");
        }

        @Test
        void priceAsAJsonNumberIsExactNotBinaryFloatingPoint() throws Exception {
            BigDecimal p = parser.parsePrice(tickPriced("5123.45")).price();
            assertThat(p).isEqualTo(new BigDecimal("5123.45"));
            assertThat(p.toPlainString()).isEqualTo("5123.45");

            // In a double 0.1 is 0.1000000000000000055511151231257827...; this oracle round-trips exactly.
            String oneTenth = tickPriced("0.1").replace("BTC-USD", "ETH-BTC");
            RiskConfig withEthBtc = ConfigLoader.parse("pairs: {ETH-BTC: {bounds: {min: \"0.001\", max: \"1\"}}}");
            BigDecimal tenth = new InputParser(withEthBtc).parsePrice(oneTenth).price();
            assertThat(tenth).isEqualByComparingTo("0.1");
            assertThat(tenth).isNotEqualByComparingTo(new BigDecimal(0.1d));

            assertThat(parser.parsePrice(tickPriced("61234")).price()).isEqualByComparingTo("61234");
            assertThat(parser.parsePrice(tickPriced("6.123456e4")).price()).isEqualByComparingTo("61234.56");
        }

        @Test
        void priceAsAStringKeepsItsScale() throws Exception {
            assertThat(parser.parsePrice(tickPriced("\"61234.50\"")).price().toPlainString()).isEqualTo("61234.50");
            assertThat(parser.parsePrice(tickPriced("\"0061234.5\"")).price()).isEqualByComparingTo("61234.5");
        }

        @Test
        void boundsAreInclusive() throws Exception {
            assertThat(parser.parsePrice(tickPriced("\"1\"")).price()).isEqualByComparingTo("1");
            assertThat(parser.parsePrice(tickPriced("\"10000000\"")).price()).isEqualByComparingTo("10000000");
            assertThat(parser.parsePrice(tickPriced("\"10000000.00\"")).price()).isEqualByComparingTo("10000000");
        }

        @Test
        void zeroVolumeIsValid() throws Exception {
            assertThat(parser.parsePrice(tickPriced("\"5123.45\"").replace("}", ",\"volume\":\"0\"}")).volume())
                    .isEqualByComparingTo("0");
        }

        @Test
        void unknownFieldsAreIgnored() throws Exception {
            String json = "{\"venue\":{\"id\":7,\"tags\":[\"spot\",null,true]},\"type\":\"PRICE_TICK\",\"seq\":99,"
                    + "\"eventTime\":\"2024-03-01T12:00:00Z\",\"pair\":\"BTC-USD\",\"source\":\"kraken\",\"kind\":\"EXCHANGE\","
                    + "\"price\":\"61234.56\",\"bid\":\"not a number\",\"ask\":null}";
            PriceTick t = parser.parsePrice(json);
            assertThat(t.source()).isEqualTo("kraken");
            assertThat(t.price()).isEqualByComparingTo("61234.56");
        }

        @Test
        void aPairAddedByConfigurationIsAccepted() throws Exception {
            RiskConfig config = ConfigLoader.parse("pairs: {ETH-USD: {bounds: {min: \"10\", max: \"100000\"}}}");
            PriceTick t = new InputParser(config).parsePrice(tickPriced("\"3456.78\"").replace("BTC-USD", "ETH-USD"));
            assertThat(t.pair()).isEqualTo("ETH-USD");
            assertThat(reasonFor("prices", tickPriced("\"3456.78\"").replace("BTC-USD", "ETH-USD"))).isEqualTo("UNKNOWN_PAIR");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"1.0\"", "1.0", "\"0\"", "0"})
        void integralRoundsInDecimalFormAreAccepted(String round) throws Exception {
            String json = tickPriced("\"5120.00\"").replace("}", ",\"round\":" + round + "}");
            assertThat(parser.parsePrice(json).round()).isNotNull();
        }
    }

    // ---------------------------------------------------------------- facility and control events

    @Nested
    class ValidFacilityAndControlEvents {

        private static final String HEAD = "\"eventTime\":\"2024-03-01T14:00:00+02:00\",\"facilityId\":\"F-1\"";

        @Test
        void facilityOpened() throws Exception {
            assertThat(parser.parseFacility("{\"type\":\"FACILITY_OPENED\"," + HEAD
                            + ",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}"))
                    .isEqualTo(new FacilityOpened(NOON, "F-1", "B-1", "bitgo", "BTC-USD", "standard"));
        }

        @Test
        void anUnknownPolicyIsLeftToTheLifecycleToDeadLetter() throws Exception {
            assertThat(parser.parseFacility("{\"type\":\"FACILITY_OPENED\"," + HEAD
                            + ",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"no-such-policy\"}"))
                    .isInstanceOf(FacilityOpened.class);
        }

        @Test
        void collateralAndDebtWithVersions() throws Exception {
            assertThat(parser.parseFacility("{\"type\":\"COLLATERAL_UPDATED\"," + HEAD + ",\"collateral\":\"1.50000000\",\"version\":3}"))
                    .isEqualTo(new CollateralUpdated(NOON, "F-1", new BigDecimal("1.50000000"), 3));
            assertThat(parser.parseFacility("{\"type\":\"DEBT_UPDATED\"," + HEAD + ",\"outstanding\":4100.00,\"version\":7}"))
                    .isInstanceOfSatisfying(DebtUpdated.class, d -> {
                        assertThat(d.outstanding()).isEqualByComparingTo("4100.00");
                        assertThat(d.version()).isEqualTo(7);
                    });
        }

        @Test
        void zeroAmountsAndVersionZeroAreValid() throws Exception {
            assertThat(parser.parseFacility("{\"type\":\"COLLATERAL_UPDATED\"," + HEAD + ",\"collateral\":\"0\",\"version\":0}"))
                    .isEqualTo(new CollateralUpdated(NOON, "F-1", BigDecimal.ZERO, 0));
            assertThat(parser.parseFacility("{\"type\":\"DEBT_UPDATED\"," + HEAD + ",\"outstanding\":\"0.00\",\"version\":5000000000}"))
                    .isEqualTo(new DebtUpdated(NOON, "F-1", new BigDecimal("0.00"), 5_000_000_000L));
        }

        @Test
        void liquidationOutcomesAndClose() throws Exception {
            assertThat(parser.parseFacility("{\"type\":\"LIQUIDATION_EXECUTED\"," + HEAD
                            + ",\"liquidationId\":\"L-1\",\"collateralSold\":\"0.4\",\"proceeds\":\"8000.00\"}"))
                    .isEqualTo(new LiquidationExecuted(NOON, "F-1", "L-1", new BigDecimal("0.4"), new BigDecimal("8000.00")));
            assertThat(parser.parseFacility("{\"type\":\"LIQUIDATION_FAILED\"," + HEAD
                            + ",\"liquidationId\":\"L-1\",\"reason\":\"custodian timeout\"}"))
                    .isEqualTo(new LiquidationFailed(NOON, "F-1", "L-1", "custodian timeout"));
            assertThat(parser.parseFacility("{\"type\":\"FACILITY_CLOSED\"," + HEAD + "}"))
                    .isEqualTo(new FacilityClosed(NOON, "F-1"));
        }

        @Test
        void divergenceResolved() throws Exception {
            assertThat(parser.parseControl("{\"type\":\"DIVERGENCE_RESOLVED\",\"eventTime\":1709294400000,\"pair\":\"BTC-USD\","
                            + "\"incidentId\":\"I-1\",\"resolvedBy\":\"ops@lender\",\"reason\":\"oracle repaired\",\"ticket\":\"R-9\"}"))
                    .isEqualTo(ControlRecord.of(new DivergenceResolved(NOON, "BTC-USD", "I-1", "ops@lender", "oracle repaired")));
        }

        @Test
        void holdsReleased() throws Exception {
            assertThat(parser.parseControl("{\"type\":\"HOLDS_RELEASED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"pair\":\"BTC-USD\","
                            + "\"releasedBy\":\"ops@lender\",\"reason\":\"crash reviewed\",\"ticket\":\"R-10\"}"))
                    .isEqualTo(ControlRecord.of(new HoldsReleased(NOON, "BTC-USD", "ops@lender", "crash reviewed")));
        }

        @ParameterizedTest(name = "{1}")
        @CsvSource(delimiter = '|', value = {
                "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":1709294400000,\"releasedBy\":\"ops\",\"reason\":\"r\"}                         | MISSING_FIELD:pair",
                "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":1709294400000,\"pair\":\"DOGE-USD\",\"releasedBy\":\"ops\",\"reason\":\"r\"}   | UNKNOWN_PAIR",
                "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":1709294400000,\"pair\":\"BTC-USD\",\"reason\":\"r\"}                            | MISSING_FIELD:releasedBy",
                "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":1709294400000,\"pair\":\"BTC-USD\",\"releasedBy\":\"\",\"reason\":\"r\"}         | INVALID_FIELD:releasedBy",
                "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":1709294400000,\"pair\":\"BTC-USD\",\"releasedBy\":\"ops\"}                      | MISSING_FIELD:reason",
                "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":\"2024-03-01T12:00:00\",\"pair\":\"BTC-USD\",\"releasedBy\":\"ops\",\"reason\":\"r\"} | INVALID_TIME:eventTime",
                "{\"type\":\"HOLDS_RELEASE\",\"eventTime\":1709294400000,\"pair\":\"BTC-USD\",\"releasedBy\":\"ops\",\"reason\":\"r\"}     | UNKNOWN_TYPE",
                "{\"type\":\"PRICE_TICK\",\"eventTime\":1709294400000,\"pair\":\"BTC-USD\"}                                                 | UNKNOWN_TYPE"})
        void holdsReleasedIsParsedStrictly(String payload, String reason) {
            assertThat(reasonFor("risk-control", payload)).isEqualTo(reason);
        }
    }
}
