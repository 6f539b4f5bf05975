package io.collateralrisk.solvency.portfolio;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An exact non-negative ratio {@code numerator / denominator}, or infinity. Virtual credits
 * ({@code C / v}) do not terminate as decimals (1 / 1.3), so utilizations are kept as fractions
 * and compared by cross-multiplication: no rounding ever enters a decision.
 */
public final class Ratio implements Comparable<Ratio>, Serializable {

    public static final Ratio ZERO = new Ratio(BigDecimal.ZERO, BigDecimal.ONE);
    public static final Ratio INFINITE = new Ratio(null, null);

    private final BigDecimal numerator;
    private final BigDecimal denominator;

    private Ratio(BigDecimal numerator, BigDecimal denominator) {
        this.numerator = numerator;
        this.denominator = denominator;
    }

    /** {@code numerator / denominator}; both non-negative, the denominator positive. */
    public static Ratio of(BigDecimal numerator, BigDecimal denominator) {
        if (numerator.signum() < 0 || denominator.signum() <= 0) {
            throw new IllegalArgumentException("a ratio needs a non-negative numerator and a positive denominator");
        }
        return new Ratio(numerator, denominator);
    }

    /** A whole decimal value. */
    public static Ratio of(BigDecimal value) {
        return of(value, BigDecimal.ONE);
    }

    /**
     * A utilization: debt over credit; zero without debt (whatever the credit), infinite with debt
     * and no credit.
     */
    public static Ratio utilization(Ratio debt, Ratio credit) {
        if (debt.signum() == 0) {
            return ZERO;
        }
        if (credit.signum() == 0) {
            return INFINITE;
        }
        return debt.divide(credit);
    }

    public boolean isInfinite() {
        return numerator == null;
    }

    public int signum() {
        return isInfinite() ? 1 : numerator.signum();
    }

    public Ratio add(Ratio other) {
        if (isInfinite() || other.isInfinite()) {
            return INFINITE;
        }
        if (denominator.compareTo(other.denominator) == 0) {
            return new Ratio(numerator.add(other.numerator), denominator);
        }
        return new Ratio(
                numerator.multiply(other.denominator).add(other.numerator.multiply(denominator)), denominator.multiply(other.denominator));
    }

    public Ratio multiply(BigDecimal factor) {
        if (factor.signum() < 0) {
            throw new IllegalArgumentException("factor must not be negative");
        }
        return isInfinite() ? INFINITE : new Ratio(numerator.multiply(factor), denominator);
    }

    /** This divided by a finite positive ratio. */
    private Ratio divide(Ratio other) {
        if (isInfinite()) {
            return INFINITE;
        }
        return new Ratio(numerator.multiply(other.denominator), denominator.multiply(other.numerator));
    }

    public Ratio max(Ratio other) {
        return compareTo(other) >= 0 ? this : other;
    }

    @Override
    public int compareTo(Ratio other) {
        if (isInfinite() || other.isInfinite()) {
            return Boolean.compare(isInfinite(), other.isInfinite());
        }
        return numerator.multiply(other.denominator).compareTo(other.numerator.multiply(denominator));
    }

    /** Compares with a finite decimal, exactly. */
    public int compareTo(BigDecimal value) {
        return compareTo(of(value));
    }

    /** The value at {@code scale} places for printing; null when infinite. */
    public BigDecimal toDecimal(int scale, RoundingMode rounding) {
        return isInfinite() ? null : numerator.divide(denominator, scale, rounding);
    }

    /** The value to {@code digits} significant digits, rounded towards zero; null when infinite. */
    public BigDecimal floor(int digits) {
        return isInfinite() ? null : numerator.divide(denominator, new MathContext(digits, RoundingMode.DOWN));
    }

    BigDecimal numerator() {
        return numerator;
    }

    BigDecimal denominator() {
        return denominator;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ratio r && compareTo(r) == 0;
    }

    @Override
    public int hashCode() {
        // Equal ratios can have different representations: hash the reduced decimal form when finite.
        return isInfinite() ? 0 : Objects.hash(floor(40).stripTrailingZeros());
    }

    @Override
    public String toString() {
        return isInfinite() ? "Infinity" : numerator.toPlainString() + "/" + denominator.toPlainString();
    }
}
