package io.collateralrisk.jobs.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.divergence.DivergenceMath;
import io.collateralrisk.divergence.DivergenceReading;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.audit.AuditTables;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Tells an {@link EventStory} as text: what was decided, from which inputs, by which rule. */
public final class StoryPrinter {

    /** Events of the facility shown on each side of the explained one. */
    public static final int CONTEXT = 10;

    /** Facility inputs at one instant, in the order they make sense in. */
    private static final List<String> INPUT_ORDER = List.of("FACILITY_OPENED", "COLLATERAL_UPDATED", "DEBT_UPDATED",
            "LIQUIDATION_EXECUTED", "LIQUIDATION_FAILED", "FACILITY_CLOSED");

    private final EventStory s;
    private final AuditRow e;
    private final StringBuilder out = new StringBuilder();

    private StoryPrinter(EventStory story) {
        this.s = story;
        this.e = story.event();
    }

    public static String render(EventStory story) {
        StoryPrinter p = new StoryPrinter(story);
        List<Runnable> sections = story.isFlag()
                ? List.of(p::header, p::flag, p::configuration, p::timeline)
                : List.of(p::header, p::amounts, p::price, p::divergence, p::ltv, p::liquidation, p::configuration, p::timeline);
        for (Runnable section : sections) {
            try {
                section.run();
            } catch (RuntimeException malformed) {
                // An altered row may not parse: tell the rest of the story all the same.
                p.line("  (cannot be told from these rows: %s)", malformed.getMessage());
            }
        }
        return p.out.toString();
    }

    /** The verification, one line per check. */
    public static String render(StoryVerifier.Verification v) {
        StringBuilder b = new StringBuilder();
        List<StoryVerifier.Check> differences = v.differences();
        b.append("Verification: ").append(v.checks().size()).append(" checks, ")
                .append(differences.isEmpty() ? "no difference" : differences.size() + " differ").append('\n');
        for (StoryVerifier.Check c : v.checks()) {
            if (c.ok()) {
                b.append(String.format("  ok      %-28s %s  [%s]%n", c.field(), c.recorded(), c.basis()));
            } else {
                b.append(String.format("  DIFFERS %-28s recorded %s, recomputed %s  [%s]%n", c.field(), c.recorded(), c.recomputed(), c.basis()));
            }
        }
        return b.toString();
    }

    private void header() {
        line("%s  %s  event %s", e.type(), e.text("eventTime"), e.eventId());
        if (s.isFlag()) {
            line("facility %s  borrower %s  pair %s  policy %s  recipients %s", e.text("facilityId"), e.text("borrowerId"),
                    e.text("pair"), e.text("policy"), join(e.node("recipients")));
        } else {
            line("facility %s  borrower %s  custodian %s  pair %s  recipients %s%s", e.text("facilityId"), e.text("borrowerId"),
                    e.text("custodian"), e.text("pair"), join(e.node("recipients")), e.flag("appliedLate") ? "  (applied late)" : "");
        }
        if (s.sameId() > 1) {
            line("WARNING: %d rows of margin_call_events carry this id; the first is told", s.sameId());
        }
    }

    private void amounts() {
        section("Amounts in force");
        amount("collateral", "COLLATERAL_UPDATED", e.text("collateral"), e.longValue("collateralVersion"));
        amount("outstanding", "DEBT_UPDATED", e.text("outstanding"), e.longValue("debtVersion"));
    }

    private void amount(String field, String inputType, String value, Long version) {
        AuditRow row = s.facilityEvents().stream()
                .filter(r -> inputType.equals(r.type()) && version != null && version.equals(r.column("version")))
                .findFirst().orElse(null);
        String source = row == null
                ? "no " + inputType + " of that version in facility_events"
                : inputType + " at " + Times.format(row.eventTime()) + ", " + row.column("outcome") + ", read at " + row.column("location")
                        + (Boolean.TRUE.equals(row.column("applied_late")) ? " (applied late)" : "");
        line("  %-12s %-20s version %-4s %s", field, value, version, source);
    }

