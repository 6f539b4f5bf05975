package io.collateralrisk.model.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.Decimals;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.OpsAlert;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.Times;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;

/**
 * The JSON of every output record, field by field: the contract that {@code docs/schemas/}
 * publishes. Decimals are plain strings, times ISO-8601 UTC with milliseconds.
 */
public final class OutputJson {

    private OutputJson() {}

    /**
     * Written field by field to the generator rather than built as a tree: one is written per
     * evaluation, the most frequent output, and the text is the same as the tree's.
     */
    public static String referencePrice(ReferencePrice r) {
        StringWriter text = new StringWriter(512);
        try (JsonGenerator g = Json.mapper().createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("type", ReferencePrice.TYPE);
            g.writeStringField("eventId", r.eventId());
            g.writeStringField("eventTime", Times.format(r.eventTime()));
            g.writeStringField("pair", r.pair());
            g.writeStringField("evaluationId", r.evaluationId());
            g.writeStringField("status", r.status().name());
            g.writeStringField("price", Decimals.plain(r.price()));
            g.writeStringField("median", Decimals.plain(r.median()));
            g.writeStringField("twap", Decimals.plain(r.twap()));
            g.writeStringField("primary", Decimals.plain(r.primary()));
            g.writeBooleanField("incidentOpen", r.incidentOpen());
            g.writeArrayFieldStart("used");
            for (SourcePrice s : r.used()) {
                g.writeStartObject();
                g.writeStringField("source", s.source());
                g.writeStringField("kind", s.kind().name());
                g.writeStringField("price", Decimals.plain(s.price()));
                g.writeStringField("eventTime", Times.format(s.eventTime()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("excluded");
            for (ExcludedSource s : r.excluded()) {
                g.writeStartObject();
                g.writeStringField("source", s.source());
                g.writeStringField("kind", s.kind().name());
                g.writeStringField("reason", s.reason());
                g.writeStringField("price", Decimals.plain(s.price()));
                g.writeStringField("eventTime", Times.format(s.eventTime()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("configHash", r.configHash());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    public static String priceAlert(PriceAlert a) {
        ObjectNode n = header(a.type(), a.eventId(), a.eventTime());
        n.put("pair", a.pair());
        n.put("evaluationId", a.evaluationId());
        n.put("usableSources", a.usableSources());
        n.put("quorum", a.quorum());
        if (PriceAlert.RESTORED.equals(a.type())) {
            n.put("price", Decimals.plain(a.price()));
            n.put("unavailableSince", Times.format(a.unavailableSince()));
        }
        n.put("configHash", a.configHash());
        return write(n);
    }

    public static String deadLetter(DeadLetter d) {
        ObjectNode n = header(DeadLetter.TYPE, d.eventId(), d.eventTime());
        n.put("topic", d.topic());
        n.put("location", d.location());
        n.put("reason", d.reason());
        n.put("detail", d.detail());
        n.put("payload", d.payload());
        return write(n);
    }

    public static String lifecycleEvent(LifecycleEvent e) {
        ObjectNode n = header(e.type(), e.eventId(), e.eventTime());
        n.put("facilityId", e.facilityId());
        n.put("borrowerId", e.borrowerId());
        n.put("custodian", e.custodian());
        n.put("pair", e.pair());
        n.put("ltv", Decimals.plain(e.ltv()));
        n.put("ltvInfinite", e.ltvInfinite());
        n.put("bandBefore", e.bandBefore());
        n.put("bandAfter", e.bandAfter());
        ObjectNode policy = n.putObject("policy");
        policy.put("name", e.policy());
        policy.put("initialMargin", Decimals.plain(e.initialMargin()));
        policy.put("warning", Decimals.plain(e.warning()));
        policy.put("marginCall", Decimals.plain(e.marginCall()));
        policy.put("liquidation", Decimals.plain(e.liquidation()));
        policy.put("liquidationTarget", Decimals.plain(e.liquidationTarget()));
        policy.put("hysteresis", Decimals.plain(e.hysteresis()));
        policy.put("curePeriodSeconds", e.curePeriodMs() / 1000);
        n.put("collateral", Decimals.plain(e.collateral()));
        n.put("collateralVersion", e.collateralVersion());
        n.put("outstanding", Decimals.plain(e.outstanding()));
        n.put("debtVersion", e.debtVersion());
        n.put("ltvPrice", Decimals.plain(e.ltvPrice()));
        n.put("evaluationId", e.evaluationId());
        n.put("incidentOpen", e.incidentOpen());
        ObjectNode triggers = n.putObject("triggerPrices");
        triggers.put("warning", Decimals.plain(e.triggerWarning()));
        triggers.put("marginCall", Decimals.plain(e.triggerMarginCall()));
        triggers.put("liquidation", Decimals.plain(e.triggerLiquidation()));
        ObjectNode cure = n.putObject("toCure");
        cure.put("collateralToPost", Decimals.plain(e.collateralToCure()));
        cure.put("debtToRepay", Decimals.plain(e.debtToCure()));
        n.put("cureDeadline", e.cureDeadline() == null ? null : Times.format(e.cureDeadline()));
        n.put("reason", e.reason());
        n.put("holdReason", e.holdReason());
        n.put("liquidationId", e.liquidationId());
        n.put("liquidateCollateral", Decimals.plain(e.liquidateCollateral()));
        n.put("shortfall", Decimals.plain(e.shortfall()));
        n.put("priceDisputed", e.priceDisputed());
        n.put("appliedLate", e.appliedLate());
        ArrayNode recipients = n.putArray("recipients");
        e.recipients().forEach(recipients::add);
        n.put("configHash", e.configHash());
        n.put("codeVersion", e.codeVersion());
        return write(n);
    }

    public static String divergenceEvent(DivergenceEvent e) {
        ObjectNode n = header(e.type(), e.eventId(), e.eventTime());
        n.put("pair", e.pair());
        n.put("incidentId", e.incidentId());
        n.put("openedAt", Times.format(e.openedAt()));
        n.put("runStartedAt", Times.format(e.runStartedAt()));
        n.put("threshold", Decimals.plain(e.threshold()));
        ObjectNode atOpen = n.putObject("atOpen");
        atOpen.put("primary", Decimals.plain(e.primaryAtOpen()));
        atOpen.put("twap", Decimals.plain(e.twapAtOpen()));
        atOpen.put("median", Decimals.plain(e.medianAtOpen()));
        atOpen.put("divergence", Decimals.plain(e.divergenceAtOpen()));
        if (DivergenceEvent.CLOSED.equals(e.type())) {
            ObjectNode atClose = n.putObject("atClose");
            atClose.put("primary", Decimals.plain(e.primaryAtClose()));
            atClose.put("twap", Decimals.plain(e.twapAtClose()));
            atClose.put("median", Decimals.plain(e.medianAtClose()));
        }
        n.put("peakDivergence", Decimals.plain(e.peakDivergence()));
        n.put("peakAt", Times.format(e.peakAt()));
        if (e.durationSeconds() != null) {
            n.put("durationSeconds", e.durationSeconds());
        } else {
            n.putNull("durationSeconds");
        }
        n.put("closedBy", e.closedBy());
        n.put("resolvedBy", e.resolvedBy());
        n.put("resolution", e.resolution());
        n.put("reviewStatus", e.reviewStatus());
        ArrayNode recipients = n.putArray("recipients");
        // Every facility on the pair: its borrower, lender and custodian, addressed by topic.
        recipients.add("borrower").add("lender").add("custodian");
        n.put("configHash", e.configHash());
        return write(n);
    }

    public static String ltvUpdate(LtvUpdate u) {
        ObjectNode n = header(LtvUpdate.TYPE, u.eventId(), u.eventTime());
        n.put("facilityId", u.facilityId());
        n.put("pair", u.pair());
        n.put("policy", u.policy());
        n.put("band", u.band());
        n.put("ltv", Decimals.plain(u.ltv()));
        n.put("ltvInfinite", u.ltvInfinite());
        n.put("collateral", Decimals.plain(u.collateral()));
        n.put("outstanding", Decimals.plain(u.outstanding()));
        n.put("debtPerCollateral", Decimals.plain(u.debtPerCollateral()));
        n.put("ltvPrice", Decimals.plain(u.ltvPrice()));
        n.put("evaluationId", u.evaluationId());
        n.put("closed", u.closed());
        n.put("configHash", u.configHash());
        return write(n);
    }

    /**
     * A custody event: the snapshot's slot and amounts, then the fields of its type only (see
     * {@link CustodyEvent}). Integers are strings: slots and amounts can exceed what a JSON
     * number carries exactly in most readers.
     */
    public static String custodyEvent(CustodyEvent e) {
        ObjectNode n = header(e.type(), e.eventId(), e.eventTime());
        n.put("custody", e.custody());
        n.put("mint", e.mint());
        n.put("slot", e.slot().toString());
        CustodyAmounts a = e.amounts();
        ObjectNode amounts = n.putObject("amounts");
        amounts.put("insurance", integer(a.insurance()));
        amounts.put("impairmentLosses", integer(a.impairmentLosses()));
        amounts.put("userLosses", integer(a.userLosses()));
        amounts.put("owned", integer(a.owned()));
        amounts.put("base", integer(a.base()));
        amounts.put("locked", integer(a.locked()));
        amounts.put("longed", integer(a.longed()));
        amounts.put("shorted", integer(a.shorted()));
        amounts.put("guaranteedUsd", integer(a.guaranteedUsd()));
        amounts.put("feeReserves", integer(a.feeReserves()));
        amounts.put("positionCollateral", integer(a.positionCollateral()));
        amounts.put("tokenAccountBalance", integer(a.tokenAccountBalance()));
        n.put("exchangeable", integer(e.exchangeable()));
        n.put("utilization", Decimals.plain(e.utilization()));
        switch (e.type()) {
            case CustodyEvent.INVARIANT_BROKEN, CustodyEvent.INVARIANT_RESTORED -> {
                n.put("invariant", e.invariant());
                ObjectNode operands = n.putObject("operands");
                e.operands().forEach(o -> operands.put(o.name(), integer(o.amount())));
                n.put("difference", integer(e.difference()));
                n.put("brokenSinceSlot", integer(e.brokenSinceSlot()));
                n.put("brokenSince", Times.format(e.brokenSince()));
            }
            case CustodyEvent.LOSS_RECORDED -> {
                n.put("field", e.field());
                n.put("previousAmount", integer(e.previousAmount()));
                n.put("increase", integer(e.increase()));
                n.put("sinceSlot", integer(e.sinceSlot()));
            }
            case CustodyEvent.TRADE_BLOCKAGE -> {
                n.put("threshold", Decimals.plain(e.threshold()));
                n.put("thresholdSource", e.thresholdSource());
            }
            case CustodyEvent.TRADE_BLOCKAGE_CLEARED -> {
                n.put("threshold", Decimals.plain(e.threshold()));
                n.put("thresholdSource", e.thresholdSource());
                n.put("blockedSinceSlot", integer(e.blockedSinceSlot()));
                n.put("reason", e.reason());
            }
            default -> throw new IllegalArgumentException("not a custody event type: " + e.type());
        }
        n.put("configHash", e.configHash());
        n.put("codeVersion", e.codeVersion());
        return write(n);
    }

    /**
     * A portfolio event: the portfolio's state and utilizations, every token as valued, the
     * positions with their versions, and (for {@code ACTION_WOULD_BE_INSOLVENT}) the action; every
     * field is always present, null where it does not apply (see {@link SolvencyEvent}).
     */
    public static String solvencyEvent(SolvencyEvent e) {
        if (!SolvencyEvent.TYPES.contains(e.type())) {
            throw new IllegalArgumentException("not a portfolio event type: " + e.type());
        }
        ObjectNode n = header(e.type(), e.eventId(), e.eventTime());
        n.put("wallet", e.wallet());
        n.put("portfolio", e.portfolio());
        n.put("state", e.state());
        n.put("previousState", e.previousState());
        n.put("utilization", Decimals.plain(e.utilization()));
        n.put("utilizationInfinite", e.utilizationInfinite());
        n.put("crossUtilization", Decimals.plain(e.crossUtilization()));
        n.put("crossUtilizationInfinite", e.crossUtilizationInfinite());
        ArrayNode tokens = n.putArray("tokens");
        for (SolvencyEvent.TokenBalance t : e.tokens()) {
            ObjectNode token = tokens.addObject();
            token.put("token", t.token());
            token.put("crossMargin", t.crossMargin());
            token.put("varianceFactor", Decimals.plain(t.varianceFactor()));
            token.put("credit", Decimals.plain(t.credit()));
            token.put("debt", Decimals.plain(t.debt()));
            token.put("virtualCredit", Decimals.plain(t.virtualCredit()));
            token.put("virtualDebt", Decimals.plain(t.virtualDebt()));
            token.put("creditPrice", Decimals.plain(t.creditPrice()));
            token.put("debtPrice", Decimals.plain(t.debtPrice()));
            token.put("evaluationId", t.evaluationId());
            token.put("utilization", Decimals.plain(t.utilization()));
            token.put("utilizationInfinite", t.utilizationInfinite());
        }
        ArrayNode unvalued = n.putArray("unvaluedTokens");
        e.unvaluedTokens().forEach(unvalued::add);
        ArrayNode positions = n.putArray("positions");
        for (SolvencyEvent.PositionVersion p : e.positions()) {
            positions.addObject().put("position", p.position()).put("version", p.version());
        }
        n.put("action", e.action());
        n.put("actionPosition", e.actionPosition());
        n.put("utilizationBefore", Decimals.plain(e.utilizationBefore()));
        n.put("utilizationBeforeInfinite", e.utilizationBeforeInfinite());
        n.put("riseUnproven", e.riseUnproven());
        n.put("cause", e.cause());
        n.put("appliedLate", e.appliedLate());
        n.put("configHash", e.configHash());
        n.put("codeVersion", e.codeVersion());
        return write(n);
    }

    private static String integer(BigInteger value) {
        return value == null ? null : value.toString();
    }

    /** An ops alert: the fields of its type only (see {@link OpsAlert}). */
    public static String opsAlert(OpsAlert a) {
        ObjectNode n = header(a.type(), a.eventId(), a.eventTime());
        n.put("topic", a.topic());
        switch (a.type()) {
            case OpsAlert.WATERMARK_STALLED -> {
                n.put("clock", a.clock() == null ? null : Times.format(a.clock()));
                n.put("clockMovedAt", Times.format(a.clockMovedAt()));
                n.put("detectedAt", Times.format(a.detectedAt()));
                n.put("watermarkLagAlertSeconds", a.thresholdMs() / 1000);
            }
            case OpsAlert.WATERMARK_RESUMED -> {
                n.put("clock", Times.format(a.clock()));
                n.put("stalledClock", a.stalledClock() == null ? null : Times.format(a.stalledClock()));
                n.put("clockMovedAt", Times.format(a.clockMovedAt()));
                n.put("detectedAt", Times.format(a.detectedAt()));
            }
            case OpsAlert.CONFIG_CHANGED -> {
                n.put("operator", a.operator());
                n.put("previousConfigHash", a.previousConfigHash());
            }
            case OpsAlert.STATE_WITHOUT_CONFIG -> {
                n.put("operator", a.operator());
                n.put("missingKind", a.missingKind());
                n.put("missing", a.missing());
                n.put("facilities", a.facilities());
            }
            default -> throw new IllegalArgumentException("not an ops alert type: " + a.type());
        }
        n.put("configHash", a.configHash());
        return write(n);
    }

    private static ObjectNode header(String type, String eventId, long eventTime) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", type);
        n.put("eventId", eventId);
        n.put("eventTime", Times.format(eventTime));
        return n;
    }

    private static String write(ObjectNode n) {
        try {
            return Json.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
