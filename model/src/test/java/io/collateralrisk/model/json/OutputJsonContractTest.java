package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.config.ConfigLoader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every output type, built from the model's records and written by OutputJson, matches docs/schemas. */
class OutputJsonContractTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PAIR = "BTC-USD";
    private static final String HASH = ConfigLoader.defaults().configHash();
    /** 2024-03-01T12:00:00Z. */
    private static final long T = 1_709_294_400_000L;

    private static ReferencePrice reference(
            long t, PriceStatus status, String price, String median, String twap, String primary, boolean incident,
            List<SourcePrice> used, List<ExcludedSource> excluded) {
        String evaluationId = EventIds.evaluationId(PAIR, t);
        return new ReferencePrice(
                EventIds.of(ReferencePrice.TYPE, PAIR, t, evaluationId), evaluationId, t, PAIR, status,
                dec(price), dec(median), dec(twap), dec(primary), incident, used, excluded, HASH);
    }

    private static BigDecimal dec(String value) {
        return value == null ? null : new BigDecimal(value);
    }

    private static ObjectNode tree(String json) throws Exception {
        return (ObjectNode) MAPPER.readTree(json);
    }

    private static String uuidOf(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ---------------------------------------------------------------- REFERENCE_PRICE

    @Test
    void referencePriceOkWithUsedAndExcludedSources() throws Exception {
        ReferencePrice r = reference(T, PriceStatus.OK, "61234.56", "61234.56", "61220.10", "61240.00", false,
                List.of(
                        new SourcePrice("binance", SourceKind.EXCHANGE, new BigDecimal("61230.1"), T - 2_000),
                        new SourcePrice("chainlink", SourceKind.ORACLE, new BigDecimal("61240.00000000"), T - 600_000),
                        new SourcePrice("coinbase", SourceKind.EXCHANGE, new BigDecimal("61234.56"), T)),
                List.of(
                        new ExcludedSource("bitstamp", SourceKind.EXCHANGE, ExcludedSource.STALE, new BigDecimal("60999.99"), T - 121_000),
                        new ExcludedSource("kraken", SourceKind.EXCHANGE, ExcludedSource.OUTLIER, new BigDecimal("70000"), T - 1_000)));
        String json = OutputJson.referencePrice(r);
        OutputContract.assertValid(json);

        JsonNode n = tree(json);
        assertThat(n.get("eventTime").asText()).isEqualTo("2024-03-01T12:00:00.000Z");
        assertThat(n.get("used").get(1).get("price").asText()).isEqualTo("61240.00000000");
        // The id rule docs/schemas/README.md publishes.
        assertThat(n.get("evaluationId").asText()).isEqualTo(uuidOf("EVALUATION|BTC-USD|" + T + "|"));
        assertThat(n.get("eventId").asText()).isEqualTo(uuidOf("REFERENCE_PRICE|BTC-USD|" + T + "|" + n.get("evaluationId").asText()));
    }

    @Test
    void referencePriceUnavailableWithNullsAndEmptyLists() {
        ReferencePrice r = reference(T, PriceStatus.UNAVAILABLE, null, null, null, null, false, List.of(), List.of());
        String json = OutputJson.referencePrice(r);
        assertThat(json).contains("\"price\":null", "\"median\":null", "\"twap\":null", "\"primary\":null", "\"used\":[]", "\"excluded\":[]");
        OutputContract.assertValid(json);
    }

    @Test
    void referencePriceUnavailableWithOneSourceLeft() {
        ReferencePrice r = reference(T + 121_001, PriceStatus.UNAVAILABLE, null, null, "61220.10", null, false,
                List.of(new SourcePrice("coinbase", SourceKind.EXCHANGE, new BigDecimal("61234.56"), T)),
                List.of(new ExcludedSource("chainlink", SourceKind.ORACLE, ExcludedSource.STALE, new BigDecimal("61240"), T - 3_900_001)));
        OutputContract.assertValid(OutputJson.referencePrice(r));
    }

    @Test
    void referencePriceWithAnOpenIncidentAndTheConservativePrice() {
        ReferencePrice r = reference(T, PriceStatus.OK, "58000.00", "61234.56", "61220.10", "58000.00", false,
                        List.of(
                                new SourcePrice("chainlink", SourceKind.ORACLE, new BigDecimal("58000"), T - 1_000),
                                new SourcePrice("coinbase", SourceKind.EXCHANGE, new BigDecimal("61234.56"), T)),
                        List.of())
                .withFeedHealth(true, new BigDecimal("58000.00"));
        OutputContract.assertValid(OutputJson.referencePrice(r));
    }

    // ---------------------------------------------------------------- price alerts

    @Test
    void priceUnavailable() throws Exception {
        String evaluationId = EventIds.evaluationId(PAIR, T);
        PriceAlert a = PriceAlert.of(PriceAlert.UNAVAILABLE, evaluationId, T, PAIR, 1, 2, null, T, HASH);
        String json = OutputJson.priceAlert(a);
        OutputContract.assertValid(json);
        assertThat(tree(json).get("eventId").asText())
                .isEqualTo(uuidOf("PRICE_UNAVAILABLE|BTC-USD|" + T + "|" + evaluationId));
    }

    @Test
    void priceUnavailableWithNoSourceAtAll() {
        PriceAlert a = PriceAlert.of(PriceAlert.UNAVAILABLE, EventIds.evaluationId(PAIR, T), T, PAIR, 0, 2, null, T, HASH);
        OutputContract.assertValid(OutputJson.priceAlert(a));
    }

    @Test
    void priceRestored() throws Exception {
        long restoredAt = T + 7 * 60_000;
        PriceAlert a = PriceAlert.of(
                PriceAlert.RESTORED, EventIds.evaluationId(PAIR, restoredAt), restoredAt, PAIR, 3, 2,
                new BigDecimal("61250.00"), T, HASH);
        String json = OutputJson.priceAlert(a);
        OutputContract.assertValid(json);
        assertThat(tree(json).get("unavailableSince").asText()).isEqualTo("2024-03-01T12:00:00.000Z");
        assertThat(tree(json).get("price").asText()).isEqualTo("61250.00");
    }

    // ---------------------------------------------------------------- DEAD_LETTER

    static List<BadInputCorpus.Case> corpus() {
        return BadInputCorpus.load();
    }

    /** Every refused corpus record, as the dead-letter path writes it, matches the schema: control characters and 70 kB payloads included. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void deadLetterOfEveryCorpusRecord(BadInputCorpus.Case c) {
        long t = InputParser.eventTimeOrElse(c.payload(), T);
        DeadLetter d = DeadLetter.of(
                t, c.topic(), c.topic() + "/0@" + c.line(), c.expectedReason(), "refused: " + c.expectedReason(), c.payload());
        OutputContract.assertValid(OutputJson.deadLetter(d));
    }

    @Test
    void deadLetterFromAParserRefusal() throws Exception {
        String payload = "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2024-03-01T14:00:00+02:00\",\"pair\":\"BTC-USD\","
                + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\"}";
        InvalidInputException e = null;
        try {
            new InputParser(ConfigLoader.defaults()).parsePrice(payload);
        } catch (InvalidInputException refused) {
            e = refused;
        }
        assertThat(e).isNotNull();
        DeadLetter d = DeadLetter.of(InputParser.eventTimeOrElse(payload, 0), "prices", "prices/3@1042", e.reason(), e.detail(), payload);
        String json = OutputJson.deadLetter(d);
        OutputContract.assertValid(json);

        JsonNode n = tree(json);
        assertThat(n.get("reason").asText()).isEqualTo("MISSING_FIELD:price");
        assertThat(n.get("payload").asText()).isEqualTo(payload);
        assertThat(n.get("eventTime").asText()).isEqualTo("2024-03-01T12:00:00.000Z");
        assertThat(n.get("eventId").asText()).isEqualTo(uuidOf("DEAD_LETTER|prices|" + T + "|prices/3@1042|MISSING_FIELD:price"));
    }

    @Test
    void deadLetterOfALateTickWithItsRewrittenPayload() {
        PriceTick tick = new PriceTick(T, PAIR, "chainlink", SourceKind.ORACLE, new BigDecimal("61240.00"), null,
                new BigInteger("18446744073709562301"));
        DeadLetter d = DeadLetter.of(T, "prices", "chainlink@2024-03-01T12:00:00.000Z", "LATE_EVENT",
                "6000 ms older than the newest tick of chainlink", InputJson.priceTick(tick));
        OutputContract.assertValid(OutputJson.deadLetter(d));
    }

    @Test
    void deadLetterWithoutDetailOrPayload() {
        DeadLetter d = DeadLetter.of(T, "facility-events", "facility-events.jsonl:17", "MALFORMED_JSON", null, null);
        OutputContract.assertValid(OutputJson.deadLetter(d));
    }

    // ---------------------------------------------------------------- the checker itself

    private static String validAlert() {
        return OutputJson.priceAlert(
                PriceAlert.of(PriceAlert.RESTORED, EventIds.evaluationId(PAIR, T), T, PAIR, 2, 2, new BigDecimal("61250.00"), T - 60_000, HASH));
    }

    @Test
    void checkerRejectsAMissingField() throws Exception {
        ObjectNode n = tree(validAlert());
        n.remove("unavailableSince");
        assertThatThrownBy(() -> OutputContract.assertValid(n.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("unavailableSince")
                .hasMessageContaining("line: " + n);
    }

    @Test
    void checkerRejectsANumberWhereADecimalStringIsRequired() throws Exception {
        ObjectNode n = tree(validAlert());
        n.put("price", new BigDecimal("61250.00"));
        assertThatThrownBy(() -> OutputContract.assertValid(n.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("price");

        ObjectNode r = tree(OutputJson.referencePrice(reference(T, PriceStatus.OK, "61234.56", "61234.56", null, null, false,
                List.of(new SourcePrice("coinbase", SourceKind.EXCHANGE, new BigDecimal("61234.56"), T)), List.of())));
        ((ObjectNode) r.get("used").get(0)).put("price", 61234.56);
        assertThatThrownBy(() -> OutputContract.assertValid(r.toString()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("used");
    }

    @Test
    void checkerRejectsOtherContractBreaks() throws Exception {
        String valid = validAlert();
        assertThatCode(() -> OutputContract.assertValid(valid)).doesNotThrowAnyException();

        ObjectNode extra = tree(valid);
        extra.put("note", "not in the contract");
        assertThatThrownBy(() -> OutputContract.assertValid(extra.toString())).isInstanceOf(AssertionError.class);

        ObjectNode noMillis = tree(valid);
        noMillis.put("eventTime", "2024-03-01T12:00:00Z");
        assertThatThrownBy(() -> OutputContract.assertValid(noMillis.toString())).isInstanceOf(AssertionError.class);

        ObjectNode exponent = tree(valid);
        exponent.put("price", "6.125E+4");
        assertThatThrownBy(() -> OutputContract.assertValid(exponent.toString())).isInstanceOf(AssertionError.class);

        ObjectNode badId = tree(valid);
        badId.put("eventId", "not-a-uuid");
        assertThatThrownBy(() -> OutputContract.assertValid(badId.toString())).isInstanceOf(AssertionError.class);

        ObjectNode okWithoutPrice = tree(OutputJson.referencePrice(
                reference(T, PriceStatus.OK, "61234.56", "61234.56", null, null, false, List.of(), List.of())));
        okWithoutPrice.putNull("price");
        assertThatThrownBy(() -> OutputContract.assertValid(okWithoutPrice.toString())).isInstanceOf(AssertionError.class);

        ObjectNode badReason = tree(OutputJson.deadLetter(DeadLetter.of(T, "prices", "prices/0@1", "MALFORMED_JSON", "x", "y")));
        badReason.put("reason", "SOMETHING_NEW");
        assertThatThrownBy(() -> OutputContract.assertValid(badReason.toString())).isInstanceOf(AssertionError.class);

        assertThatThrownBy(() -> OutputContract.assertValid("{\"type\":\"NO_SUCH_TYPE\"}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("NO_SUCH_TYPE");
        assertThatThrownBy(() -> OutputContract.assertValid("not json")).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OutputContract.assertValid(valid + valid)).isInstanceOf(AssertionError.class);
    }
}
