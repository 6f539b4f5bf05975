package io.collateralrisk.model.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.Times;
import java.io.UncheckedIOException;

/** Input records written back in their topic's JSON: a parsed tick refused later (late) keeps a readable payload. */
public final class InputJson {

    private InputJson() {}

    public static String priceTick(PriceTick tick) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", "PRICE_TICK");
        n.put("eventTime", Times.format(tick.eventTime()));
        n.put("pair", tick.pair());
        n.put("source", tick.source());
        n.put("kind", tick.kind().name());
        n.put("price", tick.price().toPlainString());
        if (tick.volume() != null) {
            n.put("volume", tick.volume().toPlainString());
        }
        if (tick.round() != null) {
            n.put("round", tick.round().toString());
        }
        try {
            return Json.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
