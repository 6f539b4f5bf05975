package io.collateralrisk.ltv.lifecycle;

import java.math.BigDecimal;

/**
 * What the lifecycle knows of its pair's price at one evaluation.
 *
 * @param price the LTV price (conservative while an incident is open); null when unavailable
 * @param available false while the pair is below quorum
 * @param incidentOpen a divergence incident is open on the pair
 */
public record PriceView(long eventTime, String evaluationId, BigDecimal price, boolean available, boolean incidentOpen) {}
