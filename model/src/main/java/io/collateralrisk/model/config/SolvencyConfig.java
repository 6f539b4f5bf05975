package io.collateralrisk.model.config;

import java.io.Serializable;
import java.math.BigDecimal;

/** Cross-margined portfolio limits and the required margin. */
public record SolvencyConfig(BigDecimal requiredMargin, int maxPortfoliosPerWallet, int maxPositionsPerPortfolio)
        implements Serializable {}
