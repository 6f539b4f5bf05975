package io.collateralrisk.model.config;

import java.io.Serializable;
import java.util.Map;

/**
 * The whole configuration in force: built-in defaults with the file merged over them, validated.
 * Every decision records {@link #configHash()}, the SHA-256 of {@link #canonicalContent()}.
 *
 * @param outOfOrderMs {@code lateness.outOfOrder}: how far a tick may trail the newest of its source
 * @param maxAheadMs {@code lateness.maxAhead}: how far a record may be ahead of its reference clock
 * @param idleTimeoutMs {@code live.idleTimeout}: after this long without records a price partition holds no one back
 */
public record RiskConfig(
        Map<String, Integer> assetScales,
        Map<String, AssetConfig> assets,
        Map<String, PairConfig> pairs,
        DivergenceConfig divergence,
        Map<String, PolicyConfig> policies,
        LifecycleConfig lifecycle,
        SolvencyConfig solvency,
        CustodyConfig custody,
        long outOfOrderMs,
        long maxAheadMs,
        long watermarkLagAlertMs,
        long idleTimeoutMs,
        int auditTimeTravelDays,
        AuditCatalogConfig auditCatalog,
        String canonicalContent,
        String configHash)
        implements Serializable {

    /** The built-in defaults. */
    public static RiskConfig defaults() {
        return ConfigLoader.defaults();
    }

    public PairConfig pair(String pair) {
        return pairs.get(pair);
    }

    /** The asset's settings, or null when {@code asset} is not configured. */
    public AssetConfig asset(String asset) {
        return assets.get(asset);
    }

    /**
     * Cross-margined portfolio tokens (other than USD) whose {@code usdPair} is not a configured
     * pair: they never have a price, so portfolios holding them stay {@code UNVALUED}. Raised as an
     * alert at start rather than refused, as the spec asks.
     */
    public java.util.SortedSet<String> crossMarginTokensWithoutPair() {
        java.util.SortedSet<String> tokens = new java.util.TreeSet<>();
        assets.forEach((token, asset) -> {
            if (asset.portfolioEligible() && asset.crossMargin() && !AssetConfig.QUOTE_CURRENCY.equals(token)
                    && !pairs.containsKey(asset.usdPair())) {
                tokens.add(token);
            }
        });
        return tokens;
    }

    /** The scale of an asset, such as 2 for USD. */
    public int scale(String asset) {
        Integer scale = assetScales.get(asset);
        if (scale == null) {
            throw new IllegalArgumentException("unknown asset " + asset);
        }
        return scale;
    }

    /**
     * The decimal places a computed price of a pair (a mean of two, the TWAP) is rounded to:
     * {@code pairs.*.priceScale}, never the quote asset's scale.
     */
    public int priceScale(String pair) {
        return pairs.get(pair).priceScale();
    }
}
