package io.collateralrisk.model.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.Decimals;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.Times;
import java.io.UncheckedIOException;

/**
 * The JSON of every output record, field by field: the contract that {@code docs/schemas/}
 * publishes. Decimals are plain strings, times ISO-8601 UTC with milliseconds.
 */
public final class OutputJson {

    private OutputJson() {}

    public static String referencePrice(ReferencePrice r) {
        ObjectNode n = header(ReferencePrice.TYPE, r.eventId(), r.eventTime());
        n.put("pair", r.pair());
        n.put("evaluationId", r.evaluationId());
        n.put("status", r.status().name());
        n.put("price", Decimals.plain(r.price()));
        n.put("median", Decimals.plain(r.median()));
        n.put("twap", Decimals.plain(r.twap()));
        n.put("primary", Decimals.plain(r.primary()));
        n.put("incidentOpen", r.incidentOpen());
        ArrayNode used = n.putArray("used");
        for (SourcePrice s : r.used()) {
            used.addObject()
                    .put("source", s.source())
                    .put("kind", s.kind().name())
                    .put("price", Decimals.plain(s.price()))
                    .put("eventTime", Times.format(s.eventTime()));
        }
        ArrayNode excluded = n.putArray("excluded");
        for (ExcludedSource s : r.excluded()) {
            excluded.addObject()
                    .put("source", s.source())
                    .put("kind", s.kind().name())
                    .put("reason", s.reason())
                    .put("price", Decimals.plain(s.price()))
                    .put("eventTime", Times.format(s.eventTime()));
        }
        n.put("configHash", r.configHash());
        return write(n);
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
