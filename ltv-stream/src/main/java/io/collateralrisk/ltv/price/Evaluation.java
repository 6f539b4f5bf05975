package io.collateralrisk.ltv.price;

import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.SourcePrice;
import java.math.BigDecimal;
import java.util.List;

/**
 * The outcome of evaluating a pair at one instant. Ticks' prices are as they arrived, computed
 * prices (a mean of two, the TWAP) at the pair's {@code priceScale}; the exchange median is kept
 * exact because it feeds the TWAP.
 *
 * @param median null while {@code UNAVAILABLE}
 * @param exchangeMedian median of the fresh, non-excluded exchanges (quorum 1); null if none
 * @param twap null once no exchange median was computed within the TWAP window
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