    private void price() {
        String evaluationId = e.text("evaluationId");
        if (evaluationId == null) {
            section("Price");
            line("  the pair had no evaluation yet: no LTV price");
            return;
        }
        AuditRow ref = s.reference();
        if (ref == null) {
            section("Price");
            line("  evaluation %s is not in reference_prices", evaluationId);
            return;
        }
        section("Price: evaluation " + evaluationId + " of " + ref.text("pair") + " at " + ref.text("eventTime") + ", status " + ref.text("status"));
        PairConfig pair = s.referenceConfig() == null ? null : s.referenceConfig().pair(ref.text("pair"));
        long t = ref.eventTime();
        line("  %-14s %-9s %-18s %-25s %s", "source", "kind", "price", "tick time", "");
        for (JsonNode u : iterable(ref.node("used"))) {
            line("  %-14s %-9s %-18s %-25s used%s", u.path("source").asText(), u.path("kind").asText(), u.path("price").asText(),
                    u.path("eventTime").asText(), tickNote(u));
        }
        for (JsonNode x : iterable(ref.node("excluded"))) {
            line("  %-14s %-9s %-18s %-25s EXCLUDED: %s%s", x.path("source").asText(), x.path("kind").asText(), x.path("price").asText(),
                    x.path("eventTime").asText(), why(x, t, pair, ref), tickNote(x));
        }
        line("  median %s  TWAP %s%s  primary %s", orDash(ref.text("median")), orDash(ref.text("twap")),
                pair == null ? "" : " (" + pair.twapWindowMs() / 1000 + " s window, " + s.earlierEvaluations().size() + " earlier evaluations)",
                orDash(ref.text("primary")));
        if (ref.text("price") == null) {
            line("  no LTV price: fewer than %s usable sources", pair == null ? "quorum" : String.valueOf(pair.quorum()));
        } else if (ref.flag("incidentOpen")) {
            line("  LTV price %s: the lowest of primary, TWAP and median, a divergence incident being open", ref.text("price"));
        } else {
            line("  LTV price %s: the median, no divergence incident being open", ref.text("price"));
        }
        if (ref.eventTime() < e.eventTime()) {
            line("  (the pair's last evaluation before the decision at %s)", e.text("eventTime"));
        }
    }

    private String why(JsonNode x, long t, PairConfig pair, AuditRow ref) {
        String reason = x.path("reason").asText();
        if (pair == null) {
            return reason;
        }
        long tickAt = Times.parseIso(x.path("eventTime").asText());
        if ("STALE".equals(reason)) {
            long maxAge = pair.maxAgeMs(SourceKind.valueOf(x.path("kind").asText()));
            return "STALE, " + (t - tickAt) / 1000 + " s old, maxAge " + maxAge / 1000 + " s";
        }
        if ("OUTLIER".equals(reason)) {
            return "OUTLIER, more than " + pair.outlierBand().multiply(BigDecimal.valueOf(100)).stripTrailingZeros().toPlainString()
                    + "% from the median of the fresh sources";
        }
        return reason;
    }

    private String tickNote(JsonNode src) {
        long at = Times.parseIso(src.path("eventTime").asText());
        String name = src.path("source").asText();
        BigDecimal price = new BigDecimal(src.path("price").asText());
        boolean found = s.ticks().stream().anyMatch(r -> name.equals(r.column("source")) && r.eventTime() == at
                && price.compareTo(r.decimal("price")) == 0);
        return found ? "" : "  (no such tick in price_ticks)";
    }

