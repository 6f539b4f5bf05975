package io.collateralrisk.ltv.lifecycle;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How much collateral a liquidation sells: the amount {@code x} that, sold at the LTV price
 * {@code P} with the proceeds {@code x x P} repaying debt, brings the LTV down to the policy's
 * target {@code L}:
 *
 * <pre>
 *   (D - x*P) = L * (C - x) * P   =>   x = (D - L*C*P) / (P*(1 - L))
 * </pre>
 *
 * The quotient is taken exactly and rounded UP to the base asset's smallest unit, so after the sale
 * the LTV is at or just below {@code L}: selling one unit less would leave it above {@code L}.
 * It is capped at {@code C}. When {@code C x P < D} the collateral cannot cover the debt: all of it
 * is sold and the uncovered debt is reported as a shortfall.
 */
public final class LiquidationSizer {

    /**
     * @param liquidateCollateral the collateral to sell, at the base asset's scale; zero when the
     *     LTV is already at or below the target
     * @param shortfall the debt the whole collateral at {@code P} leaves unpaid, rounded up to the
     *     quote scale; null when the collateral covers the debt
     */
    public record Sizing(BigDecimal liquidateCollateral, BigDecimal shortfall) {}

    private LiquidationSizer() {}

    /**
     * Sizes a liquidation of a facility with debt {@code D}, collateral {@code C} at price
     * {@code P}, to target LTV {@code target} ({@code 0 <= target < 1}). A zero collateral gives
     * a sale of zero and the whole debt as shortfall (the lifecycle reports that facility as
     * {@code COLLATERAL_MISSING} and does not liquidate it).
     */
    public static Sizing size(
            BigDecimal outstanding, BigDecimal collateral, BigDecimal price, BigDecimal target, int baseScale, int quoteScale) {
        if (price.signum() <= 0) {
            throw new IllegalArgumentException("price must be positive: " + price);
        }
        if (target.signum() < 0 || target.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("target must be in [0, 1): " + target);
        }
        BigDecimal value = collateral.multiply(price);
        if (value.compareTo(outstanding) < 0) {
            BigDecimal shortfall = outstanding.subtract(value).setScale(quoteScale, RoundingMode.CEILING);
            return new Sizing(atBaseScale(collateral, baseScale), shortfall);
        }
        BigDecimal excess = outstanding.subtract(target.multiply(value));
        if (excess.signum() <= 0) {
            return new Sizing(BigDecimal.ZERO.setScale(baseScale), null);
        }
        // divide(.., scale, mode) rounds the exact quotient, however long its expansion.
        BigDecimal x = excess.divide(price.multiply(BigDecimal.ONE.subtract(target)), baseScale, RoundingMode.CEILING);
        // The exact x is at most C when C x P >= D, so rounding up to the grid C is on cannot pass C;
        // the cap guards against a C finer than the base scale.
        return new Sizing(x.min(atBaseScale(collateral, baseScale)), null);
    }

    /** C at the base scale; a finer C (not expected) is cut down, never up: no more can be sold than is held. */
    private static BigDecimal atBaseScale(BigDecimal collateral, int baseScale) {
        return collateral.setScale(baseScale, RoundingMode.DOWN);
    }
}
