package io.collateralrisk.ltv.price;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How a computed price (the mean of the middle two, the TWAP) is rounded: half-even to the pair's
 * {@code priceScale}, never to the quote asset's scale. A tick's own price, used as such (the
 * primary, the median of an odd count), is never rounded.
 */
public final class PriceRounding {

    private PriceRounding() {}

    /**
     * {@code value} rounded half-even to at most {@code priceScale} places, with the zeros a
     * division pads it with removed down to {@code minScale} (the scale its inputs were quoted at),
     * so an average of cent prices that lands on a cent reads 5000.50, not 5000.50000000.
     */
    public static BigDecimal computed(BigDecimal value, int priceScale, int minScale) {
        if (value == null) {
            return null;
        }
        BigDecimal r = value.scale() > priceScale ? value.setScale(priceScale, RoundingMode.HALF_EVEN) : value;
        int floor = Math.min(minScale, priceScale);
        if (r.scale() <= floor) {
            return r;
        }
        BigDecimal stripped = r.stripTrailingZeros();
        return stripped.scale() < floor ? stripped.setScale(floor) : stripped;
    }
}
