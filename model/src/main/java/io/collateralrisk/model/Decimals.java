package io.collateralrisk.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Decimal formatting for outputs: plain strings at a fixed scale, never exponent notation. */
public final class Decimals {

    private Decimals() {}

    /** {@code value} at {@code scale} (half-even), as a plain string; null stays null. */
    public static String format(BigDecimal value, int scale) {
        return value == null ? null : value.setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** An input value printed as it was given (trailing zeros kept), never in exponent form. */
    public static String plain(BigDecimal value) {
        return value == null ? null : value.toPlainString();
    }
}
