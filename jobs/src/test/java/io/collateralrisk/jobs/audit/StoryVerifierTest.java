package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.divergence.DivergenceMath;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LifecycleExplainer;
import io.collateralrisk.ltv.lifecycle.LifecycleRules;
import io.collateralrisk.ltv.liquidation.BreakerHold;
import io.collateralrisk.ltv.liquidation.CircuitBreakerRules;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.ltv.lifecycle.PriceView;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.ltv.price.Evaluation;
import io.collateralrisk.ltv.price.PriceEvaluator;
import io.collateralrisk.ltv.price.SourceQuote;
import io.collateralrisk.ltv.price.TwapPoint;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.model.json.OutputJson;
import io.collateralrisk.sinks.audit.AuditRowConverter;
import io.collateralrisk.sinks.audit.AuditTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decisions the real-data replay does not reach (circuit-breaker holds and their release, a
 * release after a divergence incident, missing collateral), made by the product's own {@link
 * LifecycleRules} and {@link CircuitBreakerRules} and written as the job writes them, into
 * in-memory audit tables: each verifies, and each loses its footing when the row it rests on is
 * changed.
 *
 * <pre>
 *  t0  facilities opened, amounts version 1
 *  t1  evaluation at 20001.00 while an incident is open (conservative price)
 *        F-HELD   D 19000 / C 1: INITIAL_MARGIN_BREACH, LIQUIDATION_HELD (DIVERGENCE_INCIDENT)
 *        F-EMPTY  D 100 / C 0:   COLLATERAL_MISSING
 *  t2  incident closed; evaluation at 23001.00
 *        F-HELD   LTV 0.826: LIQUIDATION_RELEASED into MARGIN_CALL, MARGIN_CALL_ISSUED
 *        F-G      D 21000 / C 1: LIQUIDATION_TRIGGERED, the pair's one liquidation (maxLiquidations 1)
 *        F-H      D 21000 / C 1: LIQUIDATION_HELD (CIRCUIT_BREAKER), after F-G in facilityId order
 *        F-I      D 21700 / C 1: LIQUIDATION_HELD (CIRCUIT_BREAKER)
 *  t3  evaluation at 24001.00
 *  t4  HOLDS_RELEASED: re-tested at 24001.00
 *        F-H      LTV 0.875: LIQUIDATION_RELEASED (band kept)
 *        F-I      LTV 0.904: LIQUIDATION_TRIGGERED under its held trigger's id, uncounted
 * </pre>
 */
class StoryVerifierTest {

    private static final String PAIR = "BTC-USD";
    private static final long T0 = Instant.parse("2023-03-10T00:00:00Z").toEpochMilli();
    private static final long T1 = T0 + 60_000;
    private static final long T2 = T1 + 60_000;
    private static final long T3 = T2 + 60_000;
    private static final long T4 = T3 + 60_000;

    private final RiskConfig config = ConfigLoader.parse("lifecycle: {circuitBreaker: {maxLiquidations: 1}}");
    private final PolicyConfig standard = config.policies().get("standard");
    private final Map<String, List<Record>> tables = new HashMap<>();
    private final List<TwapPoint> twapHistory = new ArrayList<>();
    private final String breakerHeld = "F-H";
    private final CircuitBreakerRules breaker = new CircuitBreakerRules(config, "test");
    private final List<Long> window = new ArrayList<>();
    private final Map<String, BreakerHold> holds = new java.util.TreeMap<>();

