package io.collateralrisk.ltv.lifecycle;

import io.collateralrisk.model.EventIds;
import java.util.ArrayList;
import java.util.List;

/**
 * A CEP flag for the risk desk ({@code RAPID_DETERIORATION} or {@code REPEATED_MARGIN_CALLS}) on
 * {@code risk.margin-calls}. A flag informs; it never decides, holds or triggers a liquidation.
 *
 * @param eventTime the event time of the last matched change
 * @param borrowerId as on the last matched change, like {@code pair} and {@code policy}
 * @param changes the matched band changes, oldest first
 * @param recipients always {@code ["lender"]}: the risk desk
 */
public record RiskFlag(
        String type,
        String eventId,
        String facilityId,
        String borrowerId,
        String pair,
        String policy,
        long eventTime,
        List<MatchedChange> changes,
        List<String> recipients) {

    public static final String RAPID_DETERIORATION = "RAPID_DETERIORATION";
    public static final String REPEATED_MARGIN_CALLS = "REPEATED_MARGIN_CALLS";
    public static final String LENDER = "lender";

    /**
     * One band change of a match.
     *
     * @param eventType the lifecycle event that reported it, such as {@code MARGIN_CALL_ISSUED}
     * @param cause that lifecycle event's {@code eventId}
     */
    public record MatchedChange(Band from, Band to, String eventType, long eventTime, String cause) {

        static MatchedChange of(BandChange c) {
            return new MatchedChange(c.from(), c.to(), c.eventType(), c.eventTime(), c.cause());
        }
    }

    /**
     * The flag for one match. The id is a name-based UUID of the type, the facility, the last
     * change's time and the causes of every matched change, so a replay or a restore that finds
     * the same match gives the same id and consumers can de-duplicate.
     *
     * @param matched the matched changes of one facility, oldest first
     */
    public static RiskFlag of(String type, List<BandChange> matched) {
        if (matched.isEmpty()) {
            throw new IllegalArgumentException("a " + type + " flag needs at least one band change");
        }
        BandChange last = matched.get(matched.size() - 1);
        List<MatchedChange> changes = new ArrayList<>(matched.size());
        List<String> causes = new ArrayList<>(matched.size());
        for (BandChange c : matched) {
            if (!c.facilityId().equals(last.facilityId())) {
                throw new IllegalArgumentException(
                        "a " + type + " match mixes facilities " + c.facilityId() + " and " + last.facilityId());
            }
            changes.add(MatchedChange.of(c));
            causes.add(c.cause());
        }
        String eventId = EventIds.of(type, last.facilityId(), last.eventTime(), String.join(",", causes));
        return new RiskFlag(
                type,
                eventId,
                last.facilityId(),
                last.borrowerId(),
                last.pair(),
                last.policy(),
                last.eventTime(),
                List.copyOf(changes),
                List.of(LENDER));
    }
}