    private void divergence() {
        AuditRow ref = s.reference();
        section("Divergence");
        RiskConfig config = s.referenceConfig() != null ? s.referenceConfig() : s.config();
        if (ref != null && config != null) {
            DivergenceReading reading = DivergenceMath.reading(StoryVerifier.referencePrice(ref), config.divergence().threshold());
            if (reading == null) {
                line("  no reading at this evaluation (it needs a primary and a TWAP)");
            } else {
                line("  |primary - TWAP| / TWAP = |%s - %s| / %s = %s%s (threshold %s)", reading.primary().toPlainString(),
                        reading.twap().toPlainString(), reading.twap().toPlainString(), percent(reading.divergence()),
                        reading.above() ? ", above" : "", percent(config.divergence().threshold()));
            }
        }
        long t = ref == null ? e.eventTime() : ref.eventTime();
        AuditRow open = null;
        for (AuditRow r : s.incidents()) {
            if ("DIVERGENCE_OPENED".equals(r.type()) && r.eventTime() <= t) {
                String id = r.text("incidentId");
                boolean closed = s.incidents().stream().anyMatch(x -> "DIVERGENCE_CLOSED".equals(x.type()) && id.equals(x.text("incidentId"))
                        && x.eventTime() <= t);
                if (!closed) {
                    open = r;
                }
            }
        }
        if (open == null) {
            line("  no incident open on %s at the evaluation (%d incident records on the pair)", e.text("pair"), s.incidents().size());
        } else {
            String openId = open.text("incidentId");
            AuditRow closed = s.incidents().stream().filter(x -> "DIVERGENCE_CLOSED".equals(x.type())
                    && openId.equals(x.text("incidentId"))).findFirst().orElse(null);
            line("  incident %s open since %s (divergence at open %s, primary %s, TWAP %s); %s", open.text("incidentId"),
                    open.text("openedAt"), percentText(open.text("atOpen.divergence")), open.text("atOpen.primary"), open.text("atOpen.twap"),
                    closed == null ? "not closed in the tables" : "closed " + closed.text("eventTime") + " by " + closed.text("closedBy"));
        }
        line("  the event says incidentOpen %s", e.flag("incidentOpen"));
    }

    private void ltv() {
        section("LTV");
        String d = e.text("outstanding");
        String c = e.text("collateral");
        String p = e.text("ltvPrice");
        if (e.flag("ltvInfinite")) {
            line("  collateral 0 with outstanding %s: the LTV is infinite (COLLATERAL_MISSING: nothing to sell)", d);
        } else if (p == null) {
            line("  no usable LTV price: no LTV");
        } else {
            BigDecimal value = new BigDecimal(c).multiply(new BigDecimal(p));
            line("  LTV = outstanding / (collateral x LTV price) = %s / (%s x %s) = %s / %s = %s", d, c, p, d,
                    value.toPlainString(), orDash(e.text("ltv")));
        }
        line("  policy %s: initial margin %s, warning %s, margin call %s, liquidation %s, target %s, hysteresis %s, cure period %s",
                e.text("policy.name"), e.text("policy.initialMargin"), e.text("policy.warning"), e.text("policy.marginCall"),
                e.text("policy.liquidation"), e.text("policy.liquidationTarget"), e.text("policy.hysteresis"),
                duration(e.longValue("policy.curePeriodSeconds")));
        if (p != null && !e.flag("ltvInfinite")) {
            BigDecimal debt = new BigDecimal(d);
            BigDecimal value = new BigDecimal(c).multiply(new BigDecimal(p));
            threshold("initial margin", "policy.initialMargin", null, debt, value);
            threshold("warning", "policy.warning", "triggerPrices.warning", debt, value);
            threshold("margin call", "policy.marginCall", "triggerPrices.marginCall", debt, value);
            threshold("liquidation", "policy.liquidation", "triggerPrices.liquidation", debt, value);
        }
        line("  band %s -> %s", orDash(e.text("bandBefore")), orDash(e.text("bandAfter")));
        if (e.text("toCure.collateralToPost") != null || e.text("toCure.debtToRepay") != null) {
            BigDecimal cureLevel = e.decimal("policy.marginCall").subtract(e.decimal("policy.hysteresis"));
            line("  to cure (LTV below %s): post %s collateral or repay %s", cureLevel.toPlainString(), orDash(e.text("toCure.collateralToPost")),
                    orDash(e.text("toCure.debtToRepay")));
        }
        if (e.text("cureDeadline") != null) {
            line("  cure deadline %s", e.text("cureDeadline"));
        }
        if (e.flag("priceDisputed")) {
            line("  the price is disputed: the call was issued while a divergence incident was open");
        }
    }

