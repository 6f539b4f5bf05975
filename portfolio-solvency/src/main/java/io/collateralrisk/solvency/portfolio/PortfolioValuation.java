package io.collateralrisk.solvency.portfolio;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A portfolio valued at one set of prices (SPEC.md, "Portfolio solvency", Valuation).
 *
 * @param totals per token, credits and debts summed over the positions, sorted by token
 * @param crossDebtValue {@code sum(VD_k x P_k)} over cross-margined tokens (debt prices); null when unvalued
 * @param crossCreditValue {@code sum(VC_k x P_k)} over cross-margined tokens (credit prices); null when unvalued
 * @param tails {@code U_k = VD_k / VC_k} of each tail token with a balance, sorted by token
 * @param unvalued cross-margined tokens with a balance and no price, as {@code TOKEN:REASON}; empty when valued
 * @param quotes the quote used for each priced cross-margined token (USD needs none)
 * @param creditPairs pairs whose credit price enters {@code crossCreditValue}
 * @param debtPairs pairs whose debt price enters {@code crossDebtValue}
 * @param heldPairs pairs of every cross-margined token with a balance, priced or not
 */
public record PortfolioValuation(
        Map<String, TokenTotal> totals,
        Ratio crossDebtValue,
        Ratio crossCreditValue,
        Map<String, Ratio> tails,
        List<String> unvalued,
        Map<String, PairQuote> quotes,
        Set<String> creditPairs,
        Set<String> debtPairs,
        Set<String> heldPairs) {

    /** Whether every cross-margined token with a balance has a price. */
    public boolean valued() {
        return unvalued.isEmpty();
    }

    /** {@code U} of the cross-margined set; null when unvalued. */
    public Ratio cross() {
        return valued() ? Ratio.utilization(crossDebtValue, crossCreditValue) : null;
    }

    /** The worst tail utilization; zero without tail tokens. */
    public Ratio worstTail() {
        return tails.values().stream().reduce(Ratio.ZERO, Ratio::max);
    }

    /** The portfolio's utilization, the worst of {@code U} and every {@code U_k}; null when unvalued. */
    public Ratio utilization() {
        return valued() ? cross().max(worstTail()) : null;
    }

    /** What is known for certain: the utilization when valued, else the worst tail (the true value is no lower). */
    public Ratio lowerBound() {
        return valued() ? utilization() : worstTail();
    }

    /** Whether {@code utilization} is at least {@code threshold}, exactly. */
    public static boolean atLeast(Ratio utilization, BigDecimal threshold) {
        return utilization.compareTo(threshold) >= 0;
    }
}
