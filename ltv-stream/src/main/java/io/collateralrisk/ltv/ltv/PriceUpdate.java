package io.collateralrisk.ltv.ltv;

import java.math.BigDecimal;

/**
 * A pair's LTV price at one evaluation, sent to each LTV shard of the pair.
 *
 * @param ingestedAt the evaluation's {@code ingestedAt} (latency-metric metadata; 0 when no tick caused it)
 */
public record PriceUpdate(
        String shardKey, String pair, long eventTime, String evaluationId, BigDecimal price, boolean available, boolean incidentOpen,
        long ingestedAt) {}
