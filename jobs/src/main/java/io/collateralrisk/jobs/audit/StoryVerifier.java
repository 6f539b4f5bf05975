package io.collateralrisk.jobs.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.divergence.DivergenceMath;
import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.BandChangePatterns;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.LifecycleExplainer;
import io.collateralrisk.ltv.lifecycle.LiquidationSizer;
import io.collateralrisk.ltv.lifecycle.LtvMath;
import io.collateralrisk.ltv.lifecycle.RiskFlag;
import io.collateralrisk.ltv.price.Evaluation;
import io.collateralrisk.ltv.price.Median;
import io.collateralrisk.ltv.price.PriceEvaluator;
import io.collateralrisk.ltv.price.SourceQuote;
import io.collateralrisk.ltv.price.TwapPoint;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.audit.AuditRowConverter;
import io.collateralrisk.sinks.audit.AuditTables;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Recomputes a decision from the inputs its story found in the audit tables, with the product's
 * own rules ({@link LtvMath}, {@link LiquidationSizer}, {@link PriceEvaluator}, {@link
 * DivergenceMath}, {@link LifecycleExplainer#recipients}), and compares field by field.
 *
 * <p>Inputs: the amounts and versions the event names, each matched against its {@code
 * facility_events} row; the LTV price from the {@code reference_prices} row of the event's
 * evaluation, itself re-evaluated from the sources it lists and the ticks in {@code price_ticks};
 * the policy from the {@code config_versions} content of the event's {@code configHash}, which
 * must hash to it. What each type determines:
 *
 * <pre>
 * every lifecycle event   eventId, ltv, ltvInfinite, triggerPrices, toCure, recipients, priceDisputed,
 *                         the policy's thresholds, the facility's opening, the amounts' rows
 * band moves              bandAfter = LtvMath.band(D, C, P, policy, bandBefore), and the band the type enters
 * INITIAL_MARGIN_BREACH   D &gt;= initialMargin x C x P
 * MARGIN_CALL_ISSUED      cureDeadline = eventTime + curePeriod
 * MARGIN_CALL_CURED       D &lt; (marginCall - hysteresis) x C x P, at or before the call's deadline
 * LIQUIDATION_TRIGGERED   liquidationId, liquidateCollateral (LiquidationSizer), why it came due (below), and
 *                         that the pair-wide breaker had counted fewer than maxLiquidations (a re-test of a
 *                         held liquidation: the held trigger's id, uncounted)
 * LIQUIDATION_SHORTFALL   the same, and shortfall
 * LIQUIDATION_HELD        holdReason (unavailable price, open incident, or the pair-wide breaker count); after
 *                         HOLDS_RELEASED, the release at that instant
 * LIQUIDATION_RELEASED    the hold it ends (a breaker hold: by HOLDS_RELEASED), and that the level is no longer reached
 * LIQUIDATION_UNCONFIRMED the trigger it follows, confirmTimeout later, with no answer in facility_events
 * LIQUIDATION_HOLD_ESCALATED the hold it follows, holdEscalateAfter later, neither released nor triggered since
 * COLLATERAL_MISSING      C = 0 with D &gt; 0
 * THRESHOLD / CURE_EXPIRED D &gt;= liquidation x C x P / D &gt;= cure level x C x P at the deadline (or a re-test)
 * RAPID_DETERIORATION, REPEATED_MARGIN_CALLS: the matched events exist as stated and fit the pattern
 * </pre>
 *
 * The circuit breaker's count is taken from the pair's triggers in {@code margin_call_events}
 * ({@link BreakerAudit}); the TWAP from the pair's earlier evaluations.
 */
public final class StoryVerifier {

    /**
     * One comparison.
     *
     * @param field the event's field (a JSON path such as {@code triggerPrices.warning}, or
     *     {@code reference.median} for the evaluation's, {@code column ltv} for a typed column)
     * @param recorded what the tables say
     * @param recomputed what the rules give, or what was expected
     * @param basis how it was recomputed
     */
    public record Check(String field, boolean ok, String recorded, String recomputed, String basis) {}

    /** Every check of one event; it passes when none differs. */
    public record Verification(String eventId, String type, List<Check> checks) {

        public List<Check> differences() {
            return checks.stream().filter(c -> !c.ok()).toList();
        }

        public boolean passed() {
            return differences().isEmpty();
        }

        /** One line naming each differing field. */
        public String summary() {
            if (passed()) {
                return type + " " + eventId + ": " + checks.size() + " checks, no difference";
            }
            return type + " " + eventId + " differs in " + differences().stream()
                    .map(c -> c.field() + " (recorded " + c.recorded() + ", recomputed " + c.recomputed() + ")")
                    .collect(Collectors.joining("; "));
        }
    }

    /** The liquidation fields: each type sets some of them, the others must be null. */
    private static final List<String> LIQUIDATION_FIELDS = List.of("reason", "holdReason", "liquidationId", "liquidateCollateral", "shortfall");
    private static final Set<String> AMOUNT_FIELDS = Set.of("liquidateCollateral", "shortfall");

    private final EventStory s;
    private final AuditRow e;
    private final List<Check> checks = new ArrayList<>();

    private StoryVerifier(EventStory story) {
        this.s = story;
        this.e = story.event();
    }

    public static Verification verify(EventStory story) {
        StoryVerifier v = new StoryVerifier(story);
        try {
            v.run();
        } catch (RuntimeException malformed) {
            // A row that cannot be read as the product writes it is a difference in itself.
            v.holds("record", false, String.valueOf(malformed.getMessage()), "rows as the product writes them",
                    malformed.getClass().getSimpleName() + " while recomputing");
        }
        return new Verification(story.event().eventId(), story.event().type(), List.copyOf(v.checks));
    }

    private void run() {
        holds("eventId", s.sameId() == 1, s.sameId() + " rows", "1 row", "an event id names one row of margin_call_events");
        columnsAgree(e);
        if (s.isFlag()) {
            verifyFlag();
        } else {
            verifyLifecycle();
        }
    }

    // ---------------------------------------------------------------- lifecycle events

    /** The fields every lifecycle event has, readable as what they are; false after naming those that are not. */
    private boolean wellFormed() {
        int before = checks.size();
        for (String f : List.of("type", "eventTime", "facilityId", "pair", "collateral", "collateralVersion", "outstanding", "debtVersion",
                "policy.name", "configHash")) {
            if (e.node(f) == null) {
                holds(f, false, "missing", "a value", "docs/schemas/lifecycle-event.schema.json");
            }
        }
        for (String f : List.of("collateral", "outstanding", "ltv", "ltvPrice", "triggerPrices.warning", "triggerPrices.marginCall",
                "triggerPrices.liquidation", "toCure.collateralToPost", "toCure.debtToRepay", "liquidateCollateral", "shortfall",
                "policy.initialMargin", "policy.warning", "policy.marginCall", "policy.liquidation", "policy.liquidationTarget",
                "policy.hysteresis")) {
            try {
                e.decimal(f);
            } catch (NumberFormatException notDecimal) {
                holds(f, false, e.text(f), "a decimal", "docs/schemas/lifecycle-event.schema.json");
            }
        }
        for (String f : List.of("eventTime", "cureDeadline")) {
            try {
                e.time(f);
            } catch (DateTimeException notTime) {
                holds(f, false, e.text(f), "an ISO-8601 time", "docs/schemas/lifecycle-event.schema.json");
            }
        }
        for (String f : List.of("bandBefore", "bandAfter")) {
            try {
                band(e.text(f));
            } catch (IllegalArgumentException notBand) {
                holds(f, false, e.text(f), "a band", "docs/schemas/lifecycle-event.schema.json");
            }
        }
        return checks.size() == before;
    }

    private void verifyLifecycle() {
        if (!wellFormed()) {
            return;
        }
        String type = e.type();
        long t = e.time("eventTime");
        String facility = e.text("facilityId");
        BigDecimal d = e.decimal("outstanding");
        BigDecimal c = e.decimal("collateral");
        BigDecimal p = e.decimal("ltvPrice");
        long cv = e.longValue("collateralVersion");
        long dv = e.longValue("debtVersion");
        String evaluationId = e.text("evaluationId");
        String liquidationId = e.text("liquidationId");

        String cause = (evaluationId == null ? "-" : evaluationId) + '|' + (liquidationId == null ? "" : liquidationId) + '|' + cv + '|' + dv;
        same("eventId", e.eventId(), EventIds.of(type, facility, t, cause),
                "name-based UUID of type|facilityId|eventTime|evaluationId|liquidationId|collateralVersion|debtVersion");

        verifyFacility(t, c, cv, d, dv);

        PolicyConfig policy = verifyConfiguration();
        if (policy == null) {
            return; // without the policy in force nothing more can be recomputed
        }
        PairConfig pair = s.config().pair(e.text("pair"));
        if (pair == null) {
            holds("pair", false, e.text("pair"), "a pair of the configuration", "config_versions content");
            return;
        }
        int baseScale = s.config().scale(pair.base());
        int quoteScale = s.config().scale(pair.quote());

        boolean usable = verifyPrice(t, p);

        // The LTV and what the event states at it.
        boolean infinite = c.signum() == 0 && d.signum() > 0;
        same("ltvInfinite", e.flag("ltvInfinite"), infinite, "collateral 0 with outstanding debt");
        BigDecimal ltv = p == null || infinite ? null : d.signum() == 0 ? BigDecimal.ZERO.setScale(LtvMath.LTV_SCALE) : LtvMath.ltv(d, c, p);
        same("ltv", e.decimal("ltv"), ltv, "LtvMath.ltv: outstanding / (collateral x ltvPrice), 6 places half-even");
        same("triggerPrices.warning", e.decimal("triggerPrices.warning"), LtvMath.triggerPrice(d, c, policy.warning(), pair.priceScale()),
                "LtvMath.triggerPrice: outstanding / (collateral x warning), rounded down to the pair's priceScale");
        same("triggerPrices.marginCall", e.decimal("triggerPrices.marginCall"), LtvMath.triggerPrice(d, c, policy.marginCall(), pair.priceScale()),
                "LtvMath.triggerPrice: outstanding / (collateral x marginCall), rounded down to the pair's priceScale");
        same("triggerPrices.liquidation", e.decimal("triggerPrices.liquidation"), LtvMath.triggerPrice(d, c, policy.liquidation(), pair.priceScale()),
                "LtvMath.triggerPrice: outstanding / (collateral x liquidation), rounded down to the pair's priceScale");
        Band before = band(e.text("bandBefore"));
        Band after = band(e.text("bandAfter"));
        BigDecimal cureLevel = policy.marginCall().subtract(policy.hysteresis());
        boolean inCall = after != null && after.worseThan(Band.WARNING);
        BigDecimal toPost = inCall && p != null ? LtvMath.collateralToCure(d, c, p, cureLevel, baseScale) : null;
        BigDecimal toRepay = inCall && p != null ? LtvMath.debtToRepayToCure(d, c, p, cureLevel, quoteScale) : null;
        same("toCure.collateralToPost", e.decimal("toCure.collateralToPost"), toPost,
                "LtvMath.collateralToCure below marginCall - hysteresis, stated in MARGIN_CALL or LIQUIDATION");
        same("toCure.debtToRepay", e.decimal("toCure.debtToRepay"), toRepay,
                "LtvMath.debtToRepayToCure below marginCall - hysteresis, stated in MARGIN_CALL or LIQUIDATION");
        boolean incident = e.flag("incidentOpen");
        same("recipients", list(e.node("recipients")), LifecycleExplainer.recipients(type, incident), "LifecycleExplainer.recipients");
        same("priceDisputed", e.flag("priceDisputed"), Decision.MARGIN_CALL_ISSUED.equals(type) && incident,
                "a margin call issued while an incident is open");
        verifyDeadlineSource(t);

        // What the type determines; the liquidation fields it does not set must be null.
        Map<String, Object> liquidation = new HashMap<>();
        String reason = e.text("reason");
        switch (type) {
            case Decision.INITIAL_MARGIN_BREACH -> {
                holds("type", p != null && LtvMath.atOrAbove(d, c, p, policy.initialMargin()),
                        "INITIAL_MARGIN_BREACH", "outstanding >= initialMargin x collateral x ltvPrice", "LtvMath.atOrAbove");
                bandMove(d, c, p, policy, before, after, true);
            }
            case Decision.COLLATERAL_MISSING -> {
                holds("type", infinite, "COLLATERAL_MISSING", "collateral 0 with outstanding debt", "SPEC: nothing to sell");
                same("bandAfter", after, before, "COLLATERAL_MISSING moves no band");
            }
            case Decision.LTV_WARNING -> {
                same("bandAfter", after, Band.WARNING, "LTV_WARNING enters WARNING");
                bandMove(d, c, p, policy, before, after, false);
            }
            case Decision.MARGIN_CALL_ISSUED -> {
                same("bandAfter", after, Band.MARGIN_CALL, "MARGIN_CALL_ISSUED enters MARGIN_CALL");
                bandMove(d, c, p, policy, before, after, false);
                same("cureDeadline", e.text("cureDeadline"), Times.format(t + policy.curePeriodMs()), "eventTime + the policy's cure period");
            }
            case Decision.MARGIN_CALL_CURED -> {
                holds("bandAfter", after == Band.HEALTHY || after == Band.WARNING, String.valueOf(after), "HEALTHY or WARNING",
                        "a cure leaves MARGIN_CALL");
                bandMove(d, c, p, policy, before, after, false);
                holds("type", p != null && !LtvMath.atOrAbove(d, c, p, cureLevel), "MARGIN_CALL_CURED",
                        "outstanding < (marginCall - hysteresis) x collateral x ltvPrice", "LtvMath.atOrAbove");
                AuditRow call = latestBefore(Decision.MARGIN_CALL_ISSUED, t);
                holds("type", call != null && call.time("cureDeadline") != null && t <= call.time("cureDeadline"),
                        call == null ? "no margin call before" : "cure at " + Times.format(t),
                        call == null ? "a MARGIN_CALL_ISSUED before it" : "at or before the deadline " + call.text("cureDeadline"),
                        "a cure at the deadline's instant wins");
                same("cureDeadline", e.text("cureDeadline"), null, "a cured call has no deadline");
            }
            case Decision.LTV_HEALTHY -> {
                same("bandAfter", after, Band.HEALTHY, "LTV_HEALTHY enters HEALTHY");
                bandMove(d, c, p, policy, before, after, false);
            }
            case Decision.LIQUIDATION_TRIGGERED, Decision.LIQUIDATION_SHORTFALL -> {
                dueBecause(reason, t, d, c, p, policy, before, after);
                holds("incidentOpen", !incident, String.valueOf(incident), "false",
                        "a liquidation due while an incident is open is held, not triggered");
                liquidation.put("reason", reason);
                String freshId = EventIds.of("LIQUIDATION", facility, t, reason + '|' + evaluationId + '|' + cv + '|' + dv);
                AuditRow heldAs = freshId.equals(liquidationId) ? null : BreakerAudit.holdOf(s.timeline(), liquidationId, t, cv, dv);
                liquidation.put("liquidationId", heldAs == null ? freshId : liquidationId);
                if (heldAs != null) {
                    holds("liquidationId", true, liquidationId, "the trigger the circuit breaker held at " + heldAs.text("eventTime"),
                            "a held liquidation is triggered under its id, which the LTV stage keeps pending");
                }
                boolean watched = heldAs != null && BreakerAudit.watched(s.timeline(), facility, e.eventId(), t);
                if (Decision.LIQUIDATION_TRIGGERED.equals(type) && (heldAs == null || watched)) {
                    long counted = BreakerAudit.countedBefore(s, facility, e.eventId(), t, watched);
                    int limit = s.config().lifecycle().circuitBreakerMaxLiquidations();
                    holds("type", counted < limit, counted + " triggers of the pair counted in the window before it", "fewer than " + limit,
                            "the pair-wide circuit breaker (circuitBreaker.maxLiquidations within circuitBreaker.window) admitted it");
                } else if (heldAs != null && !watched) {
                    AuditRow release = BreakerAudit.releaseAt(s, t);
                    AuditRow lastHold = latestBefore(Decision.LIQUIDATION_HELD, t);
                    boolean holdEnded = lastHold != null && !Decision.HOLD_CIRCUIT_BREAKER.equals(lastHold.text("holdReason")) && !incident && usable;
                    holds("eventTime", release != null || holdEnded, Times.format(t),
                            "a HOLDS_RELEASED of the pair at that instant, or the end of the hold that followed one",
                            "a released hold is re-tested, uncounted");
                }
                if (usable && p.signum() > 0) {
                    LiquidationSizer.Sizing size = LiquidationSizer.size(d, c, p, policy.liquidationTarget(), baseScale, quoteScale);
                    liquidation.put("liquidateCollateral", size.liquidateCollateral());
                    if (Decision.LIQUIDATION_SHORTFALL.equals(type)) {
                        liquidation.put("shortfall", size.shortfall());
                        holds("liquidationId", sibling(Decision.LIQUIDATION_TRIGGERED, t, liquidationId),
                                liquidationId, "the LIQUIDATION_TRIGGERED it accompanies", "same liquidationId at the same instant");
                    } else if (size.shortfall() != null) {
                        holds("shortfall", sibling(Decision.LIQUIDATION_SHORTFALL, t, liquidationId), "no LIQUIDATION_SHORTFALL",
                                "a LIQUIDATION_SHORTFALL of " + size.shortfall(), "collateral x ltvPrice < outstanding");
                    }
                } else {
                    holds("ltvPrice", false, String.valueOf(p), "a usable price", "a liquidation is sized at the LTV price");
                }
            }
            case Decision.LIQUIDATION_HELD -> {
                boolean owned = BreakerAudit.owned(s.timeline(), e.eventId(), t, cv, dv);
                AuditRow release = BreakerAudit.releaseAt(s, t);
                if (owned && release != null) {
                    // A released hold re-tested while the price is unavailable or an incident is open: held again as it was.
                    same("bandAfter", after, before, "a re-tested hold keeps its band");
                    holds("eventTime", true, Times.format(t), "HOLDS_RELEASED at " + Times.format(release.eventTime()) + " by "
                            + release.text("releasedBy"), "facility_events of the pair");
                } else {
                    dueBecause(reason, t, d, c, p, policy, before, after);
                }
                liquidation.put("reason", reason);
                liquidation.put("holdReason", holdReason(t, p, incident, owned && BreakerAudit.watched(s.timeline(), facility, e.eventId(), t)));
            }
            case Decision.LIQUIDATION_RELEASED -> {
                holds("ltvPrice", usable && !incident, String.valueOf(p), "a usable price with no incident open",
                        "a hold ends when its cause is gone");
                AuditRow held = latestBefore(Decision.LIQUIDATION_HELD, t);
                boolean owned = BreakerAudit.owned(s.timeline(), e.eventId(), t, cv, dv);
                AuditRow release = BreakerAudit.releaseAt(s, t);
                boolean breakerHold = held != null && Decision.HOLD_CIRCUIT_BREAKER.equals(held.text("holdReason"));
                holds("reason", held != null && Objects.equals(held.text("reason"), reason) && (!breakerHold || release != null),
                        String.valueOf(reason), held == null ? "a LIQUIDATION_HELD before it" : "the hold's " + held.text("reason")
                                + " (" + held.text("holdReason") + (breakerHold ? ", released by HOLDS_RELEASED at that instant" : "") + ")",
                        "a release ends a price or divergence hold, or an operator releases a circuit-breaker hold");
                BigDecimal level = Decision.THRESHOLD.equals(reason) ? policy.liquidation() : cureLevel;
                holds("type", p != null && !LtvMath.atOrAbove(d, c, p, level), "LIQUIDATION_RELEASED",
                        "outstanding < " + level.toPlainString() + " x collateral x ltvPrice", "the re-test at the normal price");
                if (owned) {
                    same("bandAfter", after, before, "the LTV stage keeps the band while the held liquidation id stays pending there");
                } else {
                    bandMove(d, c, p, policy, before, after, false);
                }
                liquidation.put("reason", reason);
            }
            case Decision.LIQUIDATION_UNCONFIRMED -> {
                AuditRow trigger = s.timeline().stream().filter(r -> Decision.LIQUIDATION_TRIGGERED.equals(r.type())
                        && Objects.equals(r.text("liquidationId"), liquidationId)).findFirst().orElse(null);
                if (trigger == null) {
                    holds("liquidationId", false, String.valueOf(liquidationId), "a LIQUIDATION_TRIGGERED with that id",
                            "margin_call_events of the facility");
                } else {
                    same("eventTime", Times.format(t), Times.format(trigger.time("eventTime") + s.config().lifecycle().confirmTimeoutMs()),
                            "the trigger's time + lifecycle.confirmTimeout");
                    same("collateralVersion", cv, trigger.longValue("collateralVersion"), "a new amount ends the wait");
                    same("debtVersion", dv, trigger.longValue("debtVersion"), "a new amount ends the wait");
                }
                List<AuditRow> answers = s.facilityEvents().stream()
                        .filter(r -> Objects.equals(r.column("liquidation_id"), liquidationId) && r.eventTime() <= t).toList();
                holds("type", answers.isEmpty(), answers.isEmpty() ? "no answer" : answers.get(0).type() + " at "
                        + Times.format(answers.get(0).eventTime()), "no LIQUIDATION_EXECUTED or LIQUIDATION_FAILED by then",
                        "facility_events of the facility");
                same("bandAfter", after, before, "a timeout moves no band");
                liquidation.put("liquidationId", liquidationId);
            }
            case Decision.LIQUIDATION_HOLD_ESCALATED -> {
                long escalateAfter = s.config().lifecycle().holdEscalateAfterMs();
                AuditRow held = latestBefore(Decision.LIQUIDATION_HELD, t - escalateAfter);
                if (held == null) {
                    holds("type", false, "LIQUIDATION_HOLD_ESCALATED", "a LIQUIDATION_HELD before it", "margin_call_events of the facility");
                } else {
                    same("eventTime", Times.format(t), Times.format(held.time("eventTime") + escalateAfter),
                            "the hold's time + lifecycle.holdEscalateAfter");
                    same("reason", reason, held.text("reason"), "the hold's");
                    same("holdReason", e.text("holdReason"), held.text("holdReason"), "the hold's");
                    long heldAt = held.eventTime();
                    List<AuditRow> ended = s.timeline().stream().filter(r -> r.eventTime() > heldAt && r.eventTime() < t
                            && (Decision.LIQUIDATION_RELEASED.equals(r.type()) || Decision.LIQUIDATION_TRIGGERED.equals(r.type()))).toList();
                    holds("type", ended.isEmpty(), ended.isEmpty() ? "still held" : ended.get(0).type() + " at " + ended.get(0).text("eventTime"),
                            "still held", "nothing ended the hold before");
                }
                same("bandAfter", after, before, "an escalation moves no band");
                liquidation.put("reason", reason);
                liquidation.put("holdReason", e.text("holdReason"));
            }
            default -> holds("type", false, type, "a lifecycle event type", "docs/schemas/lifecycle-event.schema.json");
        }
        for (String f : LIQUIDATION_FIELDS) {
            Object expected = liquidation.get(f);
            Object recorded = AMOUNT_FIELDS.contains(f) ? e.decimal(f) : e.text(f);
            same(f, recorded, expected, expected == null ? "not set on " + type : "recomputed for " + type);
        }
    }

    /** The facility's opening and the rows of the amounts the event names. */
    private void verifyFacility(long t, BigDecimal c, long cv, BigDecimal d, long dv) {
        AuditRow opened = null;
        for (AuditRow r : s.facilityEvents()) {
            if ("FACILITY_OPENED".equals(r.type()) && "APPLIED".equals(r.column("outcome")) && r.eventTime() <= t) {
                opened = r;
            }
        }
        if (opened == null) {
            holds("facilityId", false, e.text("facilityId"), "a FACILITY_OPENED before the event", "facility_events");
        } else {
            same("borrowerId", e.text("borrowerId"), opened.column("borrower_id"), "FACILITY_OPENED in facility_events");
            same("custodian", e.text("custodian"), opened.column("custodian"), "FACILITY_OPENED in facility_events");
            same("pair", e.text("pair"), opened.column("pair"), "FACILITY_OPENED in facility_events");
            same("policy.name", e.text("policy.name"), opened.column("policy"), "FACILITY_OPENED in facility_events");
        }
        amount("collateral", "COLLATERAL_UPDATED", c, cv, t);
        amount("outstanding", "DEBT_UPDATED", d, dv, t);
    }

    /** The applied input of that version, the last at or before the event (a reopened facility counts again from 1). */
    private void amount(String field, String inputType, BigDecimal value, long version, long t) {
        String versionField = "collateral".equals(field) ? "collateralVersion" : "debtVersion";
        List<AuditRow> rows = s.facilityEvents().stream().filter(r -> inputType.equals(r.type())
                && "APPLIED".equals(r.column("outcome")) && Objects.equals(r.column("version"), version)).toList();
        List<AuditRow> before = rows.stream().filter(r -> r.eventTime() <= t).toList();
        if (before.isEmpty()) {
            holds(versionField, false, String.valueOf(version), "an applied " + inputType + " of that version at or before the event"
                    + (rows.isEmpty() ? "" : " (one is at " + Times.format(rows.get(0).eventTime()) + ")"), "facility_events of the facility");
            return;
        }
        AuditRow row = before.get(before.size() - 1);
        holds(versionField, true, String.valueOf(version), inputType + " at " + Times.format(row.eventTime()), "facility_events of the facility");
        same(field, value, row.column(field), inputType + " version " + version + " in facility_events");
    }

    /** The configuration in force: its row, that its content hashes to the event's hash, and the policy. */
    private PolicyConfig verifyConfiguration() {
        String hash = e.text("configHash");
        if (s.configRow() == null) {
            holds("configHash", false, hash, "a config_versions row with that hash", "config_versions");
            return null;
        }
        if (s.config() == null) {
            holds("configHash", false, hash, "a valid configuration: " + s.configError(), "config_versions content");
            return null;
        }
        RiskConfig config = s.config();
        same("configHash", hash, config.configHash(), "SHA-256 of the config_versions content");
        PolicyConfig policy = config.policies().get(e.text("policy.name"));
        if (policy == null) {
            holds("policy.name", false, e.text("policy.name"), "a policy of the configuration", "config_versions content");
            return null;
        }
        same("policy.initialMargin", e.decimal("policy.initialMargin"), policy.initialMargin(), "configuration in force");
        same("policy.warning", e.decimal("policy.warning"), policy.warning(), "configuration in force");
        same("policy.marginCall", e.decimal("policy.marginCall"), policy.marginCall(), "configuration in force");
        same("policy.liquidation", e.decimal("policy.liquidation"), policy.liquidation(), "configuration in force");
        same("policy.liquidationTarget", e.decimal("policy.liquidationTarget"), policy.liquidationTarget(), "configuration in force");
        same("policy.hysteresis", e.decimal("policy.hysteresis"), policy.hysteresis(), "configuration in force");
        same("policy.curePeriodSeconds", e.longValue("policy.curePeriodSeconds"), policy.curePeriodMs() / 1000, "configuration in force");
        return policy;
    }

    /**
     * The LTV price against its evaluation, and the evaluation against its own inputs.
     *
     * @return whether the event had a usable price
     */
    private boolean verifyPrice(long t, BigDecimal p) {
        String evaluationId = e.text("evaluationId");
        if (evaluationId == null) {
            same("ltvPrice", p, null, "no evaluation, no price");
            return false;
        }
        AuditRow ref = s.reference();
        if (ref == null) {
            holds("evaluationId", false, evaluationId, "a reference_prices row with that id", "reference_prices");
            return false;
        }
        holds("evaluationId", s.referenceRows() == 1, s.referenceRows() + " rows", "1 row", "an evaluation id names one row");
        same("pair", e.text("pair"), ref.text("pair"), "the evaluation's pair");
        holds("evaluationId", ref.eventTime() <= t, ref.text("eventTime"), "at or before the event",
                "a decision uses the evaluation at its time or the last before it");
        same("ltvPrice", p, ref.decimal("price"), "price of the evaluation in reference_prices");
        same("incidentOpen", e.flag("incidentOpen"), ref.flag("incidentOpen"), "incidentOpen of the evaluation");
        columnsAgree(ref);
        verifyEvaluation(ref);
        return p != null && "OK".equals(ref.text("status"));
    }

    /** The evaluation re-run by {@link PriceEvaluator} over the sources it lists, with the TWAP history before it. */
    private void verifyEvaluation(AuditRow ref) {
        RiskConfig config = s.referenceConfig();
        if (config == null) {
            holds("reference.configHash", false, ref.text("configHash"), "a valid configuration in config_versions", "config_versions");
            return;
        }
        same("reference.configHash", ref.text("configHash"), config.configHash(), "SHA-256 of the config_versions content");
        String pairName = ref.text("pair");
        PairConfig pair = config.pair(pairName);
        if (pair == null) {
            holds("reference.pair", false, pairName, "a pair of the configuration", "config_versions content");
            return;
        }
        long tr = ref.eventTime();
        List<SourceQuote> quotes = new ArrayList<>();
        for (JsonNode u : iterable(ref.node("used"))) {
            quotes.add(quote(u));
        }
        for (JsonNode x : iterable(ref.node("excluded"))) {
            quotes.add(quote(x));
        }
        List<TwapPoint> history = new ArrayList<>();
        for (AuditRow earlier : s.earlierEvaluations()) {
            history.add(new TwapPoint(earlier.eventTime(), exchangeMedian(earlier)));
        }
        Evaluation ev = new PriceEvaluator(pair).evaluate(tr, quotes, history);
        String basis = "PriceEvaluator over the sources the evaluation lists";
        same("reference.status", ref.text("status"), ev.status().name(), basis);
        same("reference.median", ref.decimal("median"), ev.median(), basis);
        same("reference.primary", ref.decimal("primary"), ev.primary(), basis + " (the freshest usable oracle)");
        same("reference.twap", ref.decimal("twap"), ev.twap(), "Twap over the exchange medians of the " + history.size()
                + " evaluations before it in the window");
        same("reference.used", sources(ref.node("used"), false), ev.used().stream().map(StoryVerifier::describe).toList(), basis);
        same("reference.excluded", sources(ref.node("excluded"), true), ev.excluded().stream().map(StoryVerifier::describe).toList(),
                basis + ": STALE beyond maxAge, OUTLIER beyond outlierBand of the fresh median");

        boolean open = ref.flag("incidentOpen");
        String incident = openIncident(tr);
        same("reference.incidentOpen", open, incident != null, incident == null
                ? "no incident of divergence_incidents open at the evaluation"
                : "incident " + incident + " of divergence_incidents open at the evaluation");
        ReferencePrice recorded = referencePrice(ref);
        BigDecimal price = ev.status() != PriceStatus.OK ? null : open ? DivergenceMath.conservative(recorded) : recorded.median();
        same("reference.price", ref.decimal("price"), price, open
                ? "DivergenceMath.conservative: the lowest of primary, TWAP and median while an incident is open"
                : "the median, no incident open");

        for (String list : new String[] {"used", "excluded"}) {
            for (JsonNode src : iterable(ref.node(list))) {
                String name = src.path("source").asText();
                long at = Times.parseIso(src.path("eventTime").asText());
                BigDecimal quoted = new BigDecimal(src.path("price").asText());
                AuditRow tick = s.ticks().stream().filter(r -> name.equals(r.column("source")) && r.eventTime() == at
                        && quoted.compareTo(r.decimal("price")) == 0).findFirst().orElse(null);
                holds("reference." + list + "[" + name + "]", tick != null, quoted.toPlainString() + " at " + Times.format(at),
                        "a price_ticks row of that source, time and price", "price_ticks of the pair");
            }
        }
    }

    /** The incident open at {@code t}: opened at or before it and not closed at or before it. */
    private String openIncident(long t) {
        for (AuditRow r : s.incidents()) {
            if ("DIVERGENCE_OPENED".equals(r.type()) && r.eventTime() <= t) {
                String id = r.text("incidentId");
                boolean closed = s.incidents().stream().anyMatch(x -> "DIVERGENCE_CLOSED".equals(x.type())
                        && id.equals(x.text("incidentId")) && x.eventTime() <= t);
                if (!closed) {
                    return id;
                }
            }
        }
        return null;
    }

    /** The exchange median of an earlier evaluation, as the TWAP weighed it. */
    static BigDecimal exchangeMedian(AuditRow ref) {
        List<BigDecimal> prices = new ArrayList<>();
        for (JsonNode u : iterable(ref.node("used"))) {
            if (SourceKind.EXCHANGE.name().equals(u.path("kind").asText())) {
                prices.add(new BigDecimal(u.path("price").asText()));
            }
        }
        return Median.of(prices);
    }

    private static SourceQuote quote(JsonNode n) {
        return new SourceQuote(n.path("source").asText(), SourceKind.valueOf(n.path("kind").asText()),
                new BigDecimal(n.path("price").asText()), Times.parseIso(n.path("eventTime").asText()), null);
    }

    private static List<String> sources(JsonNode list, boolean excluded) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : iterable(list)) {
            out.add(n.path("source").asText() + (excluded ? " " + n.path("reason").asText() : "") + " "
                    + new BigDecimal(n.path("price").asText()).stripTrailingZeros().toPlainString() + " at " + n.path("eventTime").asText());
        }
        return out;
    }

    private static String describe(SourcePrice p) {
        return p.source() + " " + p.price().stripTrailingZeros().toPlainString() + " at " + Times.format(p.eventTime());
    }

    private static String describe(ExcludedSource x) {
        return x.source() + " " + x.reason() + " " + x.price().stripTrailingZeros().toPlainString() + " at " + Times.format(x.eventTime());
    }

    static ReferencePrice referencePrice(AuditRow ref) {
        return new ReferencePrice(ref.eventId(), ref.text("evaluationId"), ref.eventTime(), ref.text("pair"),
                "OK".equals(ref.text("status")) ? PriceStatus.OK : PriceStatus.UNAVAILABLE, ref.decimal("price"), ref.decimal("median"),
                ref.decimal("twap"), ref.decimal("primary"), ref.flag("incidentOpen"), List.of(), List.of(), ref.text("configHash"));
    }

    /**
     * A band move: {@code bandAfter} is where {@link LtvMath#band} takes {@code bandBefore} at the
     * LTV price. A facility in liquidation keeps its band until the sale is booked, fails or is
     * released; only an initial-margin review can be reported in that state.
     */
    private void bandMove(BigDecimal d, BigDecimal c, BigDecimal p, PolicyConfig policy, Band before, Band after, boolean mayHold) {
        if (p == null) {
            holds("ltvPrice", false, "null", "a usable price", "no band moves while the price is unavailable");
            return;
        }
        Band expected = LtvMath.band(d, c, p, policy, before);
        if (mayHold && after == before && before != null && before.worseThan(expected) && liquidationBefore()) {
            holds("bandAfter", true, String.valueOf(after), String.valueOf(expected) + ", kept at " + before,
                    "a facility in liquidation keeps its band");
            return;
        }
        same("bandAfter", after, expected, "LtvMath.band from bandBefore " + before + " at ltvPrice (hysteresis "
                + policy.hysteresis().toPlainString() + ")");
    }

    private boolean liquidationBefore() {
        long t = e.eventTime();
        return s.timeline().stream().anyMatch(r -> r.eventTime() <= t && !r.eventId().equals(e.eventId())
                && (Decision.LIQUIDATION_TRIGGERED.equals(r.type()) || Decision.LIQUIDATION_HELD.equals(r.type())));
    }

    /** Why a liquidation came due: the threshold at the price, or the margin call's deadline. */
    private void dueBecause(String reason, long t, BigDecimal d, BigDecimal c, BigDecimal p, PolicyConfig policy, Band before, Band after) {
        if (Decision.THRESHOLD.equals(reason)) {
            holds("reason", p != null && LtvMath.atOrAbove(d, c, p, policy.liquidation()), reason,
                    "outstanding >= liquidation x collateral x ltvPrice", "LtvMath.atOrAbove");
            same("bandAfter", after, Band.LIQUIDATION, "a THRESHOLD liquidation is in LIQUIDATION");
            if (p != null) {
                bandMove(d, c, p, policy, before, after, false);
            }
        } else if (Decision.CURE_EXPIRED.equals(reason)) {
            BigDecimal cureLevel = policy.marginCall().subtract(policy.hysteresis());
            if (p != null) {
                holds("reason", LtvMath.atOrAbove(d, c, p, cureLevel), reason,
                        "outstanding >= (marginCall - hysteresis) x collateral x ltvPrice: still uncured", "LtvMath.atOrAbove");
            }
            same("bandAfter", after, before, "an expired call moves no band");
            holds("bandAfter", after != null && after.worseThan(Band.WARNING), String.valueOf(after), "MARGIN_CALL or LIQUIDATION",
                    "an uncured call");
            Long deadline = e.time("cureDeadline");
            if (deadline != null) {
                same("cureDeadline", Times.format(deadline), Times.format(t), "the deadline that expired is the event's time");
            } else {
                // A re-test after a hold ended or a sale failed: the call had expired before.
                boolean expiredBefore = s.timeline().stream().anyMatch(r -> r.eventTime() < t
                        && Decision.CURE_EXPIRED.equals(r.text("reason")) && r.time("cureDeadline") != null);
                holds("reason", expiredBefore, reason, "an earlier CURE_EXPIRED at its deadline", "margin_call_events of the facility");
            }
        } else {
            holds("reason", false, String.valueOf(reason), "THRESHOLD or CURE_EXPIRED", "lifecycle rules");
        }
    }

    /** Why a due liquidation was held: no price, an open incident, or the pair-wide circuit breaker. */
    private String holdReason(long t, BigDecimal p, boolean incident, boolean watched) {
        AuditRow ref = s.reference();
        if (p == null || ref == null || !"OK".equals(ref.text("status"))) {
            return Decision.HOLD_PRICE_UNAVAILABLE;
        }
        if (incident) {
            return Decision.HOLD_DIVERGENCE;
        }
        int limit = s.config().lifecycle().circuitBreakerMaxLiquidations();
        long counted = BreakerAudit.countedBefore(s, e.text("facilityId"), e.eventId(), t, watched);
        holds("holdReason", counted >= limit, counted + " triggers of the pair counted in the window", "at least " + limit,
                "the pair-wide circuit breaker: circuitBreaker.maxLiquidations within circuitBreaker.window, facilities due at one instant in facilityId order");
        return Decision.HOLD_CIRCUIT_BREAKER;
    }

    /** A deadline the event states, other than the one a margin call sets, comes from a call issued before. */
    private void verifyDeadlineSource(long t) {
        Long deadline = e.time("cureDeadline");
        if (deadline == null || Decision.MARGIN_CALL_ISSUED.equals(e.type())) {
            return;
        }
        boolean issued = s.timeline().stream().anyMatch(r -> Decision.MARGIN_CALL_ISSUED.equals(r.type())
                && r.eventTime() <= t && deadline.equals(r.time("cureDeadline")));
        holds("cureDeadline", issued && t <= deadline, Times.format(deadline),
                "the deadline of a MARGIN_CALL_ISSUED before it, not yet passed", "margin_call_events of the facility");
    }

    private AuditRow latestBefore(String type, long t) {
        AuditRow found = null;
        for (AuditRow r : s.timeline()) {
            if (type.equals(r.type()) && r.eventTime() <= t && !r.eventId().equals(e.eventId())) {
                found = r;
            }
        }
        return found;
    }

    private boolean sibling(String type, long t, String liquidationId) {
        return liquidationId != null && s.timeline().stream().anyMatch(r -> type.equals(r.type()) && r.eventTime() == t
                && liquidationId.equals(r.text("liquidationId")));
    }

    // ---------------------------------------------------------------- CEP flags

    private void verifyFlag() {
        String type = e.type();
        long t = e.time("eventTime");
        List<JsonNode> changes = new ArrayList<>();
        iterable(e.node("changes")).forEach(changes::add);
        if (changes.isEmpty()) {
            holds("changes", false, "none", "the matched band changes", "a flag names what it matched");
            return;
        }
        List<String> causes = changes.stream().map(c -> c.path("cause").asText()).toList();
        same("eventId", e.eventId(), EventIds.of(type, e.text("facilityId"), t, String.join(",", causes)),
                "name-based UUID of type|facilityId|last change's time|the changes' causes");
        same("eventTime", e.text("eventTime"), changes.get(changes.size() - 1).path("eventTime").asText(), "the last matched change's time");
        same("recipients", list(e.node("recipients")), List.of(RiskFlag.LENDER), "a flag is for the risk desk");
        List<Band> from = new ArrayList<>();
        List<Band> to = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            JsonNode c = changes.get(i);
            String field = "changes[" + i + "]";
            String cause = c.path("cause").asText();
            AuditRow reporter = s.timeline().stream().filter(r -> r.eventId().equals(cause)).findFirst().orElse(null);
            from.add(band(c.path("from").isNull() ? null : c.path("from").asText()));
            to.add(band(c.path("to").asText()));
            times.add(Times.parseIso(c.path("eventTime").asText()));
            if (reporter == null) {
                holds(field, false, cause, "an event of the facility with that id", "margin_call_events of the facility");
                continue;
            }
            same(field + ".eventType", c.path("eventType").asText(), reporter.type(), "the event that reported the change");
            same(field + ".eventTime", c.path("eventTime").asText(), reporter.text("eventTime"), "the event that reported the change");
            same(field + ".from", c.path("from").asText(null), reporter.text("bandBefore"), "bandBefore of the event that reported it");
            same(field + ".to", c.path("to").asText(), reporter.text("bandAfter"), "bandAfter of the event that reported it");
            if (i == changes.size() - 1) {
                same("borrowerId", e.text("borrowerId"), reporter.text("borrowerId"), "the last matched event's");
                same("pair", e.text("pair"), reporter.text("pair"), "the last matched event's");
                same("policy", e.text("policy"), reporter.text("policy.name"), "the last matched event's");
            }
        }
        long span = times.get(times.size() - 1) - times.get(0);
        if (RiskFlag.RAPID_DETERIORATION.equals(type)) {
            int last = changes.size() - 1;
            Band f = from.get(last);
            Band into = to.get(last);
            boolean deteriorates = isGood(f) && into != null && into.worseThan(Band.WARNING);
            boolean shape = changes.size() == 1 ? deteriorates && into.ordinal() - f.ordinal() >= 2
                    : changes.size() == 2 && deteriorates && isGood(to.get(0)) && to.get(0) == f;
            holds("type", shape, describeChanges(from, to), "HEALTHY/WARNING into MARGIN_CALL or worse, after entering the good band "
                    + "or skipping a band", "BandChangePatterns.rapidDeterioration");
            if (s.config() != null) {
                long window = s.config().lifecycle().rapidWindowMs();
                holds("type", span < window, span / 1000 + " s", "less than " + window / 1000 + " s (lifecycle.rapidWindow)",
                        "BandChangePatterns.rapidDeterioration");
            }
        } else {
            boolean calls = changes.size() == 3 && changes.stream().allMatch(c -> Decision.MARGIN_CALL_ISSUED.equals(c.path("eventType").asText())
                    && Band.MARGIN_CALL.name().equals(c.path("to").asText()));
            holds("type", calls, changes.size() + " changes", "3 margin calls", "BandChangePatterns.repeatedMarginCalls");
            long window = BandChangePatterns.DEFAULT_REPEATED_WINDOW.toMillis();
            holds("type", span < window, span / 1000 + " s", "less than " + window / 1000 + " s", "BandChangePatterns.repeatedMarginCalls");
        }
    }

    private static boolean isGood(Band b) {
        return b == Band.HEALTHY || b == Band.WARNING;
    }

    private static String describeChanges(List<Band> from, List<Band> to) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            out.add(from.get(i) + "->" + to.get(i));
        }
        return String.join(", ", out);
    }

    // ---------------------------------------------------------------- columns against the record

    /** Each typed column of a row says what its record says (a column edited alone shows here). */
    private void columnsAgree(AuditRow row) {
        int before = checks.size();
        String prefix = AuditTables.MARGIN_CALL_EVENTS.equals(row.table()) ? "column " : row.table() + " column ";
        for (Types.NestedField f : AuditTables.byName(row.table()).schema().columns()) {
            String name = f.name();
            if ("record".equals(name) || f.type().typeId() == Type.TypeID.LIST) {
                continue;
            }
            String jsonName = AuditRowConverter.camel(name);
            Object column = row.column(name);
            if (column instanceof OffsetDateTime time) {
                column = Times.format(time.toInstant().toEpochMilli());
            }
            Object recorded;
            try {
                recorded = recordValue(row, f.type(), jsonName);
            } catch (NumberFormatException | DateTimeException unreadable) {
                checks.add(new Check(prefix + name, false, String.valueOf(column), row.text(jsonName),
                        "the record's " + jsonName + " is not a " + f.type()));
                continue;
            }
            if (column == null && recorded instanceof BigDecimal exact
                    && exact.stripTrailingZeros().scale() > ((Types.DecimalType) f.type()).scale()) {
                continue; // more digits than the column holds: kept in the record only
            }
            if (!equal(column, recorded)) {
                checks.add(new Check(prefix + name, false, String.valueOf(column), String.valueOf(recorded),
                        "the typed column against the row's record"));
            }
        }
        if (checks.size() == before) {
            checks.add(new Check(row.table() + " columns", true, "as the record", "as the record", "every typed column against the record"));
        }
    }

    /** A field of the record as its column would hold it (times as printed). */
    private static Object recordValue(AuditRow row, Type type, String field) {
        return switch (type.typeId()) {
            case DECIMAL -> row.decimal(field);
            case TIMESTAMP -> row.time(field) == null ? null : Times.format(row.time(field));
            case LONG -> row.longValue(field);
            case BOOLEAN -> row.node(field) == null ? null : row.node(field).asBoolean();
            default -> row.node(field) == null ? null : AuditRowConverter.text(row.node(field));
        };
    }

    // ---------------------------------------------------------------- comparison

    private void same(String field, Object recorded, Object recomputed, String basis) {
        checks.add(new Check(field, equal(recorded, recomputed), show(recorded), show(recomputed), basis));
    }

    private void holds(String field, boolean ok, String recorded, String expected, String basis) {
        checks.add(new Check(field, ok, recorded, expected, basis));
    }

    private static boolean equal(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        if (a instanceof Number x && b instanceof Number y && !(a instanceof BigDecimal) && !(b instanceof BigDecimal)) {
            return x.longValue() == y.longValue();
        }
        if (a instanceof Band || b instanceof Band) {
            return Objects.equals(String.valueOf(a), String.valueOf(b));
        }
        return Objects.equals(a, b);
    }

    private static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(v);
    }

    private static Band band(String name) {
        return name == null ? null : Band.valueOf(name);
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : iterable(array)) {
            out.add(n.asText());
        }
        return out;
    }

    private static Iterable<JsonNode> iterable(JsonNode n) {
        return n == null ? List.of() : n;
    }
}