    @BeforeEach
    void decide() {
        Record configRow = GenericRecord.create(AuditTables.byName(AuditTables.CONFIG_VERSIONS).schema());
        configRow.setField("config_hash", config.configHash());
        configRow.setField("content", config.canonicalContent());
        configRow.setField("first_used", OffsetDateTime.ofInstant(Instant.ofEpochMilli(T0), ZoneOffset.UTC));
        configRow.setField("code_version", "test");
        tables.computeIfAbsent(AuditTables.CONFIG_VERSIONS, t -> new ArrayList<>()).add(configRow);

        ReferencePrice atT1 = evaluate(T1, "20000.00", "20002.00");
        atT1 = atT1.withFeedHealth(true, DivergenceMath.conservative(atT1));
        ReferencePrice atT2 = evaluate(T2, "23000.00", "23002.00");
        ReferencePrice atT3 = evaluate(T3, "24000.00", "24002.00");
        add(AuditTables.REFERENCE_PRICES, OutputJson.referencePrice(atT1));
        add(AuditTables.REFERENCE_PRICES, OutputJson.referencePrice(atT2));
        add(AuditTables.REFERENCE_PRICES, OutputJson.referencePrice(atT3));
        String incident = EventIds.of("INCIDENT", PAIR, T1, "");
        add(AuditTables.DIVERGENCE_INCIDENTS, "{\"type\":\"DIVERGENCE_OPENED\",\"eventId\":\"" + EventIds.of("DIVERGENCE_OPENED", PAIR, T1, incident)
                + "\",\"eventTime\":\"" + Times.format(T1) + "\",\"pair\":\"BTC-USD\",\"incidentId\":\"" + incident + "\",\"openedAt\":\""
                + Times.format(T1) + "\",\"threshold\":\"0.05\",\"configHash\":\"" + config.configHash() + "\"}");
        add(AuditTables.DIVERGENCE_INCIDENTS, "{\"type\":\"DIVERGENCE_CLOSED\",\"eventId\":\"" + EventIds.of("DIVERGENCE_CLOSED", PAIR, T2, incident)
                + "\",\"eventTime\":\"" + Times.format(T2) + "\",\"pair\":\"BTC-USD\",\"incidentId\":\"" + incident + "\",\"openedAt\":\""
                + Times.format(T1) + "\",\"threshold\":\"0.05\",\"closedBy\":\"RECONCILED\",\"configHash\":\"" + config.configHash() + "\"}");

        PriceView p1 = new PriceView(T1, atT1.evaluationId(), atT1.price(), true, true);
        PriceView p2 = new PriceView(T2, atT2.evaluationId(), atT2.price(), true, false);
        FacilityState held = open("F-HELD", "1.00000000", "19000.00");
        FacilityState empty = open("F-EMPTY", "0.00000000", "100.00");
        FacilityState triggered = open("F-G", "1.00000000", "21000.00");
        FacilityState released = open(breakerHeld, "1.00000000", "21000.00");
        FacilityState retriggered = open("F-I", "1.00000000", "21700.00");
        decide(held, p1);
        decide(empty, p1);
        decide(held, p2);
        decide(triggered, p2);
        decide(released, p2);
        decide(retriggered, p2);

        PriceView p3 = new PriceView(T3, atT3.evaluationId(), atT3.price(), true, false);
        add(AuditTables.FACILITY_EVENTS, release(T4));
        for (BreakerHold h : holds.values()) {
            for (LifecycleEvent e : breaker.release(h, p3, T4, false, window)) {
                add(AuditTables.MARGIN_CALL_EVENTS, OutputJson.lifecycleEvent(e));
            }
        }
    }

    /** An operator's release as the audit records it: with the facility events, under the pair. */
    private static String release(long t) {
        String received = "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":\"" + Times.format(t)
                + "\",\"pair\":\"BTC-USD\",\"releasedBy\":\"ops@lender\",\"reason\":\"crash reviewed\"}";
        return AuditRecords.of(new HoldsReleased(t, PAIR, "ops@lender", "crash reviewed"), "risk-control.jsonl:1", received).json();
    }

