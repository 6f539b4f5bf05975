package io.collateralrisk.model.config;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * Cross-margined portfolio settings ({@code solvency.*}).
 *
 * @param requiredMargin kept from earlier configurations; no solvency rule reads it
 * @param warnUtilization utilization from which a portfolio is {@code AT_RISK}
 * @param hysteresis how far below a threshold utilization must fall before a portfolio moves down
 * @param maxPortfoliosPerWallet portfolios are numbered 0 to this minus 1
 * @param maxPositionsPerPortfolio live positions one portfolio may hold
 */
public record SolvencyConfig(
        BigDecimal requiredMargin,
        BigDecimal warnUtilization,
        BigDecimal hysteresis,
        int maxPortfoliosPerWallet,
        int maxPositionsPerPortfolio)
        implements Serializable {}
