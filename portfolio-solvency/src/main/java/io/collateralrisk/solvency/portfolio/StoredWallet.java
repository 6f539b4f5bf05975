package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.PositionBalances;
import java.util.List;

/**
 * What durable state keeps of one wallet in {@link PortfolioBook}: the last applied version of
 * every position id the wallet ever had (live or uninstalled, so that an old record cannot bring
 * one back), the live positions with their balances, and each portfolio's state. Everything else
 * the book holds (valuations, the price-band index) is derived from this and the quotes.
 *
 * @param positions by position id
 * @param portfolios by index
 */
public record StoredWallet(List<Position> positions, List<Portfolio> portfolios) {

    /**
     * One position id and its last applied version.
     *
     * @param portfolio where it lives; null once uninstalled
     * @param balances its record; null once uninstalled
     */
    public record Position(String position, long version, Integer portfolio, PositionBalances balances) {

        public boolean live() {
            return portfolio != null;
        }
    }

    /** A portfolio's state ({@link SolvencyState} name). */
    public record Portfolio(int portfolio, String state) {}
}
