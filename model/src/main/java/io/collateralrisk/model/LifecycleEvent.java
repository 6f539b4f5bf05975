package io.collateralrisk.model;

import java.math.BigDecimal;
import java.util.List;

/**
 * One margin-call lifecycle event on {@code risk.margin-calls}, with everything a borrower, a
 * lender and an auditor need to see why: the facility's amounts and their versions, the price
 * used and the evaluation it came from, the policy's thresholds, the price at which each threshold
 * is reached, what it takes to cure, and the configuration and code behind the decision.
 *
 * @param ltv null when there is no finite LTV ({@code ltvInfinite}: collateral zero with debt)
 * @param triggerWarning price at which LTV reaches the warning threshold ({@code D / (C x threshold)}), likewise the others
 * @param collateralToCure collateral to post, or {@code debtToCure} debt to repay, to bring LTV below the margin call minus hysteresis
 * @param reason {@code THRESHOLD} or {@code CURE_EXPIRED} for liquidation events
 * @param holdReason {@code PRICE_UNAVAILABLE}, {@code DIVERGENCE_INCIDENT} or {@code CIRCUIT_BREAKER} for holds
 * @param ingestedAt for an event a price evaluation decided, when the source read the latest tick
 *     behind it (wall-clock ms); 0 for events of a facility command or a timer, which no tick
 *     caused. Transport metadata for the latency metric, never written to any output or audit row.
 */
public record LifecycleEvent(
        String eventId,
        String type,
        long eventTime,
        String facilityId,
        String borrowerId,
        String custodian,
        String pair,
        BigDecimal ltv,
        boolean ltvInfinite,
        String bandBefore,
        String bandAfter,
        String policy,
        BigDecimal initialMargin,
        BigDecimal warning,
        BigDecimal marginCall,
        BigDecimal liquidation,
        BigDecimal liquidationTarget,
        BigDecimal hysteresis,
        long curePeriodMs,
        BigDecimal collateral,
        long collateralVersion,
        BigDecimal outstanding,
        long debtVersion,
        BigDecimal ltvPrice,
        String evaluationId,
        boolean incidentOpen,
        BigDecimal triggerWarning,
        BigDecimal triggerMarginCall,
        BigDecimal triggerLiquidation,
        BigDecimal collateralToCure,
        BigDecimal debtToCure,
        Long cureDeadline,
        String reason,
        String holdReason,
        String liquidationId,
        BigDecimal liquidateCollateral,
        BigDecimal shortfall,
        boolean priceDisputed,
        boolean appliedLate,
        List<String> recipients,
        String configHash,
        String codeVersion,
        long ingestedAt) {}
