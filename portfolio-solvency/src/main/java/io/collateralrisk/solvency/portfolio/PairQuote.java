package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.stream.Stream;

/**
 * The USD price of a pair as portfolio valuation uses it: credits are valued at
 * {@code creditPrice} and debts at {@code debtPrice}. The two are the LTV price, except while a
 * divergence incident is open: then credits take the lowest and debts the highest of primary,
 * TWAP and median, conservative both ways.
 */
public record PairQuote(String pair, String evaluationId, long eventTime, BigDecimal creditPrice, BigDecimal debtPrice)
        implements Serializable {

    public PairQuote {
        if (creditPrice.signum() <= 0 || debtPrice.compareTo(creditPrice) < 0) {
            throw new IllegalArgumentException("prices must be positive, the debt price not below the credit price");
        }
    }

    /** The quote of an evaluation, or null while the pair is {@code UNAVAILABLE} (no price at a guess). */
    public static PairQuote of(ReferencePrice r) {
        if (r.status() != PriceStatus.OK || r.price() == null) {
            return null;
        }
        if (!r.incidentOpen()) {
            return new PairQuote(r.pair(), r.evaluationId(), r.eventTime(), r.price(), r.price());
        }
        BigDecimal low = Stream.of(r.primary(), r.twap(), r.median(), r.price()).filter(p -> p != null).min(BigDecimal::compareTo).orElseThrow();
        BigDecimal high = Stream.of(r.primary(), r.twap(), r.median(), r.price()).filter(p -> p != null).max(BigDecimal::compareTo).orElseThrow();
        return new PairQuote(r.pair(), r.evaluationId(), r.eventTime(), low, high);
    }
}
