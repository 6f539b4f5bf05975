package io.collateralrisk.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.ltv.lifecycle.RiskFlag;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.Json;
import java.io.UncheckedIOException;

/** CEP flags on {@code risk.margin-calls}, keyed by facility. */
final class RiskFlagOutput {

    private RiskFlagOutput() {}

    static OutputRecord of(RiskFlag f) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", f.type());
        n.put("eventId", f.eventId());
        n.put("eventTime", Times.format(f.eventTime()));
        n.put("facilityId", f.facilityId());
        n.put("borrowerId", f.borrowerId());
        n.put("pair", f.pair());
        n.put("policy", f.policy());
        ArrayNode changes = n.putArray("changes");
        for (RiskFlag.MatchedChange c : f.changes()) {
            changes.addObject()
                    .put("from", c.from() == null ? null : c.from().name())
                    .put("to", c.to().name())
                    .put("eventType", c.eventType())
                    .put("eventTime", Times.format(c.eventTime()))
                    .put("cause", c.cause());
        }
        ArrayNode recipients = n.putArray("recipients");
        f.recipients().forEach(recipients::add);
        try {
            return new OutputRecord(Topics.MARGIN_CALLS, f.facilityId(), f.eventTime(), f.eventId(),
                    Json.mapper().writeValueAsString(n), false);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
