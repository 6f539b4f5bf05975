package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PriceRoundingTest {

    @Test
    void beyondThePriceScaleIsRoundedHalfEven() {
        assertThat(computed("1.000000125", 8, 9)).isEqualTo("1.00000012");
        assertThat(computed("1.000000135", 8, 9)).isEqualTo("1.00000014");
        assertThat(computed("100.015", 2, 3)).isEqualTo("100.02");
        assertThat(computed("100.005", 2, 3)).isEqualTo("100.00");
    }

    @Test
    void withinThePriceScaleNothingIsRounded() {
        // 0.99987 USD stays 0.99987: never to the quote asset's cents.
        assertThat(computed("0.99987", 8, 5)).isEqualTo("0.99987");
        assertThat(computed("20450.575", 8, 3)).isEqualTo("20450.575");
    }

    @Test
    void zerosADivisionPadsAreRemovedDownToTheInputsScale() {
        assertThat(computed("5000.50000000", 8, 2)).isEqualTo("5000.50");
        assertThat(computed("5000.50000000", 8, 0)).isEqualTo("5000.5");
        assertThat(computed("5000.00000000", 8, 2)).isEqualTo("5000.00");
        assertThat(computed("5000.00000000", 8, 0)).isEqualTo("5000");
        assertThat(computed("101.80000000", 8, 0)).isEqualTo("101.8");
        // Significant digits are never removed, only zeros.
        assertThat(computed("1.66666667", 8, 0)).isEqualTo("1.66666667");
    }

    @Test
    void inputsQuotedBeyondThePriceScaleStillEndAtIt() {
        assertThat(computed("1.1234567890", 8, 10)).isEqualTo("1.12345679");
        assertThat(computed("1.10000000000", 8, 11)).isEqualTo("1.10000000");
    }

    @Test
    void nullStaysNull() {
        assertThat(PriceRounding.computed(null, 8, 2)).isNull();
    }

    private static String computed(String value, int priceScale, int minScale) {
        return PriceRounding.computed(new BigDecimal(value), priceScale, minScale).toPlainString();
    }
}
