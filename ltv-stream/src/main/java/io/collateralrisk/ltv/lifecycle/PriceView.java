package io.collateralrisk.ltv.lifecycle;

import java.math.BigDecimal;

/**
 * What the lifecycle knows of its pair's price at one evaluation.
 *
 * @param price the LTV price (conservative while an incident is open); null when unavailable
 * @param available false while the pair is below quorum
 * @param incidentOpen a divergence incident is open on the pair
 * @param ingestedAt when the source read the latest tick behind the evaluation (wall-clock ms, 0
 *     when none caused it): for the latency metric only, no rule reads it
 */
public record PriceView(long eventTime, String evaluationId, BigDecimal price, boolean available, boolean incidentOpen, long ingestedAt) {

    /** A price no tick's read time is known for. */
    public PriceView(long eventTime, String evaluationId, BigDecimal price, boolean available, boolean incidentOpen) {
        this(eventTime, evaluationId, price, available, incidentOpen, 0L);
    }
}
