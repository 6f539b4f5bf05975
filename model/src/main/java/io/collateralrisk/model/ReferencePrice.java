package io.collateralrisk.model;

import java.math.BigDecimal;
import java.util.List;

/**
 * {@code REFERENCE_PRICE}: one evaluation of a pair at one event time. Prices are at their own
 * precision: a tick's price as it arrived, a computed one (a mean of two, the TWAP) at the pair's
 * {@code priceScale}; {@code price} is the LTV price (null while {@code UNAVAILABLE}).
 *
 * @param ingestedAt wall-clock ms when the source read the latest of the ticks that triggered this
 *     evaluation; 0 when none did (a source turning stale). Transport metadata for the latency
 *     metric, never written to any output or audit row.
 */
public record ReferencePrice(
        String eventId,
        String evaluationId,
        long eventTime,
        String pair,
        PriceStatus status,
        BigDecimal price,
        BigDecimal median,
        BigDecimal twap,
        BigDecimal primary,
        boolean incidentOpen,
        List<SourcePrice> used,
        List<ExcludedSource> excluded,
        String configHash,
        long ingestedAt) {

    public static final String TYPE = "REFERENCE_PRICE";

    /** An evaluation no tick's read time is known for. */
    public ReferencePrice(
            String eventId, String evaluationId, long eventTime, String pair, PriceStatus status, BigDecimal price, BigDecimal median,
            BigDecimal twap, BigDecimal primary, boolean incidentOpen, List<SourcePrice> used, List<ExcludedSource> excluded,
            String configHash) {
        this(eventId, evaluationId, eventTime, pair, status, price, median, twap, primary, incidentOpen, used, excluded, configHash, 0L);
    }

    /** The same evaluation with the feed-health verdict applied. */
    public ReferencePrice withFeedHealth(boolean incident, BigDecimal ltvPrice) {
        return new ReferencePrice(
                eventId, evaluationId, eventTime, pair, status, ltvPrice, median, twap, primary, incident, used, excluded, configHash,
                ingestedAt);
    }
}
