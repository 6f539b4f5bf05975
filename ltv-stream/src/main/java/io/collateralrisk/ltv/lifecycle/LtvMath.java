package io.collateralrisk.ltv.lifecycle;

import io.collateralrisk.model.config.PolicyConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * LTV arithmetic for one facility: {@code LTV = D / (C x P)} with {@code D} the outstanding debt,
 * {@code C} the collateral and {@code P} the LTV price.
 *
 * <p>Every decision compares exactly, {@code D >= threshold x C x P}, with no division and no
 * rounding: a rounded LTV could put a facility on the wrong side of a threshold. Only
 * {@link #ltv} (for display), trigger prices and cure amounts round, each in the direction stated
 * on it. Zero debt is LTV 0. Zero collateral with debt is {@code COLLATERAL_MISSING}, which the
 * caller handles before asking for a band; here it counts as an infinite LTV.
 */
public final class LtvMath {

    /** The display scale of {@link #ltv}. */
    public static final int LTV_SCALE = 6;

    private LtvMath() {}

    /**
     * Whether the LTV is at or above {@code threshold}: {@code D >= threshold x C x P}, exactly.
     * Zero debt never is (its LTV is 0, whatever the collateral). Zero collateral (or a zero price)
     * with positive debt always is: the LTV is infinite. Callers report that case as
     * {@code COLLATERAL_MISSING} before it reaches a band decision.
     */
    public static boolean atOrAbove(BigDecimal outstanding, BigDecimal collateral, BigDecimal price, BigDecimal threshold) {
        if (outstanding.signum() <= 0) {
            return false;
        }
        return outstanding.compareTo(threshold.multiply(collateral).multiply(price)) >= 0;
    }

    /**
     * The band of a facility, with hysteresis on the way down.
     *
     * <pre>
     *   LTV:      0 ... warning ... marginCall ... liquidation ...
     *   up:       enter a band as soon as LTV >= its threshold (several at once if need be)
     *   down:     leave band B only when LTV < threshold(B) - hysteresis
     *
     *   standard policy (0.70 / 0.80 / 0.90, hysteresis 0.01), previous MARGIN_CALL:
     *     LTV 0.905 -> LIQUIDATION    (reached 0.90)
     *     LTV 0.795 -> MARGIN_CALL    (not below 0.79: stays)
     *     LTV 0.79  -> MARGIN_CALL    (exactly 0.79 is not below it)
     *     LTV 0.785 -> WARNING        (below 0.79; not below 0.69)
     *     LTV 0.685 -> HEALTHY        (below 0.79, then below 0.69)
     *   previous LIQUIDATION, LTV 0.795 -> MARGIN_CALL (below 0.89, not below 0.79)
     * </pre>
     *
     * Precisely: {@code reached} is the highest band whose entry threshold the LTV reaches. If
     * {@code previous} is null (a first evaluation) or not above {@code reached}, the result is
     * {@code reached}. Otherwise the facility steps down from {@code previous} one band at a time,
     * leaving each band B only while {@code LTV < threshold(B) - hysteresis}, and never below
     * {@code reached}.
     */
    public static Band band(BigDecimal outstanding, BigDecimal collateral, BigDecimal price, PolicyConfig policy, Band previous) {
        Band reached = reached(outstanding, collateral, price, policy);
        if (previous == null || !previous.worseThan(reached)) {
            return reached;
        }
        BigDecimal hysteresis = policy.hysteresis();
        Band held = previous;
        // held is above reached, so it is never HEALTHY here and has an entry threshold.
        while (held.worseThan(reached)
                && !atOrAbove(outstanding, collateral, price, entryThreshold(held, policy).subtract(hysteresis))) {
            held = Band.values()[held.ordinal() - 1];
        }
        return held;
    }

    /** The highest band whose entry threshold the LTV reaches, without hysteresis. */
    private static Band reached(BigDecimal outstanding, BigDecimal collateral, BigDecimal price, PolicyConfig policy) {
        if (atOrAbove(outstanding, collateral, price, policy.liquidation())) {
            return Band.LIQUIDATION;
        }
        if (atOrAbove(outstanding, collateral, price, policy.marginCall())) {
            return Band.MARGIN_CALL;
        }
        if (atOrAbove(outstanding, collateral, price, policy.warning())) {
            return Band.WARNING;
        }
        return Band.HEALTHY;
    }

    /** The LTV at which a facility enters {@code band}; HEALTHY has none. */
    static BigDecimal entryThreshold(Band band, PolicyConfig policy) {
        return switch (band) {
            case HEALTHY -> throw new IllegalArgumentException("HEALTHY has no entry threshold");
            case WARNING -> policy.warning();
            case MARGIN_CALL -> policy.marginCall();
            case LIQUIDATION -> policy.liquidation();
        };
    }

    /**
     * The LTV for display only, {@code D / (C x P)} in {@link MathContext#DECIMAL64} then at scale
     * {@value #LTV_SCALE}, half-even. Null when {@code C x P} is zero: the caller reports
     * {@code ltvInfinite} when {@code D > 0}, and 0 when {@code D = 0}. Never use it to decide.
     */
    public static BigDecimal ltv(BigDecimal outstanding, BigDecimal collateral, BigDecimal price) {
        BigDecimal value = collateral.multiply(price);
        if (value.signum() == 0) {
            return null;
        }
        return outstanding.divide(value, MathContext.DECIMAL64).setScale(LTV_SCALE, RoundingMode.HALF_EVEN);
    }

    /**
     * The price at which the LTV reaches {@code threshold}, {@code D / (C x threshold)}, for
     * display at the pair's {@code priceScale} (prices are not rounded to the quote asset's scale).
     * LTV rises as the price falls, so the exact trigger is the highest price at which the
     * threshold is reached; it is rounded DOWN so that at the printed price the threshold is
     * indeed reached, and one unit of the last place above it it is not. Null when {@code C} or
     * {@code D} is zero: no price moves such a facility across a threshold.
     */
    public static BigDecimal triggerPrice(BigDecimal outstanding, BigDecimal collateral, BigDecimal threshold, int priceScale) {
        if (collateral.signum() == 0 || outstanding.signum() == 0) {
            return null;
        }
        return outstanding.divide(collateral.multiply(threshold), priceScale, RoundingMode.FLOOR);
    }

    /**
     * The collateral to post so that the LTV falls strictly below {@code threshold}: the smallest
     * {@code x} at {@code baseScale} with {@code D < threshold x (C + x) x P}, that is the exact
     * amount rounded UP to the base asset's smallest unit (plus one unit when the exact amount
     * lands on the grid, since the LTV must end up below, not at, the threshold). Zero when the
     * LTV is already below. Null when {@code P} is zero, where no collateral cures.
     *
     * <p>The lifecycle passes the cure level, {@code marginCall - hysteresis}: the LTV a margin
     * call must fall below to be cured, which is also where the band leaves {@code MARGIN_CALL}.
     */
    public static BigDecimal collateralToCure(
            BigDecimal outstanding, BigDecimal collateral, BigDecimal price, BigDecimal threshold, int baseScale) {
        if (!atOrAbove(outstanding, collateral, price, threshold)) {
            return BigDecimal.ZERO.setScale(baseScale);
        }
        BigDecimal perUnit = threshold.multiply(price);
        if (perUnit.signum() == 0) {
            return null;
        }
        // x > (D - t*C*P) / (t*P); the smallest such multiple of the unit is floor(...) + unit.
        BigDecimal excess = outstanding.subtract(threshold.multiply(collateral).multiply(price));
        return excess.divide(perUnit, baseScale, RoundingMode.FLOOR).add(BigDecimal.ONE.movePointLeft(baseScale));
    }

    /**
     * The debt to repay so that the LTV falls strictly below {@code threshold}: the smallest
     * {@code y} at {@code quoteScale} with {@code D - y < threshold x C x P}. Zero when the LTV is
     * already below. Never more than {@code D}: repaying everything leaves LTV 0, which cures even
     * a facility with no collateral. The lifecycle passes the cure level,
     * {@code marginCall - hysteresis}, as for {@link #collateralToCure}.
     */
    public static BigDecimal debtToRepayToCure(
            BigDecimal outstanding, BigDecimal collateral, BigDecimal price, BigDecimal threshold, int quoteScale) {
        if (!atOrAbove(outstanding, collateral, price, threshold)) {
            return BigDecimal.ZERO.setScale(quoteScale);
        }
        BigDecimal excess = outstanding.subtract(threshold.multiply(collateral).multiply(price));
        BigDecimal repay = excess.setScale(quoteScale, RoundingMode.FLOOR).add(BigDecimal.ONE.movePointLeft(quoteScale));
        return repay.min(outstanding);
    }
}
