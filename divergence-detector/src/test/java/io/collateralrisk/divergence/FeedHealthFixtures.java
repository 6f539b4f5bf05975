package io.collateralrisk.divergence;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.List;

/** Hand-made inputs of the feed-health stage, shared by its tests. */
final class FeedHealthFixtures {

    static final RiskConfig CONFIG = RiskConfig.defaults();

    private FeedHealthFixtures() {}

    /**
     * An evaluation as price evaluation emits it: status from the median (null below quorum), the
     * LTV price still the median, no incident yet. Null prices are unavailable.
     */
    static ReferencePrice evaluation(String pair, long t, String primary, String twap, String median) {
        BigDecimal m = median == null ? null : new BigDecimal(median);
        return new ReferencePrice(
                EventIds.of(ReferencePrice.TYPE, pair, t, ""),
                EventIds.evaluationId(pair, t),
                t,
                pair,
                m == null ? PriceStatus.UNAVAILABLE : PriceStatus.OK,
                m,
                m,
                twap == null ? null : new BigDecimal(twap),
                primary == null ? null : new BigDecimal(primary),
                false,
                List.of(),
                List.of(),
                CONFIG.configHash());
    }
}
