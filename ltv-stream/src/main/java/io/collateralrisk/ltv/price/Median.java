package io.collateralrisk.ltv.price;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The exact median of decimals: the mean of the middle two for an even count. */
public final class Median {

    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    private Median() {}

    /**
     * The median as a reported price: the middle value exactly as it arrived for an odd count, the
     * mean of the middle two rounded half-even to {@code priceScale} for an even count. Null for no values.
     */
    public static BigDecimal of(Collection<BigDecimal> values, int priceScale) {
        BigDecimal exact = of(values);
        return values.size() % 2 == 0 && exact != null ? PriceRounding.computed(exact, priceScale, exact.scale()) : exact;
    }

    /** The exact median; null for no values. */
    public static BigDecimal of(Collection<BigDecimal> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<BigDecimal> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        if (n % 2 == 1) {
            return sorted.get(n / 2);
        }
        // Halving a decimal is exact: at most one more digit of scale.
        return sorted.get(n / 2 - 1).add(sorted.get(n / 2)).divide(TWO);
    }
}
