package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;

class RatioTest {

    private static Ratio r(String n, String d) {
        return Ratio.of(new BigDecimal(n), new BigDecimal(d));
    }

    @Test
    void comparesByCrossMultiplication() {
        assertThat(r("1", "3").compareTo(r("2", "6"))).isZero();
        assertThat(r("1", "3").compareTo(r("333333333", "1000000000"))).isPositive();
        assertThat(r("1", "3").compareTo(r("333333334", "1000000000"))).isNegative();
        assertThat(r("1", "3")).isEqualTo(r("2", "6")).hasSameHashCodeAs(r("2", "6"));
        assertThat(r("9", "10").compareTo(new BigDecimal("0.9"))).isZero();
        assertThat(r("9", "10").compareTo(new BigDecimal("0.90000000001"))).isNegative();
    }

    @Test
    void infinityIsAboveEveryFiniteRatioAndEqualToItself() {
        assertThat(Ratio.INFINITE.compareTo(r("1000000000", "1"))).isPositive();
        assertThat(r("1000000000", "1").compareTo(Ratio.INFINITE)).isNegative();
        assertThat(Ratio.INFINITE.compareTo(Ratio.INFINITE)).isZero();
        assertThat(Ratio.INFINITE.compareTo(BigDecimal.ONE)).isPositive();
        assertThat(Ratio.INFINITE.signum()).isEqualTo(1);
        assertThat(Ratio.INFINITE.toDecimal(2, RoundingMode.HALF_EVEN)).isNull();
        assertThat(Ratio.INFINITE.floor(10)).isNull();
        assertThat(Ratio.INFINITE).hasToString("Infinity").isNotEqualTo(r("1", "1"));
    }

    @Test
    void addsAndMultipliesExactly() {
        assertThat(r("1", "3").add(r("1", "6"))).isEqualTo(r("1", "2"));
        assertThat(r("1", "3").add(r("2", "3"))).isEqualTo(r("1", "1"));
        assertThat(r("1", "3").add(Ratio.INFINITE).isInfinite()).isTrue();
        assertThat(Ratio.INFINITE.add(r("1", "3")).isInfinite()).isTrue();
        assertThat(r("1", "3").multiply(new BigDecimal("3"))).isEqualTo(r("1", "1"));
        assertThat(Ratio.INFINITE.multiply(BigDecimal.TEN).isInfinite()).isTrue();
        assertThatThrownBy(() -> r("1", "3").multiply(new BigDecimal("-1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aUtilizationIsZeroWithoutDebtAndInfiniteWithoutCredit() {
        assertThat(Ratio.utilization(Ratio.ZERO, Ratio.ZERO)).isEqualTo(Ratio.ZERO);
        assertThat(Ratio.utilization(Ratio.ZERO, r("5", "1"))).isEqualTo(Ratio.ZERO);
        assertThat(Ratio.utilization(r("1", "1"), Ratio.ZERO).isInfinite()).isTrue();
        assertThat(Ratio.utilization(r("3", "2"), r("3", "4"))).isEqualTo(r("2", "1"));
        assertThat(Ratio.utilization(Ratio.INFINITE, r("1", "1")).isInfinite()).isTrue();
    }

    @Test
    void maxTakesTheLarger() {
        assertThat(r("1", "2").max(r("2", "3"))).isEqualTo(r("2", "3"));
        assertThat(r("2", "3").max(r("1", "2"))).isEqualTo(r("2", "3"));
        assertThat(r("1", "2").max(Ratio.INFINITE).isInfinite()).isTrue();
    }

    @Test
    void printsAtAScaleAndFloorsToDigits() {
        assertThat(r("2", "3").toDecimal(4, RoundingMode.HALF_EVEN)).isEqualByComparingTo("0.6667");
        assertThat(r("2", "3").floor(4)).isEqualByComparingTo("0.6666");
        assertThat(r("1", "4")).hasToString("1/4");
    }

    @Test
    void refusesANegativeNumeratorOrANonPositiveDenominator() {
        assertThatThrownBy(() -> r("-1", "2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r("1", "0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r("1", "-2")).isInstanceOf(IllegalArgumentException.class);
        assertThat(r("0", "2").signum()).isZero();
    }
}