    private void threshold(String name, String field, String triggerField, BigDecimal debt, BigDecimal value) {
        BigDecimal threshold = e.decimal(field);
        if (threshold == null) {
            return;
        }
        BigDecimal level = threshold.multiply(value);
        boolean reached = debt.signum() > 0 && debt.compareTo(level) >= 0;
        line("  %-15s %s x C x P = %s: %s%s", name, threshold.toPlainString(), level.toPlainString(),
                reached ? "reached (outstanding >= it)" : "not reached",
                triggerField == null ? "" : "; reached at a price of " + orDash(e.text(triggerField)) + " or less");
    }

    private void liquidation() {
        if (e.text("reason") == null && e.text("liquidationId") == null && e.text("holdReason") == null) {
            return;
        }
        section("Liquidation");
        if (e.text("reason") != null) {
            line("  came due by %s", "THRESHOLD".equals(e.text("reason"))
                    ? "THRESHOLD: LTV reached the liquidation threshold"
                    : "CURE_EXPIRED: the margin call's deadline passed uncured");
        }
        if (e.text("holdReason") != null) {
            line("  held: %s", switch (e.text("holdReason")) {
                case "PRICE_UNAVAILABLE" -> "PRICE_UNAVAILABLE, the pair was below quorum";
                case "DIVERGENCE_INCIDENT" -> "DIVERGENCE_INCIDENT, a divergence incident was open";
                case "CIRCUIT_BREAKER" -> "CIRCUIT_BREAKER, circuitBreaker.maxLiquidations was reached on the pair ("
                        + pairCounted() + " triggers of the pair counted within circuitBreaker.window); held until an operator's HOLDS_RELEASED";
                default -> e.text("holdReason");
            });
        }
        AuditRow release = BreakerAudit.releaseAt(s, e.eventTime());
        if (release != null) {
            line("  HOLDS_RELEASED at %s by %s (%s): the pair's circuit-breaker holds re-tested at the latest evaluation",
                    io.collateralrisk.model.Times.format(release.eventTime()), orDash(release.text("releasedBy")), orDash(release.text("reason")));
        }
        if (e.text("liquidationId") != null) {
            line("  liquidation %s", e.text("liquidationId"));
        }
        if (e.text("liquidateCollateral") != null) {
            line("  sell %s = (D - L x C x P) / (P x (1 - L)), L = %s, rounded up to the asset's unit, at most C", e.text("liquidateCollateral"),
                    e.text("policy.liquidationTarget"));
        }
        if (e.text("shortfall") != null) {
            line("  shortfall %s = D - C x P: the collateral cannot cover the debt", e.text("shortfall"));
        }
    }

    private long pairCounted() {
        return BreakerAudit.countedBefore(s, e.text("facilityId"), e.eventId(), e.eventTime(),
                BreakerAudit.watched(s.timeline(), e.text("facilityId"), e.eventId(), e.eventTime()));
    }

    private void flag() {
        section("Matched band changes (" + e.type() + ": a flag for the risk desk; it decides nothing)");
        for (JsonNode c : iterable(e.node("changes"))) {
            line("  %s  %s -> %s  reported by %s %s", c.path("eventTime").asText(), c.path("from").asText("-"), c.path("to").asText(),
                    c.path("eventType").asText(), c.path("cause").asText());
        }
        if (s.config() != null) {
            line("  rapid window %s; repeated margin calls: 3 within 7 days", duration(s.config().lifecycle().rapidWindowMs() / 1000));
        }
    }

    private void configuration() {
        section("Configuration");
        String hash = s.isFlag() ? (s.configRow() == null ? null : (String) s.configRow().column("config_hash")) : e.text("configHash");
        if (s.configRow() == null) {
            line("  %s is not in config_versions", hash == null ? "(no hash)" : hash);
        } else {
            line("  %s, first used %s by code %s%s", hash, Times.format(((OffsetDateTime) s.configRow().column("first_used"))
                    .toInstant().toEpochMilli()), s.configRow().column("code_version"),
                    s.config() == null ? "; its content is not a valid configuration: " + s.configError() : "");
        }
        if (!s.isFlag()) {
            line("  decided by code %s", e.text("codeVersion"));
        }
    }

