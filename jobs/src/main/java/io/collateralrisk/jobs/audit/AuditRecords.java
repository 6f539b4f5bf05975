package io.collateralrisk.jobs.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.ltv.facility.AcceptedFacilityEvent;
import io.collateralrisk.model.CollateralUpdated;
import io.collateralrisk.model.DebtUpdated;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.FacilityClosed;
import io.collateralrisk.model.FacilityEvent;
import io.collateralrisk.model.FacilityOpened;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.LiquidationExecuted;
import io.collateralrisk.model.LiquidationFailed;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.InputJson;
import io.collateralrisk.model.json.Json;
import java.io.UncheckedIOException;

/**
 * Accepted inputs as audit records of their input topic: the fields the audit tables type, the
 * event's deterministic id, and in {@code record} what was received (for ticks, the tick as parsed).
 */
public final class AuditRecords {

    private AuditRecords() {}

    /** Id of an accepted tick: its pair, time, source and price (a source sends one price per instant). */
    public static OutputRecord of(PriceTick tick) {
        String json = InputJson.priceTick(tick);
        String id = EventIds.of("PRICE_TICK", tick.pair(), tick.eventTime(), tick.source() + '|' + tick.price().toPlainString());
        ObjectNode n = read(json);
        n.put("eventId", id);
        n.put("record", json);
        return new OutputRecord(Topics.PRICES, tick.pair(), tick.eventTime(), id, write(n), false);
    }

    /** Id of an accepted facility event: its facility, time and where it was read (unique per input record). */
    public static OutputRecord of(AcceptedFacilityEvent accepted) {
        FacilityEvent e = accepted.input().event();
        String id = EventIds.of("FACILITY_EVENT", e.facilityId(), e.eventTime(), accepted.input().location());
        ObjectNode n = Json.mapper().valueToTree(e);
        n.put("type", type(e));
        n.put("eventTime", Times.format(e.eventTime()));
        n.put("eventId", id);
        n.put("outcome", accepted.outcome());
        n.put("appliedLate", accepted.appliedLate());
        n.put("location", accepted.input().location());
        n.put("record", accepted.input().payload());
        return new OutputRecord(Topics.FACILITY_EVENTS, e.facilityId(), e.eventTime(), id, write(n), false);
    }

    /**
     * Id of an accepted {@code HOLDS_RELEASED}: its pair, time and where it was read. It is kept
     * with the facility events (its {@code facility_id} is the pair, since it concerns all of the
     * pair's held liquidations), so {@code explain} finds the release behind a re-test.
     */
    public static OutputRecord of(HoldsReleased released, String location, String payload) {
        String id = EventIds.of(HoldsReleased.TYPE, released.pair(), released.eventTime(), location);
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", HoldsReleased.TYPE);
        n.put("eventTime", Times.format(released.eventTime()));
        n.put("eventId", id);
        n.put("facilityId", released.pair());
        n.put("pair", released.pair());
        n.put("releasedBy", released.releasedBy());
        n.put("reason", released.reason());
        n.put("outcome", "APPLIED");
        n.put("appliedLate", false);
        n.put("location", location);
        n.put("record", payload);
        return new OutputRecord(Topics.FACILITY_EVENTS, released.pair(), released.eventTime(), id, write(n), false);
    }

    private static String type(FacilityEvent e) {
        if (e instanceof FacilityOpened) {
            return "FACILITY_OPENED";
        } else if (e instanceof CollateralUpdated) {
            return "COLLATERAL_UPDATED";
        } else if (e instanceof DebtUpdated) {
            return "DEBT_UPDATED";
        } else if (e instanceof LiquidationExecuted) {
            return "LIQUIDATION_EXECUTED";
        } else if (e instanceof LiquidationFailed) {
            return "LIQUIDATION_FAILED";
        } else if (e instanceof FacilityClosed) {
            return "FACILITY_CLOSED";
        }
        throw new IllegalArgumentException("unknown facility event " + e);
    }

    private static ObjectNode read(String json) {
        try {
            return (ObjectNode) Json.outputReader().readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(ObjectNode n) {
        try {
            return Json.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
