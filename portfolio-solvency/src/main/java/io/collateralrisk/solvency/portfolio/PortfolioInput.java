package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.PortfolioEvent;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;

/**
 * A parsed {@code portfolio-events} record on its way through Flink: exactly one event field is
 * set (Flink serializes records field by field; an interface-typed field would need Kryo). The
 * raw payload and location travel along so that a record the book refuses is dead-lettered with
 * the input it was. A {@link PositionRecordRefused} travels too: its version is checked first.
 */
public record PortfolioInput(
        PositionInstalled installed,
        PositionUpdated updated,
        PositionUninstalled uninstalled,
        PositionRecordRefused refused,
        String location,
        String payload) {

    public static PortfolioInput of(PortfolioEvent event, String location, String payload) {
        if (event instanceof PositionInstalled e) {
            return new PortfolioInput(e, null, null, null, location, payload);
        } else if (event instanceof PositionUpdated e) {
            return new PortfolioInput(null, e, null, null, location, payload);
        } else if (event instanceof PositionUninstalled e) {
            return new PortfolioInput(null, null, e, null, location, payload);
        }
        return new PortfolioInput(null, null, null, (PositionRecordRefused) event, location, payload);
    }

    public PortfolioEvent event() {
        if (installed != null) {
            return installed;
        }
        if (updated != null) {
            return updated;
        }
        if (uninstalled != null) {
            return uninstalled;
        }
        return refused;
    }

    public String wallet() {
        return event().wallet();
    }

    public long eventTime() {
        return event().eventTime();
    }

    /** The key of the wallet's shard. */
    public String shardKey() {
        return KeyGroupKeys.portfolioShardKey(wallet());
    }
}