    /** One evaluation of two exchanges by the product's evaluator, with its TWAP history, as the job makes it. */
    private ReferencePrice evaluate(long t, String coinbase, String kraken) {
        List<SourceQuote> quotes = List.of(
                new SourceQuote("coinbase", SourceKind.EXCHANGE, new BigDecimal(coinbase), t, null),
                new SourceQuote("kraken", SourceKind.EXCHANGE, new BigDecimal(kraken), t, null));
        for (SourceQuote q : quotes) {
            add(AuditTables.PRICE_TICKS, "{\"type\":\"PRICE_TICK\",\"eventId\":\"" + EventIds.of("PRICE_TICK", PAIR, t, q.source())
                    + "\",\"eventTime\":\"" + Times.format(t) + "\",\"pair\":\"BTC-USD\",\"source\":\"" + q.source()
                    + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + q.price().toPlainString() + "\"}");
        }
        Evaluation e = new PriceEvaluator(config.pair(PAIR)).evaluate(t, quotes, List.copyOf(twapHistory));
        twapHistory.add(new TwapPoint(t, e.exchangeMedian()));
        String evaluationId = EventIds.evaluationId(PAIR, t);
        return new ReferencePrice(EventIds.of(ReferencePrice.TYPE, PAIR, t, evaluationId), evaluationId, t, PAIR, e.status(),
                e.median(), e.median(), e.twap(), e.primary(), false, e.used(), e.excluded(), config.configHash());
    }

    private FacilityState open(String id, String collateral, String debt) {
        String at = Times.format(T0);
        add(AuditTables.FACILITY_EVENTS, input(id, "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"" + at + "\",\"facilityId\":\"" + id
                + "\",\"borrowerId\":\"B-" + id + "\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}", 1));
        add(AuditTables.FACILITY_EVENTS, input(id, "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"" + at + "\",\"facilityId\":\"" + id
                + "\",\"collateral\":\"" + collateral + "\",\"version\":1}", 2));
        add(AuditTables.FACILITY_EVENTS, input(id, "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"" + at + "\",\"facilityId\":\"" + id
                + "\",\"outstanding\":\"" + debt + "\",\"version\":1}", 3));
        FacilityState s = new FacilityState();
        s.facilityId = id;
        s.borrowerId = "B-" + id;
        s.custodian = "bitgo";
        s.pair = PAIR;
        s.policy = "standard";
        s.collateral = new BigDecimal(collateral);
        s.collateralVersion = 1;
        s.outstanding = new BigDecimal(debt);
        s.debtVersion = 1;
        return s;
    }

