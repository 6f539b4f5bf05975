package io.collateralrisk.ltv.lifecycle;

import java.math.BigDecimal;

/**
 * One lifecycle event decided by {@link LifecycleRules}, before it is dressed with the facility's
 * explanation (thresholds, trigger prices, amounts to cure) into an output record.
 *
 * @param reason {@code THRESHOLD} or {@code CURE_EXPIRED} for triggers and holds, the hold's cause
 *     ({@code PRICE_UNAVAILABLE}, {@code DIVERGENCE_INCIDENT}, {@code CIRCUIT_BREAKER}) in {@code holdReason}
 * @param price the evaluation the decision used; null for decisions made without a price (custodian answers, timeouts)
 */
public record Decision(
        String type,
        long eventTime,
        Band bandBefore,
        Band bandAfter,
        String reason,
        String holdReason,
        String liquidationId,
        BigDecimal liquidateCollateral,
        BigDecimal shortfall,
        Long cureDeadline,
        PriceView price) {

    public static final String INITIAL_MARGIN_BREACH = "INITIAL_MARGIN_BREACH";
    public static final String LTV_WARNING = "LTV_WARNING";
    public static final String MARGIN_CALL_ISSUED = "MARGIN_CALL_ISSUED";
    public static final String MARGIN_CALL_CURED = "MARGIN_CALL_CURED";
    public static final String LIQUIDATION_TRIGGERED = "LIQUIDATION_TRIGGERED";
    public static final String LIQUIDATION_SHORTFALL = "LIQUIDATION_SHORTFALL";
    public static final String LIQUIDATION_UNCONFIRMED = "LIQUIDATION_UNCONFIRMED";
    public static final String LIQUIDATION_HELD = "LIQUIDATION_HELD";
    public static final String LIQUIDATION_RELEASED = "LIQUIDATION_RELEASED";
    public static final String LIQUIDATION_HOLD_ESCALATED = "LIQUIDATION_HOLD_ESCALATED";
    public static final String COLLATERAL_MISSING = "COLLATERAL_MISSING";
    public static final String LTV_HEALTHY = "LTV_HEALTHY";
    /** Every lifecycle event type, for metrics that must exist before the first event. */
    public static final java.util.List<String> TYPES = java.util.List.of(
            INITIAL_MARGIN_BREACH, LTV_WARNING, MARGIN_CALL_ISSUED, MARGIN_CALL_CURED, LIQUIDATION_TRIGGERED, LIQUIDATION_SHORTFALL,
            LIQUIDATION_UNCONFIRMED, LIQUIDATION_HELD, LIQUIDATION_RELEASED, LIQUIDATION_HOLD_ESCALATED, COLLATERAL_MISSING, LTV_HEALTHY);

    public static final String THRESHOLD = "THRESHOLD";
    public static final String CURE_EXPIRED = "CURE_EXPIRED";
    public static final String HOLD_PRICE_UNAVAILABLE = "PRICE_UNAVAILABLE";
    public static final String HOLD_DIVERGENCE = "DIVERGENCE_INCIDENT";
    public static final String HOLD_CIRCUIT_BREAKER = "CIRCUIT_BREAKER";

    Decision withCureDeadline(Long deadline) {
        return new Decision(type, eventTime, bandBefore, bandAfter, reason, holdReason, liquidationId, liquidateCollateral,
                shortfall, deadline, price);
    }

    static Decision simple(String type, long t, Band before, Band after, PriceView price) {
        return new Decision(type, t, before, after, null, null, null, null, null, null, price);
    }
}
