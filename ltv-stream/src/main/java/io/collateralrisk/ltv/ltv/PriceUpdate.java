package io.collateralrisk.ltv.ltv;

import java.math.BigDecimal;

/**
 * A pair's LTV price at one evaluation, as the LTV stage and the circuit breaker receive it.
 *
 * @param shardKey the key it is sent under: the pair (broadcast to the LTV subtasks, each applying
 *     it to its shards of the pair; keyed by pair to the breaker)
 * @param ingestedAt the evaluation's {@code ingestedAt} (latency-metric metadata; 0 when no tick caused it)
 */
public record PriceUpdate(
        String shardKey, String pair, long eventTime, String evaluationId, BigDecimal price, boolean available, boolean incidentOpen,
        long ingestedAt) {}