    /** A facility event as the audit records it: what was received, with its outcome. */
    private static String input(String id, String received, int line) {
        try {
            ObjectNode n = (ObjectNode) Json.outputReader().readTree(received);
            n.put("eventId", EventIds.of("FACILITY_EVENT", id, T0, "facility-events.jsonl:" + id + line));
            n.put("outcome", "APPLIED");
            n.put("appliedLate", false);
            n.put("location", "facility-events.jsonl:" + line);
            n.put("record", received);
            return Json.outputReader().writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The LTV stage's decisions, then the pair-wide breaker's (facilities are decided here in facilityId order). */
    private void decide(FacilityState s, PriceView p) {
        LifecycleRules rules = new LifecycleRules(standard, config.lifecycle(), 8, 2);
        LifecycleExplainer explainer = new LifecycleExplainer(config.configHash(), "test");
        for (Decision d : rules.onEvaluation(s, p)) {
            LifecycleEvent e = explainer.explain(d, s, "standard", standard, 8, 2, 8, p, false);
            if (CircuitBreakerRules.superseded(holds.get(s.facilityId), e)) {
                continue;
            }
            if (Decision.LIQUIDATION_TRIGGERED.equals(e.type()) && !breaker.admit(window, e.eventTime())) {
                CircuitBreakerRules.Refused refused = breaker.refuse(e);
                holds.put(s.facilityId, refused.hold());
                e = refused.held();
            }
            add(AuditTables.MARGIN_CALL_EVENTS, OutputJson.lifecycleEvent(e));
        }
    }

    /** A row of an audit table from its record, each typed column read from the record as the job's sink does. */
    private void add(String table, String json) {
        Schema schema = AuditTables.byName(table).schema();
        JsonNode n;
        try {
            n = Json.outputReader().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GenericRecord row = GenericRecord.create(schema);
        for (Types.NestedField f : schema.columns()) {
            JsonNode v = n.get(AuditRowConverter.camel(f.name()));
            Object value;
            if (f.name().equals("record")) {
                value = n.hasNonNull("record") && AuditTables.FACILITY_EVENTS.equals(table) ? n.get("record").asText() : json;
            } else if (f.type().typeId() == org.apache.iceberg.types.Type.TypeID.LIST) {
                value = List.of();
            } else if (v == null || v.isNull()) {
                value = null;
            } else {
                value = switch (f.type().typeId()) {
                    case DECIMAL -> new BigDecimal(v.asText());
                    case TIMESTAMP -> OffsetDateTime.ofInstant(Instant.ofEpochMilli(Times.parseIso(v.asText())), ZoneOffset.UTC);
                    case LONG -> v.asLong();
                    case BOOLEAN -> v.asBoolean();
                    default -> AuditRowConverter.text(v);
                };
            }
            row.setField(f.name(), value);
        }
        tables.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
    }


    /** The in-memory tables, answering filters as a scan would. */
    private Explainer explainer() {
        return new Explainer((table, filter) -> {
            Schema schema = AuditTables.byName(table).schema();
            Evaluator evaluator = new Evaluator(schema.asStruct(), filter);
            InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
            return tables.getOrDefault(table, List.of()).stream().filter(r -> evaluator.eval(wrapper.wrap(r))).toList();
        });
    }

    private Record event(String facility, String type, String holdReason) {
        return tables.get(AuditTables.MARGIN_CALL_EVENTS).stream()
                .filter(r -> facility.equals(r.getField("facility_id")) && type.equals(r.getField("type"))
                        && (holdReason == null || holdReason.equals(r.getField("hold_reason"))))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type + " of " + facility));
    }

    private StoryVerifier.Verification verify(Record event) {
        return StoryVerifier.verify(explainer().story((String) event.getField("event_id")));
    }

    @Test
    void decisionsTheReplayDoesNotReachVerify() {
        List<String> seen = new ArrayList<>();
        for (Record r : tables.get(AuditTables.MARGIN_CALL_EVENTS)) {
            StoryVerifier.Verification v = verify(r);
            assertThat(v.passed()).as(v.summary() + "\n" + StoryPrinter.render(v)).isTrue();
            seen.add(r.getField("facility_id") + " " + r.getField("type") + (r.getField("hold_reason") == null ? "" : " " + r.getField("hold_reason")));
        }
        assertThat(seen).containsExactlyInAnyOrder(
                "F-HELD INITIAL_MARGIN_BREACH", "F-HELD LIQUIDATION_HELD DIVERGENCE_INCIDENT", "F-EMPTY COLLATERAL_MISSING",
                "F-HELD LIQUIDATION_RELEASED", "F-HELD MARGIN_CALL_ISSUED", "F-G INITIAL_MARGIN_BREACH", "F-G LIQUIDATION_TRIGGERED",
                "F-H INITIAL_MARGIN_BREACH", "F-H LIQUIDATION_HELD CIRCUIT_BREAKER", "F-H LIQUIDATION_RELEASED",
                "F-I INITIAL_MARGIN_BREACH", "F-I LIQUIDATION_HELD CIRCUIT_BREAKER", "F-I LIQUIDATION_TRIGGERED");
        String story = StoryPrinter.render(explainer().story((String) event(breakerHeld, "LIQUIDATION_HELD", null).getField("event_id")));
        assertThat(story).contains("CIRCUIT_BREAKER, circuitBreaker.maxLiquidations was reached on the pair (1 triggers of the pair counted");
        String released = StoryPrinter.render(explainer().story((String) event("F-I", "LIQUIDATION_TRIGGERED", null).getField("event_id")));
        assertThat(released).contains("HOLDS_RELEASED at " + Times.format(T4) + " by ops@lender (crash reviewed)");
    }

    @Test
    void aBreakerHoldRestsOnThePairsCountWhateverTheShard() {
        assertThat(LtvStage.shardOf(PAIR, "F-G")).as("counted across shards").isNotEqualTo(LtvStage.shardOf(PAIR, "F-I"));
        Record held = event("F-I", "LIQUIDATION_HELD", "CIRCUIT_BREAKER");
        tables.get(AuditTables.MARGIN_CALL_EVENTS).remove(event("F-G", "LIQUIDATION_TRIGGERED", null));
        StoryVerifier.Verification v = verify(held);
        assertThat(v.differences()).extracting(StoryVerifier.Check::field).containsExactly("holdReason");
    }

    @Test
    void aFreshTriggerRestsOnTheBreakerHavingRoom() {
        // Had F-A triggered just before, F-G's trigger would have been one too many.
        FacilityState a = open("F-A", "1.00000000", "21000.00");
        PriceView early = new PriceView(T2 - 1000, EventIds.evaluationId(PAIR, T2), new BigDecimal("23001.00"), true, false);
        for (Decision d : new LifecycleRules(standard, config.lifecycle(), 8, 2).onEvaluation(a, early)) {
            add(AuditTables.MARGIN_CALL_EVENTS, OutputJson.lifecycleEvent(
                    new LifecycleExplainer(config.configHash(), "test").explain(d, a, "standard", standard, 8, 2, 8, early, false)));
        }
        StoryVerifier.Verification v = verify(event("F-G", "LIQUIDATION_TRIGGERED", null));
        assertThat(v.differences()).extracting(StoryVerifier.Check::field).contains("type");
    }

    @Test
    void aReleasedHoldsReTestRestsOnTheOperatorsRelease() {
        Record released = event("F-H", "LIQUIDATION_RELEASED", null);
        Record retriggered = event("F-I", "LIQUIDATION_TRIGGERED", null);
        assertThat(verify(released).passed()).isTrue();
        assertThat(retriggered.getField("liquidation_id")).isEqualTo(
                EventIds.of("LIQUIDATION", "F-I", T2, "THRESHOLD|" + EventIds.evaluationId(PAIR, T2) + "|1|1"));
        tables.get(AuditTables.FACILITY_EVENTS).removeIf(r -> "HOLDS_RELEASED".equals(r.getField("type")));
        assertThat(verify(released).differences()).extracting(StoryVerifier.Check::field).containsExactly("reason");
        assertThat(verify(retriggered).differences()).extracting(StoryVerifier.Check::field).containsExactly("eventTime");
    }

    @Test
    void aReleaseRestsOnTheIncidentHavingClosed() {
        Record released = event("F-HELD", "LIQUIDATION_RELEASED", null);
        tables.get(AuditTables.DIVERGENCE_INCIDENTS).removeIf(r -> "DIVERGENCE_CLOSED".equals(r.getField("type")));
        StoryVerifier.Verification v = verify(released);
        assertThat(v.differences()).extracting(StoryVerifier.Check::field).containsExactly("reference.incidentOpen");
    }

    @Test
    void thePolicyInForceIsTheRecordedConfigurations() {
        // The configuration content no longer says what the event's hash was taken of.
        Record row = tables.get(AuditTables.CONFIG_VERSIONS).get(0);
        row.setField("content", RiskConfig.defaults().canonicalContent());
        StoryVerifier.Verification v = verify(event("F-EMPTY", "COLLATERAL_MISSING", null));
        assertThat(v.differences()).extracting(StoryVerifier.Check::field).contains("configHash");
    }
}