    private void timeline() {
        List<AuditRow> all = new ArrayList<>(s.facilityEvents());
        all.addAll(s.timeline());
        // Inputs at an instant are applied before the decisions of that instant.
        all.sort(Comparator.comparingLong(AuditRow::eventTime)
                .thenComparingInt(r -> AuditTables.FACILITY_EVENTS.equals(r.table()) ? INPUT_ORDER.indexOf(r.type()) : INPUT_ORDER.size())
                .thenComparing(Explainer.TIME_ORDER));
        int at = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).table().equals(e.table()) && all.get(i).eventId().equals(e.eventId())) {
                at = i;
                break;
            }
        }
        int from = Math.max(0, at - CONTEXT);
        int to = Math.min(all.size(), at + CONTEXT + 1);
        section("Facility " + e.text("facilityId") + ": " + at + " records before, " + (all.size() - at - 1) + " after");
        if (from > 0) {
            line("     ... %d earlier", from);
        }
        for (int i = from; i < to; i++) {
            AuditRow r = all.get(i);
            line("  %s %s  %s", i == at ? ">>" : "  ", Times.format(r.eventTime()), summary(r));
        }
        if (to < all.size()) {
            line("     ... %d later", all.size() - to);
        }
    }

    private static String summary(AuditRow r) {
        if (AuditTables.FACILITY_EVENTS.equals(r.table())) {
            String detail = switch (r.type()) {
                case "FACILITY_OPENED" -> "policy " + r.column("policy") + ", pair " + r.column("pair");
                case "COLLATERAL_UPDATED" -> "collateral " + r.text("collateral") + " v" + r.column("version");
                case "DEBT_UPDATED" -> "outstanding " + r.text("outstanding") + " v" + r.column("version");
                case "LIQUIDATION_EXECUTED", "LIQUIDATION_FAILED" -> "liquidation " + r.column("liquidation_id");
                default -> "";
            };
            return "input " + r.type() + " " + detail + (r.column("outcome") == null || "APPLIED".equals(r.column("outcome"))
                    ? "" : " (" + r.column("outcome") + ")");
        }
        if (EventStory.FLAGS.contains(r.type())) {
            return r.type() + " " + r.eventId();
        }
        StringBuilder b = new StringBuilder(r.type());
        b.append(' ').append(orDash(r.text("bandBefore"))).append(" -> ").append(orDash(r.text("bandAfter")));
        b.append("  ltv ").append(orDash(r.text("ltv"))).append(" at ").append(orDash(r.text("ltvPrice")));
        if (r.text("reason") != null) {
            b.append("  ").append(r.text("reason"));
        }
        if (r.text("holdReason") != null) {
            b.append(" held ").append(r.text("holdReason"));
        }
        b.append("  ").append(r.eventId());
        return b.toString();
    }

    private void section(String title) {
        out.append('\n').append(title).append('\n');
    }

    private void line(String format, Object... args) {
        out.append(String.format(format, args)).append('\n');
    }

    private static String percent(BigDecimal fraction) {
        return fraction.multiply(BigDecimal.valueOf(100)).round(new MathContext(6, RoundingMode.HALF_EVEN)).stripTrailingZeros().toPlainString() + "%";
    }

    private static String percentText(String fraction) {
        return fraction == null ? "-" : percent(new BigDecimal(fraction));
    }

    private static String duration(Long seconds) {
        if (seconds == null) {
            return "-";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + " h";
        }
        return seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        for (JsonNode n : iterable(array)) {
            items.add(n.asText());
        }
        return String.join(", ", items);
    }

    private static Iterable<JsonNode> iterable(JsonNode n) {
        return n == null ? List.of() : n;
    }
}
