package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.OpsAlert;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.ConfigLoader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** The reference price is written field by field; its text must be what a tree of the same fields prints. */
    @Test
    void referencePriceIsTheTextOfTheSameFieldsAsATree() throws Exception {
        List<ReferencePrice> prices = List.of(
                reference(T, PriceStatus.OK, "61234.56", "61234.560", "6.1E+4", "0.00000001", true,
                        List.of(new SourcePrice("bin\"ance\u00e9\n", SourceKind.EXCHANGE, new BigDecimal("61230.1"), T - 2_000),
                                new SourcePrice("chainlink", SourceKind.ORACLE, new BigDecimal("61240.00000000"), -1_000)),
                        List.of(new ExcludedSource("kraken", SourceKind.EXCHANGE, ExcludedSource.OUTLIER, new BigDecimal("70000"), T - 1_000))),
                reference(T, PriceStatus.UNAVAILABLE, null, null, null, null, false, List.of(), List.of()));
        for (ReferencePrice r : prices) {
            ObjectNode n = MAPPER.createObjectNode();
            n.put("type", ReferencePrice.TYPE).put("eventId", r.eventId()).put("eventTime", Times.format(r.eventTime()))
                    .put("pair", r.pair()).put("evaluationId", r.evaluationId()).put("status", r.status().name())
                    .put("price", plain(r.price())).put("median", plain(r.median())).put("twap", plain(r.twap()))
                    .put("primary", plain(r.primary())).put("incidentOpen", r.incidentOpen());
            var used = n.putArray("used");
            r.used().forEach(s -> used.addObject().put("source", s.source()).put("kind", s.kind().name())
                    .put("price", plain(s.price())).put("eventTime", Times.format(s.eventTime())));
            var excluded = n.putArray("excluded");
            r.excluded().forEach(s -> excluded.addObject().put("source", s.source()).put("kind", s.kind().name()).put("reason", s.reason())
                    .put("price", plain(s.price())).put("eventTime", Times.format(s.eventTime())));
            n.put("configHash", r.configHash());
            assertThat(OutputJson.referencePrice(r)).isEqualTo(io.collateralrisk.model.json.Json.mapper().writeValueAsString(n));
        }
    }

    private static String plain(BigDecimal d) {
        return d == null ? null : d.toPlainString();
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

    // ---------------------------------------------------------------- risk.divergence

    /** A reading's divergence as the feed-health stage reports it: |primary - twap| / twap at 6 decimals. */
    private static BigDecimal divergence(String primary, String twap) {
        BigDecimal p = new BigDecimal(primary);
        BigDecimal w = new BigDecimal(twap);
        return p.subtract(w).abs().divide(w, MathContext.DECIMAL64).setScale(6, RoundingMode.HALF_EVEN);
    }

    /**
     * An incident on BTC-USD: the oracle fell to 57,900.00 against a TWAP of 61,220.10 (5.42%); the
     * run above the 5% threshold started at T, peaked at T + 30 s and opened the incident at its
     * third reading, T + 45 s.
     */
    private static final long RUN_START = T;
    private static final long OPENED_AT = T + 45_000;
    private static final long PEAK_AT = T + 30_000;
    private static final String INCIDENT = EventIds.of("DIVERGENCE_INCIDENT", PAIR, OPENED_AT, String.valueOf(RUN_START));

    private static DivergenceEvent opened() {
        return opened(0L);
    }

    private static DivergenceEvent opened(long ingestedAt) {
        return new DivergenceEvent(
                DivergenceEvent.OPENED, EventIds.of(DivergenceEvent.OPENED, PAIR, OPENED_AT, INCIDENT), OPENED_AT, PAIR, INCIDENT,
                OPENED_AT, RUN_START, new BigDecimal("0.05"),
                new BigDecimal("57900.00"), new BigDecimal("61220.10"), new BigDecimal("61180.00"), divergence("57900.00", "61220.10"),
                null, null, null,
                divergence("57500.00", "61215.40"), PEAK_AT, null, null, null, null, "PENDING", HASH, ingestedAt);
    }

    /** The same incident closed at {@code at}, with the prices of the closing reading. */
    private static DivergenceEvent closed(long at, String primary, String twap, String median, String peak, long peakAt,
            String closedBy, String resolvedBy, String resolution) {
        return new DivergenceEvent(
                DivergenceEvent.CLOSED, EventIds.of(DivergenceEvent.CLOSED, PAIR, at, INCIDENT), at, PAIR, INCIDENT,
                OPENED_AT, RUN_START, new BigDecimal("0.05"),
                new BigDecimal("57900.00"), new BigDecimal("61220.10"), new BigDecimal("61180.00"), divergence("57900.00", "61220.10"),
                dec(primary), dec(twap), dec(median),
                new BigDecimal(peak), peakAt, (at - OPENED_AT) / 1000, closedBy, resolvedBy, resolution,
                "RESOLVED".equals(closedBy) ? "RESOLVED" : "PENDING", HASH, 0L);
    }

    /** Quiet from T + 20 min (the first reading at or below 5%), reconciled 5 min later. */
    private static DivergenceEvent reconciled() {
        return closed(T + 25 * 60_000, "61190.00", "61201.35", "61195.50",
                divergence("57400.00", "61230.00").toPlainString(), T + 90_000, "RECONCILED", null, null);
    }

    /** Closed by an operator after the oracle provider confirmed a paused feed. */
    private static DivergenceEvent resolvedByAnOperator() {
        return closed(T + 2 * HOUR, "58010.00", "61250.75", "61248.20",
                divergence("57400.00", "61230.00").toPlainString(), T + 90_000, "RESOLVED", "ops.jdoe",
                "Chainlink BTC/USD feed paused by the oracle operator; confirmed with the provider");
    }

    @Test
    void divergenceOpened() throws Exception {
        String json = OutputJson.divergenceEvent(opened());
        OutputContract.assertValid(json);

        JsonNode n = tree(json);
        assertThat(n.has("atClose")).isFalse();
        assertThat(n.get("atOpen").get("divergence").asText()).isEqualTo("0.054232");
        assertThat(n.get("peakDivergence").asText()).isEqualTo("0.060694");
        assertThat(n.get("openedAt").asText()).isEqualTo(n.get("eventTime").asText());
        assertThat(n.get("durationSeconds").isNull()).isTrue();
        assertThat(n.get("closedBy").isNull()).isTrue();
        assertThat(n.get("reviewStatus").asText()).isEqualTo("PENDING");
        assertThat(n.get("recipients").toString()).isEqualTo("[\"borrower\",\"lender\",\"custodian\"]");
        // The id rules docs/schemas/README.md publishes.
        assertThat(n.get("incidentId").asText())
                .isEqualTo(uuidOf("DIVERGENCE_INCIDENT|BTC-USD|" + OPENED_AT + "|" + RUN_START));
        assertThat(n.get("eventId").asText())
                .isEqualTo(uuidOf("DIVERGENCE_OPENED|BTC-USD|" + OPENED_AT + "|" + n.get("incidentId").asText()));
    }

    @Test
    void divergenceOpenedAtAnUnavailableEvaluation() {
        // Oracle and TWAP give a reading while the pair is below quorum: no median.
        DivergenceEvent e = opened();
        OutputContract.assertValid(OutputJson.divergenceEvent(new DivergenceEvent(
                e.type(), e.eventId(), e.eventTime(), e.pair(), e.incidentId(), e.openedAt(), e.runStartedAt(), e.threshold(),
                e.primaryAtOpen(), e.twapAtOpen(), null, e.divergenceAtOpen(), null, null, null,
                e.peakDivergence(), e.peakAt(), null, null, null, null, "PENDING", HASH, 0L)));
    }

    @Test
    void divergenceClosedReconciled() throws Exception {
        String json = OutputJson.divergenceEvent(reconciled());
        OutputContract.assertValid(json);

        JsonNode n = tree(json);
        assertThat(n.get("closedBy").asText()).isEqualTo("RECONCILED");
        // A reconciled incident still awaits its manual review.
        assertThat(n.get("reviewStatus").asText()).isEqualTo("PENDING");
        assertThat(n.get("resolvedBy").isNull()).isTrue();
        assertThat(n.get("resolution").isNull()).isTrue();
        assertThat(n.get("durationSeconds").asLong()).isEqualTo(1_455);
        assertThat(n.get("atClose").get("primary").asText()).isEqualTo("61190.00");
        assertThat(n.get("eventId").asText())
                .isEqualTo(uuidOf("DIVERGENCE_CLOSED|BTC-USD|" + (T + 25 * 60_000) + "|" + INCIDENT));
    }

    @Test
    void divergenceClosedResolvedByAnOperator() throws Exception {
        String json = OutputJson.divergenceEvent(resolvedByAnOperator());
        OutputContract.assertValid(json);

        JsonNode n = tree(json);
        assertThat(n.get("closedBy").asText()).isEqualTo("RESOLVED");
        assertThat(n.get("reviewStatus").asText()).isEqualTo("RESOLVED");
        assertThat(n.get("resolvedBy").asText()).isEqualTo("ops.jdoe");
        assertThat(n.get("durationSeconds").asLong()).isEqualTo(7_155);
        assertThat(n.get("incidentId").asText()).isEqualTo(INCIDENT);
    }

    @Test
    void divergenceClosedWithoutAnyReading() {
        // Resolved before any reading was kept for the incident: the closing prices are unknown.
        OutputContract.assertValid(OutputJson.divergenceEvent(closed(OPENED_AT, null, null, null,
                divergence("57500.00", "61215.40").toPlainString(), PEAK_AT, "RESOLVED", "ops.jdoe", "opened in error")));
    }

    @Test
    void deadLetterOfAResolutionNamingNoOpenIncident() throws Exception {
        String payload = "{\"type\":\"DIVERGENCE_RESOLVED\",\"eventTime\":\"2024-03-01T14:00:00.000Z\",\"pair\":\"BTC-USD\","
                + "\"incidentId\":\"" + INCIDENT + "\",\"resolvedBy\":\"ops.jdoe\",\"reason\":\"already reconciled\"}";
        long t = T + 2 * HOUR;
        String json = OutputJson.deadLetter(DeadLetter.of(t, "risk-control", "risk-control/0@17", "UNKNOWN_INCIDENT",
                "no open incident " + INCIDENT + " on BTC-USD", payload));
        OutputContract.assertValid(json);
        assertThat(tree(json).get("reason").asText()).isEqualTo("UNKNOWN_INCIDENT");
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

    // ---------------------------------------------------------------- lifecycle events (risk.margin-calls)

    private static final String FACILITY = "F-1";
    private static final long HOUR = 3_600_000L;
    /** The standard policy's cure period. */
    private static final long CURE = 48 * HOUR;

    /**
     * A lifecycle event of facility F-1 (standard policy, 1.5 BTC against 76,500.00 USD), filled in
     * the way the lifecycle explains its decisions; each test changes what its type needs.
     */
    private static final class Lifecycle {
        String type;
        long t = T;
        BigDecimal collateral = new BigDecimal("1.50000000");
        long collateralVersion = 3;
        BigDecimal outstanding = new BigDecimal("76500.00");
        long debtVersion = 7;
        BigDecimal ltv;
        boolean ltvInfinite;
        String bandBefore;
        String bandAfter;
        BigDecimal ltvPrice;
        String evaluationId;
        boolean incidentOpen;
        BigDecimal triggerWarning = new BigDecimal("72857.14");
        BigDecimal triggerMarginCall = new BigDecimal("63750.00");
        BigDecimal triggerLiquidation = new BigDecimal("56666.66");
        BigDecimal collateralToCure;
        BigDecimal debtToCure;
        Long cureDeadline;
        String reason;
        String holdReason;
        String liquidationId;
        BigDecimal liquidateCollateral;
        BigDecimal shortfall;
        boolean priceDisputed;
        boolean appliedLate;
        long ingestedAt;

        Lifecycle(String type, String bandBefore, String bandAfter) {
            this.type = type;
            this.bandBefore = bandBefore;
            this.bandAfter = bandAfter;
        }

        /** Decided at the evaluation of {@code t} with LTV price {@code price} (null: that evaluation was unavailable). */
        Lifecycle at(long t, String price) {
            this.t = t;
            this.evaluationId = EventIds.evaluationId(PAIR, t);
            this.ltvPrice = dec(price);
            this.ltv = ltvPrice == null ? null
                    : outstanding.divide(collateral.multiply(ltvPrice), MathContext.DECIMAL64).setScale(6, RoundingMode.HALF_EVEN);
            return this;
        }

        Lifecycle toCure(String collateralToPost, String debtToRepay) {
            this.collateralToCure = dec(collateralToPost);
            this.debtToCure = dec(debtToRepay);
            return this;
        }

        Lifecycle liquidation(String reason, String liquidateCollateral) {
            this.reason = reason;
            this.liquidationId = EventIds.of("LIQUIDATION", FACILITY, t, reason + '|' + evaluationId + '|' + collateralVersion + '|' + debtVersion);
            this.liquidateCollateral = dec(liquidateCollateral);
            return this;
        }

        LifecycleEvent build() {
            String cause = (evaluationId == null ? "-" : evaluationId) + '|' + (liquidationId == null ? "" : liquidationId)
                    + '|' + collateralVersion + '|' + debtVersion;
            // As LifecycleExplainer addresses them: during a divergence incident the custodian is
            // told of every notice to the borrower.
            List<String> recipients = type.startsWith("LIQUIDATION_") ? List.of("borrower", "lender", "custodian")
                    : type.equals("INITIAL_MARGIN_BREACH") || type.equals("COLLATERAL_MISSING") ? List.of("lender")
                    : incidentOpen ? List.of("borrower", "lender", "custodian")
                    : List.of("borrower", "lender");
            return new LifecycleEvent(
                    EventIds.of(type, FACILITY, t, cause), type, t, FACILITY, "B-1", "bitgo", PAIR,
                    ltv, ltvInfinite, bandBefore, bandAfter,
                    "standard", new BigDecimal("0.60"), new BigDecimal("0.70"), new BigDecimal("0.80"), new BigDecimal("0.90"),
                    new BigDecimal("0.60"), new BigDecimal("0.01"), CURE,
                    collateral, collateralVersion, outstanding, debtVersion, ltvPrice, evaluationId, incidentOpen,
                    triggerWarning, triggerMarginCall, triggerLiquidation, collateralToCure, debtToCure, cureDeadline,
                    reason, holdReason, liquidationId, liquidateCollateral, shortfall, priceDisputed, appliedLate,
                    recipients, HASH, "1.4.0", ingestedAt);
        }

        String json() {
            return OutputJson.lifecycleEvent(build());
        }
    }

    private static Lifecycle marginCallIssued() {
        Lifecycle e = new Lifecycle("MARGIN_CALL_ISSUED", "WARNING", "MARGIN_CALL").at(T, "60000.00").toCure("0.11392406", "5400.01");
        e.cureDeadline = T + CURE;
        return e;
    }

    private static Lifecycle thresholdTrigger() {
        Lifecycle e = new Lifecycle("LIQUIDATION_TRIGGERED", "MARGIN_CALL", "LIQUIDATION").at(T + 6 * HOUR, "55000.00")
                .toCure("0.26064442", "11325.01").liquidation("THRESHOLD", "1.22727273");
        e.cureDeadline = T + CURE;
        return e;
    }

    private static Lifecycle heldForUnavailablePrice() {
        // The cure deadline passed while the pair was below quorum: held, at the unavailable evaluation.
        Lifecycle e = new Lifecycle("LIQUIDATION_HELD", "MARGIN_CALL", "MARGIN_CALL").at(T + CURE, null);
        e.reason = "CURE_EXPIRED";
        e.holdReason = "PRICE_UNAVAILABLE";
        return e;
    }

    @Test
    void initialMarginBreachAtAFirstEvaluation() throws Exception {
        String json = new Lifecycle("INITIAL_MARGIN_BREACH", "HEALTHY", "HEALTHY").at(T, "78000.00").json();
        OutputContract.assertValid(json);

        JsonNode n = tree(json);
        assertThat(n.get("ltv").asText()).isEqualTo("0.653846");
        assertThat(n.get("policy").get("curePeriodSeconds").asLong()).isEqualTo(172_800);
        assertThat(n.get("recipients").toString()).isEqualTo("[\"lender\"]");
        // The id rule docs/schemas/README.md publishes.
        String evaluationId = uuidOf("EVALUATION|BTC-USD|" + T + "|");
        assertThat(n.get("eventId").asText()).isEqualTo(uuidOf("INITIAL_MARGIN_BREACH|F-1|" + T + "|" + evaluationId + "||3|7"));
    }

    @Test
    void ltvWarningAppliedLate() {
        Lifecycle e = new Lifecycle("LTV_WARNING", "HEALTHY", "WARNING").at(T, "72000.00");
        e.appliedLate = true;
        OutputContract.assertValid(e.json());
    }

    @Test
    void marginCallIssuedWithItsDeadlineAndWhatItTakesToCure() throws Exception {
        String json = marginCallIssued().json();
        OutputContract.assertValid(json);
        JsonNode n = tree(json);
        assertThat(n.get("cureDeadline").asText()).isEqualTo("2024-03-03T12:00:00.000Z");
        assertThat(n.get("toCure").get("collateralToPost").asText()).isEqualTo("0.11392406");
    }

    @Test
    void marginCallIssuedDuringADivergenceIncident() throws Exception {
        String normal = marginCallIssued().json();
        OutputContract.assertValid(normal);
        assertThat(tree(normal).get("recipients").toString()).isEqualTo("[\"borrower\",\"lender\"]");

        Lifecycle e = marginCallIssued();
        e.incidentOpen = true;
        e.priceDisputed = true;
        String json = e.json();
        OutputContract.assertValid(json);
        assertThat(tree(json).get("recipients").toString()).isEqualTo("[\"borrower\",\"lender\",\"custodian\"]");
    }

    /** Spec rule 7: while an incident is open, every notice to the borrower goes to the custodian too; lender-only reviews do not. */
    @Test
    void borrowerNoticesDuringADivergenceIncidentAlsoGoToTheCustodian() throws Exception {
        List<Lifecycle> notices = List.of(
                new Lifecycle("LTV_WARNING", "HEALTHY", "WARNING").at(T, "72000.00"),
                new Lifecycle("MARGIN_CALL_CURED", "MARGIN_CALL", "WARNING").at(T + 20 * HOUR, "72000.00"),
                new Lifecycle("LTV_HEALTHY", "WARNING", "HEALTHY").at(T, "98000.00"));
        for (Lifecycle e : notices) {
            e.incidentOpen = true;
            String json = e.json();
            OutputContract.assertValid(json);
            assertThat(tree(json).get("recipients").toString()).as(e.type).isEqualTo("[\"borrower\",\"lender\",\"custodian\"]");
        }
        Lifecycle review = new Lifecycle("INITIAL_MARGIN_BREACH", "HEALTHY", "HEALTHY").at(T, "78000.00");
        review.incidentOpen = true;
        String json = review.json();
        OutputContract.assertValid(json);
        assertThat(tree(json).get("recipients").toString()).isEqualTo("[\"lender\"]");
    }

    @Test
    void marginCallCured() {
        OutputContract.assertValid(new Lifecycle("MARGIN_CALL_CURED", "MARGIN_CALL", "WARNING").at(T + 20 * HOUR, "72000.00").json());
    }

    @Test
    void ltvHealthy() {
        OutputContract.assertValid(new Lifecycle("LTV_HEALTHY", "WARNING", "HEALTHY").at(T, "98000.00").json());
    }

    @Test
    void liquidationTriggeredAtTheThreshold() throws Exception {
        String json = thresholdTrigger().json();
        OutputContract.assertValid(json);
        JsonNode n = tree(json);
        assertThat(n.get("liquidateCollateral").asText()).isEqualTo("1.22727273");
        assertThat(n.get("recipients").toString()).isEqualTo("[\"borrower\",\"lender\",\"custodian\"]");
    }

    @Test
    void liquidationTriggeredWhenTheCurePeriodExpired() {
        // At the deadline's instant, priced at the last evaluation before it; the record names the deadline that expired.
        Lifecycle e = new Lifecycle("LIQUIDATION_TRIGGERED", "MARGIN_CALL", "MARGIN_CALL").at(T + CURE - 60_000, "63000.00")
                .toCure("0.03707053", "1845.01");
        e.t = T + CURE;
        e.cureDeadline = T + CURE;
        e.liquidation("CURE_EXPIRED", "0.78571429");
        OutputContract.assertValid(e.json());
    }

    @Test
    void liquidationShortfall() throws Exception {
        Lifecycle e = new Lifecycle("LIQUIDATION_SHORTFALL", "MARGIN_CALL", "LIQUIDATION").at(T + 6 * HOUR, "50000.00")
                .toCure("0.43670887", "17250.01").liquidation("THRESHOLD", "1.50000000");
        e.shortfall = new BigDecimal("1500.00");
        String json = e.json();
        OutputContract.assertValid(json);
        assertThat(tree(json).get("shortfall").asText()).isEqualTo("1500.00");
    }

    @Test
    void liquidationUnconfirmed() {
        Lifecycle trigger = thresholdTrigger();
        // Taken by the confirmation timer, at the pair's last evaluation: the trigger's own.
        Lifecycle e = new Lifecycle("LIQUIDATION_UNCONFIRMED", "LIQUIDATION", "LIQUIDATION").at(trigger.t, "55000.00")
                .toCure("0.26064442", "11325.01");
        e.t = trigger.t + 30 * 60_000;
        e.liquidationId = trigger.liquidationId;
        e.cureDeadline = T + CURE;
        OutputContract.assertValid(e.json());
    }

    @Test
    void liquidationUnconfirmedWithoutAnyEvaluationOfThePair() {
        // A timer decision on a pair that has no evaluation left to cite: no price, no LTV, no evaluation id.
        Lifecycle e = new Lifecycle("LIQUIDATION_UNCONFIRMED", "LIQUIDATION", "LIQUIDATION");
        e.t = T + 30 * 60_000;
        e.liquidationId = thresholdTrigger().liquidationId;
        OutputContract.assertValid(e.json());
    }

    @Test
    void liquidationHeldForEachReason() {
        OutputContract.assertValid(heldForUnavailablePrice().json());

        Lifecycle divergence = new Lifecycle("LIQUIDATION_HELD", "MARGIN_CALL", "LIQUIDATION").at(T, "55000.00").toCure("0.26064442", "11325.01");
        divergence.reason = "THRESHOLD";
        divergence.holdReason = "DIVERGENCE_INCIDENT";
        divergence.incidentOpen = true;
        OutputContract.assertValid(divergence.json());

        Lifecycle breaker = new Lifecycle("LIQUIDATION_HELD", "WARNING", "LIQUIDATION").at(T, "55000.00").toCure("0.26064442", "11325.01");
        breaker.reason = "THRESHOLD";
        breaker.holdReason = "CIRCUIT_BREAKER";
        OutputContract.assertValid(breaker.json());
    }

    @Test
    void liquidationReleased() {
        // The price is back after the deadline and below the cure level: the expired call's liquidation is no longer due.
        Lifecycle e = new Lifecycle("LIQUIDATION_RELEASED", "MARGIN_CALL", "MARGIN_CALL").at(T + CURE + 7 * 60_000, "72000.00")
                .toCure("0.00000000", "0.00");
        e.reason = "CURE_EXPIRED";
        OutputContract.assertValid(e.json());
    }

    @Test
    void liquidationHoldEscalated() {
        Lifecycle e = heldForUnavailablePrice();
        e.type = "LIQUIDATION_HOLD_ESCALATED";
        e.t = T + CURE + 30 * 60_000;
        OutputContract.assertValid(e.json());
    }

    @Test
    void collateralMissingAtAFirstEvaluation() throws Exception {
        Lifecycle e = new Lifecycle("COLLATERAL_MISSING", null, null).at(T, "60000.00");
        e.collateral = new BigDecimal("0");
        e.ltv = null;
        e.ltvInfinite = true;
        e.triggerWarning = null;
        e.triggerMarginCall = null;
        e.triggerLiquidation = null;
        String json = e.json();
        OutputContract.assertValid(json);
        assertThat(json).contains("\"bandBefore\":null", "\"bandAfter\":null", "\"ltv\":null", "\"ltvInfinite\":true");
    }

    @Test
    void collateralMissingInMarginCallWithADeadlineRunning() {
        Lifecycle e = new Lifecycle("COLLATERAL_MISSING", "MARGIN_CALL", "MARGIN_CALL").at(T + HOUR, "60000.00")
                .toCure("1.61392406", "76500.00");
        e.collateral = new BigDecimal("0.00000000");
        e.collateralVersion = 4;
        e.ltv = null;
        e.ltvInfinite = true;
        e.triggerWarning = null;
        e.triggerMarginCall = null;
        e.triggerLiquidation = null;
        e.cureDeadline = T + CURE;
        OutputContract.assertValid(e.json());
    }

    // ---------------------------------------------------------------- LTV (risk.ltv)

    private static LtvUpdate ltvUpdate(String band, String ltv, String collateral, String outstanding, String perCollateral,
            String price, boolean priced, boolean infinite, boolean closed, String cause) {
        return new LtvUpdate(EventIds.of(LtvUpdate.TYPE, FACILITY, T, cause), T, FACILITY, PAIR, "standard", band, dec(ltv),
                infinite, dec(collateral), dec(outstanding), dec(perCollateral), dec(price),
                priced ? EventIds.evaluationId(PAIR, T) : null, closed, HASH);
    }

    @Test
    void ltvOnABandChange() throws Exception {
        String json = OutputJson.ltvUpdate(ltvUpdate("MARGIN_CALL", "0.850000", "1.50000000", "76500.00", "51000", "60000.00",
                true, false, false, "BAND|" + EventIds.evaluationId(PAIR, T)));
        OutputContract.assertValid(json);
        assertThat(tree(json).get("debtPerCollateral").asText()).isEqualTo("51000");
    }

    @Test
    void ltvBeforeThePairHasAPrice() {
        OutputContract.assertValid(OutputJson.ltvUpdate(
                ltvUpdate(null, null, "1.50000000", "76500.00", "51000", null, false, false, false, "DEBT|7")));
    }

    @Test
    void ltvAtAnUnavailableEvaluation() {
        OutputContract.assertValid(OutputJson.ltvUpdate(
                ltvUpdate("WARNING", null, "2.00000000", "100000.00", "50000", null, true, false, false, "COLLATERAL|4")));
    }

    @Test
    void ltvWithZeroCollateral() {
        OutputContract.assertValid(OutputJson.ltvUpdate(
                ltvUpdate(null, null, "0", "76500.00", null, "60000.00", true, true, false, "COLLATERAL|4")));
    }

    @Test
    void ltvTombstoneAsAReplayFileWritesIt() throws Exception {
        String json = OutputJson.ltvUpdate(ltvUpdate("HEALTHY", "0.000000", "1.50000000", "0.00", "0", "60000.00",
                true, false, true, "CLOSED"));
        OutputContract.assertValid(json);
        assertThat(tree(json).get("closed").asBoolean()).isTrue();
        // A facility closed before both amounts were reported.
        OutputContract.assertValid(OutputJson.ltvUpdate(ltvUpdate(null, null, null, null, null, null, false, false, true, "CLOSED")));
    }

    // ---------------------------------------------------------------- CEP flags (risk.margin-calls)

    /** One matched band change, as RiskFlagOutput writes it. */
    private static ObjectNode change(String from, String to, String eventType, long t) {
        ObjectNode c = MAPPER.createObjectNode();
        if (from == null) {
            c.putNull("from");
        } else {
            c.put("from", from);
        }
        return c.put("to", to)
                .put("eventType", eventType)
                .put("eventTime", Times.format(t))
                .put("cause", EventIds.of(eventType, FACILITY, t, EventIds.evaluationId(PAIR, t) + "||3|7"));
    }

    /** A flag line in RiskFlagOutput's field order. */
    private static String flag(String type, ObjectNode... changes) {
        ObjectNode last = changes[changes.length - 1];
        long t = Times.parseIso(last.get("eventTime").asText());
        List<String> causes = new ArrayList<>();
        for (ObjectNode c : changes) {
            causes.add(c.get("cause").asText());
        }
        ObjectNode n = MAPPER.createObjectNode();
        n.put("type", type);
        n.put("eventId", EventIds.of(type, FACILITY, t, String.join(",", causes)));
        n.put("eventTime", last.get("eventTime").asText());
        n.put("facilityId", FACILITY);
        n.put("borrowerId", "B-1");
        n.put("pair", PAIR);
        n.put("policy", "standard");
        n.putArray("changes").addAll(List.of(changes));
        n.putArray("recipients").add("lender");
        return n.toString();
    }

    @Test
    void rapidDeteriorationAfterAStart() {
        OutputContract.assertValid(flag("RAPID_DETERIORATION",
                change("HEALTHY", "WARNING", "LTV_WARNING", T),
                change("WARNING", "LIQUIDATION", "LIQUIDATION_TRIGGERED", T + 10 * 60_000)));
    }

    @Test
    void rapidDeteriorationInOneJump() {
        OutputContract.assertValid(flag("RAPID_DETERIORATION", change("HEALTHY", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T)));
    }

    @Test
    void repeatedMarginCalls() {
        OutputContract.assertValid(flag("REPEATED_MARGIN_CALLS",
                change("WARNING", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T),
                change("WARNING", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T + 50 * HOUR),
                change("HEALTHY", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T + 120 * HOUR)));
    }

    // ---------------------------------------------------------------- lifecycle, LTV and flag contract breaks

    /** Refused, with {@code mentioning} among the violations (not merely somewhere in the quoted line). */
    private static void assertRejected(ObjectNode n, String mentioning) {
        assertThatThrownBy(() -> OutputContract.assertValid(n.toString()))
                .isInstanceOf(AssertionError.class)
                .satisfies(e -> assertThat(e.getMessage().substring(0, e.getMessage().indexOf("\nline: "))).contains(mentioning));
    }

    @Test
    void checkerRejectsATriggerWithoutItsLiquidation() throws Exception {
        ObjectNode noId = tree(thresholdTrigger().json());
        noId.putNull("liquidationId");
        assertRejected(noId, "liquidationId");

        ObjectNode noSize = tree(thresholdTrigger().json());
        noSize.putNull("liquidateCollateral");
        assertRejected(noSize, "liquidateCollateral");

        ObjectNode noReason = tree(thresholdTrigger().json());
        noReason.putNull("reason");
        assertRejected(noReason, "reason");

        ObjectNode manual = tree(thresholdTrigger().json());
        manual.put("reason", "MANUAL");
        assertRejected(manual, "reason");

        ObjectNode duringIncident = tree(thresholdTrigger().json());
        duringIncident.put("incidentOpen", true);
        assertRejected(duringIncident, "incidentOpen");
    }

    @Test
    void checkerRejectsAnUnknownBand() throws Exception {
        ObjectNode n = tree(marginCallIssued().json());
        n.put("bandBefore", "CRITICAL");
        assertRejected(n, "bandBefore");

        ObjectNode ltv = tree(OutputJson.ltvUpdate(ltvUpdate("MARGIN_CALL", "0.850000", "1.50000000", "76500.00", "51000",
                "60000.00", true, false, false, "DEBT|8")));
        ltv.put("band", "margin_call");
        assertRejected(ltv, "band");

        ObjectNode flag = tree(flag("RAPID_DETERIORATION", change("HEALTHY", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T)));
        ((ObjectNode) flag.get("changes").get(0)).put("from", "GOOD");
        assertRejected(flag, "from");
    }

    @Test
    void checkerRejectsNumbersWhereDecimalStringsAreRequired() throws Exception {
        ObjectNode price = tree(marginCallIssued().json());
        price.put("ltvPrice", new BigDecimal("60000.00"));
        assertRejected(price, "ltvPrice");

        ObjectNode threshold = tree(marginCallIssued().json());
        ((ObjectNode) threshold.get("policy")).put("marginCall", 0.80);
        assertRejected(threshold, "marginCall");

        ObjectNode perCollateral = tree(OutputJson.ltvUpdate(ltvUpdate("MARGIN_CALL", "0.850000", "1.50000000", "76500.00",
                "51000", "60000.00", true, false, false, "DEBT|8")));
        perCollateral.put("debtPerCollateral", 51000);
        assertRejected(perCollateral, "debtPerCollateral");

        ObjectNode negative = tree(marginCallIssued().json());
        negative.put("collateral", "-1.50000000");
        assertRejected(negative, "collateral");
    }

    @Test
    void checkerRejectsOtherLifecycleContractBreaks() throws Exception {
        ObjectNode noDeadline = tree(marginCallIssued().json());
        noDeadline.putNull("cureDeadline");
        assertRejected(noDeadline, "cureDeadline");

        ObjectNode noHoldReason = tree(heldForUnavailablePrice().json());
        noHoldReason.putNull("holdReason");
        assertRejected(noHoldReason, "holdReason");

        ObjectNode unknownHold = tree(heldForUnavailablePrice().json());
        unknownHold.put("holdReason", "MAINTENANCE");
        assertRejected(unknownHold, "holdReason");

        ObjectNode custodianOnAWarning = tree(new Lifecycle("LTV_WARNING", "HEALTHY", "WARNING").at(T, "72000.00").json());
        custodianOnAWarning.putArray("recipients").add("borrower").add("lender").add("custodian");
        assertRejected(custodianOnAWarning, "recipients");

        ObjectNode disputedCure = tree(new Lifecycle("MARGIN_CALL_CURED", "MARGIN_CALL", "WARNING").at(T, "72000.00").json());
        disputedCure.put("priceDisputed", true);
        assertRejected(disputedCure, "MARGIN_CALL_ISSUED");

        ObjectNode infiniteWithValue = tree(marginCallIssued().json());
        infiniteWithValue.put("ltvInfinite", true);
        assertRejected(infiniteWithValue, "ltv");

        ObjectNode extraPolicyField = tree(marginCallIssued().json());
        ((ObjectNode) extraPolicyField.get("policy")).put("maxLtv", "0.95");
        assertRejected(extraPolicyField, "maxLtv");

        ObjectNode noCodeVersion = tree(marginCallIssued().json());
        noCodeVersion.remove("codeVersion");
        assertRejected(noCodeVersion, "codeVersion");

        ObjectNode badDeadline = tree(marginCallIssued().json());
        badDeadline.put("cureDeadline", "2024-03-03T12:00:00Z");
        assertRejected(badDeadline, "cureDeadline");
    }

    @Test
    void checkerRejectsOtherLtvAndFlagContractBreaks() throws Exception {
        ObjectNode openWithoutAmounts = tree(OutputJson.ltvUpdate(ltvUpdate(null, null, null, null, null, null, false, false, true, "CLOSED")));
        openWithoutAmounts.put("closed", false);
        assertRejected(openWithoutAmounts, "collateral");

        ObjectNode twoCalls = tree(flag("REPEATED_MARGIN_CALLS",
                change("WARNING", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T),
                change("WARNING", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T + 50 * HOUR)));
        assertRejected(twoCalls, "changes");

        ObjectNode noDeterioration = tree(flag("RAPID_DETERIORATION", change("MARGIN_CALL", "LIQUIDATION", "LIQUIDATION_TRIGGERED", T)));
        assertRejected(noDeterioration, "changes");

        ObjectNode toBorrower = tree(flag("RAPID_DETERIORATION", change("HEALTHY", "MARGIN_CALL", "MARGIN_CALL_ISSUED", T)));
        toBorrower.putArray("recipients").add("borrower").add("lender");
        assertRejected(toBorrower, "recipients");
    }

    @Test
    void checkerRejectsAMarginCallDuringAnIncidentWithoutTheCustodian() throws Exception {
        Lifecycle e = marginCallIssued();
        e.incidentOpen = true;
        e.priceDisputed = true;
        ObjectNode noCustodian = tree(e.json());
        noCustodian.putArray("recipients").add("borrower").add("lender");
        assertRejected(noCustodian, "recipients");

        ObjectNode custodianFirst = tree(e.json());
        custodianFirst.putArray("recipients").add("custodian").add("borrower").add("lender");
        assertRejected(custodianFirst, "recipients");

        ObjectNode custodianWithoutIncident = tree(marginCallIssued().json());
        custodianWithoutIncident.putArray("recipients").add("borrower").add("lender").add("custodian");
        assertRejected(custodianWithoutIncident, "recipients");

        Lifecycle healthy = new Lifecycle("LTV_HEALTHY", "WARNING", "HEALTHY").at(T, "98000.00");
        healthy.incidentOpen = true;
        ObjectNode healthyNoCustodian = tree(healthy.json());
        healthyNoCustodian.putArray("recipients").add("borrower").add("lender");
        assertRejected(healthyNoCustodian, "recipients");

        Lifecycle review = new Lifecycle("INITIAL_MARGIN_BREACH", "HEALTHY", "HEALTHY").at(T, "78000.00");
        review.incidentOpen = true;
        ObjectNode reviewToCustodian = tree(review.json());
        reviewToCustodian.putArray("recipients").add("lender").add("custodian");
        assertRejected(reviewToCustodian, "recipients");
    }

    @Test
    void checkerRejectsDivergenceContractBreaks() throws Exception {
        ObjectNode closedWithoutClosedBy = tree(OutputJson.divergenceEvent(reconciled()));
        closedWithoutClosedBy.remove("closedBy");
        assertRejected(closedWithoutClosedBy, "closedBy");

        ObjectNode closedWithNullClosedBy = tree(OutputJson.divergenceEvent(reconciled()));
        closedWithNullClosedBy.putNull("closedBy");
        assertRejected(closedWithNullClosedBy, "closedBy");

        ObjectNode openedWithAtClose = tree(OutputJson.divergenceEvent(opened()));
        openedWithAtClose.putObject("atClose").put("primary", "57900.00").put("twap", "61220.10").put("median", "61180.00");
        assertRejected(openedWithAtClose, "atClose");

        ObjectNode closedWithoutAtClose = tree(OutputJson.divergenceEvent(reconciled()));
        closedWithoutAtClose.remove("atClose");
        assertRejected(closedWithoutAtClose, "atClose");

        ObjectNode numberPeak = tree(OutputJson.divergenceEvent(opened()));
        numberPeak.put("peakDivergence", new BigDecimal("0.060694"));
        assertRejected(numberPeak, "peakDivergence");

        ObjectNode numberPrice = tree(OutputJson.divergenceEvent(reconciled()));
        ((ObjectNode) numberPrice.get("atClose")).put("primary", new BigDecimal("61190.00"));
        assertRejected(numberPrice, "primary");

        ObjectNode roughDivergence = tree(OutputJson.divergenceEvent(opened()));
        ((ObjectNode) roughDivergence.get("atOpen")).put("divergence", "0.0542");
        assertRejected(roughDivergence, "divergence");

        ObjectNode openedWithDuration = tree(OutputJson.divergenceEvent(opened()));
        openedWithDuration.put("durationSeconds", 0);
        assertRejected(openedWithDuration, "durationSeconds");

        ObjectNode openedReviewed = tree(OutputJson.divergenceEvent(opened()));
        openedReviewed.put("reviewStatus", "RESOLVED");
        assertRejected(openedReviewed, "reviewStatus");

        ObjectNode negativeDuration = tree(OutputJson.divergenceEvent(reconciled()));
        negativeDuration.put("durationSeconds", -1);
        assertRejected(negativeDuration, "durationSeconds");

        ObjectNode reconciledReviewed = tree(OutputJson.divergenceEvent(reconciled()));
        reconciledReviewed.put("reviewStatus", "RESOLVED");
        assertRejected(reconciledReviewed, "reviewStatus");

        ObjectNode reconciledByOperator = tree(OutputJson.divergenceEvent(reconciled()));
        reconciledByOperator.put("resolvedBy", "ops.jdoe");
        assertRejected(reconciledByOperator, "resolvedBy");

        ObjectNode resolvedAnonymously = tree(OutputJson.divergenceEvent(resolvedByAnOperator()));
        resolvedAnonymously.putNull("resolvedBy");
        assertRejected(resolvedAnonymously, "resolvedBy");

        ObjectNode resolvedStillPending = tree(OutputJson.divergenceEvent(resolvedByAnOperator()));
        resolvedStillPending.put("reviewStatus", "PENDING");
        assertRejected(resolvedStillPending, "reviewStatus");

        ObjectNode unknownClose = tree(OutputJson.divergenceEvent(reconciled()));
        unknownClose.put("closedBy", "TIMEOUT");
        assertRejected(unknownClose, "closedBy");

        ObjectNode toLenderOnly = tree(OutputJson.divergenceEvent(opened()));
        toLenderOnly.putArray("recipients").add("lender");
        assertRejected(toLenderOnly, "recipients");

        ObjectNode withFacility = tree(OutputJson.divergenceEvent(opened()));
        withFacility.put("facilityId", FACILITY);
        assertRejected(withFacility, "facilityId");
    }

    /** Each incident type has its own schema, and the shared incident shape resolves: a bare record is refused for what it lacks. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DIVERGENCE_OPENED", "DIVERGENCE_CLOSED"})
    void everyDivergenceTypeHasItsSchema(String type) {
        assertThatThrownBy(() -> OutputContract.assertValid("{\"type\":\"" + type + "\"}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("violates docs/schemas/" + type + ".schema.json")
                .hasMessageContaining("eventId")
                .hasMessageContaining("incidentId");
    }

    static Stream<String> newOutputTypes() {
        return Stream.of("INITIAL_MARGIN_BREACH", "LTV_WARNING", "MARGIN_CALL_ISSUED", "MARGIN_CALL_CURED", "LIQUIDATION_TRIGGERED",
                "LIQUIDATION_SHORTFALL", "LIQUIDATION_UNCONFIRMED", "LIQUIDATION_HELD", "LIQUIDATION_RELEASED",
                "LIQUIDATION_HOLD_ESCALATED", "COLLATERAL_MISSING", "LTV_HEALTHY", "LTV", "RAPID_DETERIORATION", "REPEATED_MARGIN_CALLS");
    }

    /** Each type has its own schema, and the shared shape it refers to resolves: a bare record is refused for what it lacks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("newOutputTypes")
    void everyNewTypeHasItsSchema(String type) {
        assertThatThrownBy(() -> OutputContract.assertValid("{\"type\":\"" + type + "\"}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("violates docs/schemas/" + type + ".schema.json")
                .hasMessageContaining("eventId")
                .hasMessageContaining("facilityId");
    }

    // ---------------------------------------------------------------- ops alerts

    private static final String OLD_HASH = "0".repeat(64);

    @Test
    void watermarkStalledAndResumedOnThePriceClock() throws Exception {
        long movedAt = T + 3_600_000;
        OpsAlert stalled = OpsAlert.stalled("prices", T, movedAt, movedAt + 300_000, 300_000, HASH);
        String json = OutputJson.opsAlert(stalled);
        OutputContract.assertValid(json);
        JsonNode n = tree(json);
        assertThat(n.get("clock").asText()).isEqualTo("2024-03-01T12:00:00.000Z");
        assertThat(n.get("watermarkLagAlertSeconds").asLong()).isEqualTo(300);
        assertThat(n.get("eventId").asText()).isEqualTo(uuidOf("WATERMARK_STALLED|prices|" + T + "|"));

        OpsAlert resumed = OpsAlert.resumed("prices", T + 60_000, T, movedAt, movedAt + 400_000, HASH);
        OutputContract.assertValid(OutputJson.opsAlert(resumed));
        assertThat(resumed.eventId()).isEqualTo(uuidOf("WATERMARK_RESUMED|prices|" + (T + 60_000) + "|" + T));
        OutputRecord record = OutputRecord.of(resumed);
        assertThat(record.topic()).isEqualTo("risk.ops-alerts");
        assertThat(record.key()).isEqualTo("prices");
    }

    @Test
    void aClockThatNeverStartedStallsAtTheWallTimeOfDetection() throws Exception {
        OpsAlert stalled = OpsAlert.stalled("prices", null, T, T + 300_000, 300_000, HASH);
        assertThat(stalled.eventTime()).isEqualTo(T + 300_000);
        String json = OutputJson.opsAlert(stalled);
        OutputContract.assertValid(json);
        assertThat(tree(json).get("clock").isNull()).isTrue();
        OutputContract.assertValid(OutputJson.opsAlert(OpsAlert.resumed("prices", T + 400_000, null, T, T + 400_000, HASH)));
    }

    @Test
    void configChangedAndStateWithoutConfig() throws Exception {
        OpsAlert changed = OpsAlert.configChanged("prices", "price-evaluation", T, OLD_HASH, HASH);
        String json = OutputJson.opsAlert(changed);
        OutputContract.assertValid(json);
        assertThat(tree(json).get("previousConfigHash").asText()).isEqualTo(OLD_HASH);
        assertThat(changed.eventId()).isEqualTo(uuidOf("CONFIG_CHANGED|prices|" + T + "|price-evaluation|" + OLD_HASH + "|" + HASH));

        OpsAlert held = OpsAlert.stateWithoutConfig("facility-events", "ltv-lifecycle", T, OpsAlert.POLICY, "bespoke", 12, HASH);
        json = OutputJson.opsAlert(held);
        OutputContract.assertValid(json);
        assertThat(tree(json).get("facilities").asLong()).isEqualTo(12);
        assertThat(tree(json).get("missing").asText()).isEqualTo("bespoke");

        ObjectNode unknownKind = tree(json);
        unknownKind.put("missingKind", "ASSET");
        assertRejected(unknownKind, "missingKind");
        ObjectNode withPair = tree(json);
        withPair.put("pair", PAIR);
        assertRejected(withPair, "pair");
    }

    // ---------------------------------------------------------------- the tick's read time is metadata

    /** A wall-clock read time: it must not reach any output, or replays would differ from run to run. */
    private static final long READ_AT = 1_767_225_600_123L;

    @Test
    void aTicksReadTimeChangesNoOutputRecordAndNoId() {
        ReferencePrice r = reference(T, PriceStatus.OK, "61234.56", "61234.56", "61220.10", "61240.00", false, List.of(), List.of());
        ReferencePrice readR = new ReferencePrice(r.eventId(), r.evaluationId(), r.eventTime(), r.pair(), r.status(), r.price(), r.median(),
                r.twap(), r.primary(), r.incidentOpen(), r.used(), r.excluded(), r.configHash(), READ_AT);
        assertThat(OutputJson.referencePrice(readR)).isEqualTo(OutputJson.referencePrice(r));
        assertThat(OutputJson.referencePrice(readR.withFeedHealth(true, null)))
                .isEqualTo(OutputJson.referencePrice(r.withFeedHealth(true, null)));

        PriceAlert a = PriceAlert.of(PriceAlert.UNAVAILABLE, r.evaluationId(), T, PAIR, 1, 2, null, T, HASH);
        assertThat(OutputJson.priceAlert(a.withIngestedAt(READ_AT))).isEqualTo(OutputJson.priceAlert(a));

        Lifecycle read = marginCallIssued();
        read.ingestedAt = READ_AT;
        assertThat(read.json()).isEqualTo(marginCallIssued().json());

        assertThat(OutputJson.divergenceEvent(opened(READ_AT))).isEqualTo(OutputJson.divergenceEvent(opened()));

        PriceTick tick = new PriceTick(T, PAIR, "coinbase", SourceKind.EXCHANGE, new BigDecimal("61234.56"), null, null);
        assertThat(InputJson.priceTick(tick.withIngestedAt(READ_AT))).isEqualTo(InputJson.priceTick(tick));
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
