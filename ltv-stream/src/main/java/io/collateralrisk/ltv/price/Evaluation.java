package io.collateralrisk.ltv.price;

import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.SourcePrice;
import java.math.BigDecimal;
import java.util.List;

/**
 * The outcome of evaluating a pair at one instant. Prices are at the quote asset's scale; the
 * exchange median is kept exact because it feeds the TWAP.
 *
 * @param median null while {@code UNAVAILABLE}
 * @param exchangeMedian median of the fresh, non-excluded exchanges (quorum 1); null if none
 * @param twap null when no exchange is fresh
 * @param primary the freshest non-excluded oracle; null if none
 * @param usable fresh, non-excluded sources
 */
public record Evaluation(
        PriceStatus status,
        BigDecimal median,
        BigDecimal exchangeMedian,
        BigDecimal twap,
        BigDecimal primary,
        List<SourcePrice> used,
        List<ExcludedSource> excluded,
        int usable) {}
