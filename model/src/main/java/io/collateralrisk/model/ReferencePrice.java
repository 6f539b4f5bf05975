package io.collateralrisk.model;

import java.math.BigDecimal;
import java.util.List;

/**
 * {@code REFERENCE_PRICE}: one evaluation of a pair at one event time. Prices are at the quote
 * asset's scale; {@code price} is the LTV price (null while {@code UNAVAILABLE}).
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
        String configHash) {

    public static final String TYPE = "REFERENCE_PRICE";

    /** The same evaluation with the feed-health verdict applied. */
    public ReferencePrice withFeedHealth(boolean incident, BigDecimal ltvPrice) {
        return new ReferencePrice(
                eventId, evaluationId, eventTime, pair, status, ltvPrice, median, twap, primary, incident, used, excluded, configHash);
    }
}
