package io.collateralrisk.solvency.portfolio;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * One token of a portfolio, summed over its positions: {@code credit} ({@code C}) and
 * {@code debt} ({@code D} = debts + deltas), in the token's units.
 */
public record TokenTotal(BigDecimal credit, BigDecimal debt) implements Serializable {

    public static final TokenTotal ZERO = new TokenTotal(BigDecimal.ZERO, BigDecimal.ZERO);

    /** Both totals added. */
    public static TokenTotal sum(TokenTotal a, TokenTotal b) {
        return new TokenTotal(a.credit.add(b.credit), a.debt.add(b.debt));
    }

    public boolean isZero() {
        return credit.signum() == 0 && debt.signum() == 0;
    }
}
