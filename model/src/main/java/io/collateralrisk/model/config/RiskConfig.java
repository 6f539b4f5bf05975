package io.collateralrisk.model.config;

import java.io.Serializable;
import java.util.Map;

/**
 * The whole configuration in force: built-in defaults with the file merged over them, validated.
 * Every decision records {@link #configHash()}, the SHA-256 of {@link #canonicalContent()}.
 */
public record RiskConfig(
        Map<String, Integer> assetScales,
        Map<String, PairConfig> pairs,
        DivergenceConfig divergence,
        Map<String, PolicyConfig> policies,
        LifecycleConfig lifecycle,
        SolvencyConfig solvency,
        long outOfOrderMs,
        long watermarkLagAlertMs,
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

    /** The scale of an asset, such as 2 for USD. */
    public int scale(String asset) {
        Integer scale = assetScales.get(asset);
        if (scale == null) {
            throw new IllegalArgumentException("unknown asset " + asset);
        }
        return scale;
    }

    /** The scale prices of a pair are printed at: its quote asset's. */
    public int priceScale(String pair) {
        return scale(pairs.get(pair).quote());
    }
}
