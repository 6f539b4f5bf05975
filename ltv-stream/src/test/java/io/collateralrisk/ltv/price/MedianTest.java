package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MedianTest {

    @Test
    void oddCountIsTheMiddleValueWhateverTheInputOrder() {
        assertThat(Median.of(decimals("103", "101", "102"))).isEqualTo(new BigDecimal("102"));
        assertThat(Median.of(decimals("5", "1", "9", "3", "7"))).isEqualTo(new BigDecimal("5"));
    }

    @Test
    void evenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Median.of(decimals("4", "1", "3", "2"))).isEqualByComparingTo("2.5");
        // The extremes must not pull the median: only the middle two count.
        assertThat(Median.of(decimals("1", "100", "102", "1000000"))).isEqualByComparingTo("101");
    }

    @Test
    void singleValueIsItself() {
        assertThat(Median.of(decimals("5123.45"))).isEqualTo(new BigDecimal("5123.45"));
    }

    @Test
    void noValuesHaveNoMedian() {
        assertThat(Median.of(List.of())).isNull();
    }

    @Test
    void meanOfTwoIsExactNotRoundedToTheInputScale() {
        // Rounding happens once, where the price is reported; the median itself keeps the half digit.
        assertThat(Median.of(decimals("100.01", "100.02"))).isEqualTo(new BigDecimal("100.015"));
        assertThat(Median.of(decimals("0.00000001", "0.00000002"))).isEqualTo(new BigDecimal("0.000000015"));
        assertThat(Median.of(decimals("1", "2"))).isEqualTo(new BigDecimal("1.5"));
    }

    @Test
    void reportedMedianKeepsATickExactlyAndRoundsOnlyAMeanToThePriceScale() {
        // An odd count is a tick's own price: never rounded, not even beyond the price scale.
        assertThat(Median.of(decimals("1.000000125", "0.9", "1.1"), 8)).isEqualTo(new BigDecimal("1.000000125"));
        assertThat(Median.of(decimals("1.0004"), 8)).isEqualTo(new BigDecimal("1.0004"));
        // A mean of two within the price scale stays exact: 0.99987 is not 1.00.
        assertThat(Median.of(decimals("0.99986", "0.99988"), 8)).isEqualTo(new BigDecimal("0.99987"));
        assertThat(Median.of(decimals("100.01", "100.02"), 2)).isEqualTo(new BigDecimal("100.02")); // 100.015, half-even
        assertThat(Median.of(decimals("100.00", "100.01"), 2)).isEqualTo(new BigDecimal("100.00")); // 100.005, half-even
        assertThat(Median.of(decimals("0.00000001", "0.00000002"), 8)).isEqualTo(new BigDecimal("0.00000002"));
        assertThat(Median.of(List.of(), 8)).isNull();
    }

    @Test
    void doesNotReorderTheCallersList() {
        List<BigDecimal> values = new ArrayList<>(decimals("3", "1", "2"));
        Median.of(values);
        assertThat(values).containsExactlyElementsOf(decimals("3", "1", "2"));
    }

    private static List<BigDecimal> decimals(String... values) {
        return Arrays.stream(values).map(BigDecimal::new).toList();
    }
}
