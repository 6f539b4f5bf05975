package io.collateralrisk.solvency.portfolio;

import java.io.Serializable;
import java.util.Comparator;

/** A portfolio: {@code (wallet, portfolio)}. Ordered by wallet, then index. */
public record PortfolioId(String wallet, int portfolio) implements Comparable<PortfolioId>, Serializable {

    private static final Comparator<PortfolioId> ORDER =
            Comparator.comparing(PortfolioId::wallet).thenComparingInt(PortfolioId::portfolio);

    @Override
    public int compareTo(PortfolioId other) {
        return ORDER.compare(this, other);
    }
}
