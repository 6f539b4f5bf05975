package io.collateralrisk.model.config;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * One entry of {@code assets}: how amounts of the token are printed and how portfolio solvency
 * treats it.
 *
 * @param scale decimal places of the token's amounts in outputs
 * @param varianceFactor {@code v} in {@code VC = C / v} and {@code VD = D x v}; at least 1, and 1
 *     only for the quote currency {@code USD}. Null when the file gives none for an asset it adds:
 *     such a token has only a scale, and portfolio events naming it are refused
 * @param crossMargin whether the token is netted in USD with the other cross-margined tokens
 *     ({@code true}) or can only be covered by credits in itself (a tail token)
 * @param usdPair the pair whose LTV price values the token in USD; not necessarily configured (a
 *     cross-margined token without a configured pair has no price)
 */
public record AssetConfig(int scale, BigDecimal varianceFactor, boolean crossMargin, String usdPair) implements Serializable {

    /** The currency portfolios are valued in: priced at 1 without any pair. */
    public static final String QUOTE_CURRENCY = "USD";

    /** Whether portfolios may hold the token: it needs a variance factor. */
    public boolean portfolioEligible() {
        return varianceFactor != null;
    }
}
