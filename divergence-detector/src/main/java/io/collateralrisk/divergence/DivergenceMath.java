package io.collateralrisk.divergence;

import io.collateralrisk.model.ReferencePrice;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** The divergence of the primary oracle from the exchange TWAP, and the conservative LTV price. */
public final class DivergenceMath {

    /** Readings are reported with this many decimals; the threshold comparison is exact. */
    public static final int SCALE = 6;

    private DivergenceMath() {}

    /** The reading of an evaluation, or null when it lacks a primary or a TWAP. */
    public static DivergenceReading reading(ReferencePrice r, BigDecimal threshold) {
        if (r.primary() == null || r.twap() == null || r.twap().signum() <= 0) {
            return null;
        }
        BigDecimal gap = r.primary().subtract(r.twap()).abs();
        // Exact: |p - twap| > threshold x twap, without dividing.
        boolean above = gap.compareTo(threshold.multiply(r.twap())) > 0;
        BigDecimal divergence = gap.divide(r.twap(), MathContext.DECIMAL64).setScale(SCALE, RoundingMode.HALF_EVEN);
        return new DivergenceReading(r.pair(), r.eventTime(), r.evaluationId(), r.primary(), r.twap(), r.median(), divergence, above);
    }

    /**
     * The LTV price while an incident is open: the lowest of primary, TWAP and median that is
     * available (a lower collateral value, a higher LTV). Null while the pair is unavailable.
     */
    public static BigDecimal conservative(ReferencePrice r) {
        if (r.median() == null) {
            return null;
        }
        BigDecimal lowest = r.median();
        if (r.primary() != null && r.primary().compareTo(lowest) < 0) {
            lowest = r.primary();
        }
        if (r.twap() != null && r.twap().compareTo(lowest) < 0) {
            lowest = r.twap();
        }
        return lowest;
    }
}
