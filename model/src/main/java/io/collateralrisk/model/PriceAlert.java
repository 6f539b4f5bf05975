package io.collateralrisk.model;

import java.math.BigDecimal;

/**
 * {@code PRICE_UNAVAILABLE} (a pair fell below quorum) or {@code PRICE_RESTORED} (it is back),
 * on {@code risk.price-alerts}.
 *
 * @param usableSources fresh, non-excluded sources at the evaluation
 * @param price the LTV price on restore, null otherwise
 * @param unavailableSince on restore, when the pair became unavailable; otherwise the alert's own time
 * @param ingestedAt as the evaluation's {@link ReferencePrice#ingestedAt()}: latency-metric
 *     metadata, never written to any output or audit row
 */
public record PriceAlert(
        String type,
        String eventId,
        String evaluationId,
        long eventTime,
        String pair,
        int usableSources,
        int quorum,
        BigDecimal price,
        long unavailableSince,
        String configHash,
        long ingestedAt) {

    public static final String UNAVAILABLE = "PRICE_UNAVAILABLE";
    public static final String RESTORED = "PRICE_RESTORED";

    /** An alert no tick's read time is known for. */
    public PriceAlert(
            String type, String eventId, String evaluationId, long eventTime, String pair, int usableSources, int quorum, BigDecimal price,
            long unavailableSince, String configHash) {
        this(type, eventId, evaluationId, eventTime, pair, usableSources, quorum, price, unavailableSince, configHash, 0L);
    }

    public static PriceAlert of(
            String type, String evaluationId, long t, String pair, int usable, int quorum, BigDecimal price, long since, String configHash) {
        return new PriceAlert(
                type, EventIds.of(type, pair, t, evaluationId), evaluationId, t, pair, usable, quorum, price, since, configHash);
    }

    /** The same alert, caused by ticks the latest of which its source read at {@code readAt}. */
    public PriceAlert withIngestedAt(long readAt) {
        return new PriceAlert(
                type, eventId, evaluationId, eventTime, pair, usableSources, quorum, price, unavailableSince, configHash, readAt);
    }
}
