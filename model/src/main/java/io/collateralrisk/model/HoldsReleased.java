package io.collateralrisk.model;

/**
 * {@code HOLDS_RELEASED} on {@code risk-control}: an operator releases every liquidation the
 * pair's circuit breaker holds; each is re-tested at the pair's latest evaluation.
 */
public record HoldsReleased(long eventTime, String pair, String releasedBy, String reason) {

    public static final String TYPE = "HOLDS_RELEASED";
}
