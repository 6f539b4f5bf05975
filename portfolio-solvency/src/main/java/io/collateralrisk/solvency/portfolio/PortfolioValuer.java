package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.config.AssetConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Values a portfolio's token totals at the latest prices, exactly.
 *
 * <pre>
 * per token k:   VC_k = C_k / v_k          VD_k = D_k x v_k
 * cross-margined (crossMargin: true), netted in USD at the pair's prices (USD at 1):
 *                U   = sum(VD_k x Pdebt_k) / sum(VC_k x Pcredit_k)
 * tail (crossMargin: false), in its own units, no price:
 *                U_k = VD_k / VC_k
 * no debt: 0; debt without credit: infinite
 * </pre>
 *
 * A cross-margined token with a balance and no price leaves the cross-margined set unvalued,
 * with the reason: {@code NO_USD_PAIR} (its {@code usdPair} is not configured),
 * {@code NEVER_EVALUATED} or {@code PRICE_UNAVAILABLE}; a token the configuration no longer
 * values at all (state restored under another configuration) is {@code NOT_CONFIGURED}, whatever
 * its kind. A token whose balances are all zero
 * needs no price.
 */
public final class PortfolioValuer {

    /** A token with a balance that the configuration in force does not value. */
    static final String NOT_CONFIGURED = "NOT_CONFIGURED";

    private final RiskConfig config;

    public PortfolioValuer(RiskConfig config) {
        this.config = config;
    }

    public PortfolioValuation value(Map<String, TokenTotal> totals, PriceLookup prices) {
        Ratio debtValue = Ratio.ZERO;
        Ratio creditValue = Ratio.ZERO;
        Map<String, Ratio> tails = new TreeMap<>();
        List<String> unvalued = new ArrayList<>();
        Map<String, PairQuote> quotes = new TreeMap<>();
        TreeSet<String> creditPairs = new TreeSet<>();
        TreeSet<String> debtPairs = new TreeSet<>();
        TreeSet<String> heldPairs = new TreeSet<>();
        for (Map.Entry<String, TokenTotal> e : new TreeMap<>(totals).entrySet()) {
            String token = e.getKey();
            TokenTotal total = e.getValue();
            if (total.isZero()) {
                continue;
            }
            AssetConfig asset = config.asset(token);
            if (asset == null || !asset.portfolioEligible()) {
                // Restored state can name a token the configuration in force no longer values: held, never guessed.
                unvalued.add(token + ":" + NOT_CONFIGURED);
                continue;
            }
            BigDecimal v = asset.varianceFactor();
            Ratio virtualCredit = Ratio.of(total.credit(), v);
            BigDecimal virtualDebt = total.debt().multiply(v);
            if (!asset.crossMargin()) {
                tails.put(token, Ratio.utilization(Ratio.of(virtualDebt), virtualCredit));
                continue;
            }
            BigDecimal creditPrice = BigDecimal.ONE;
            BigDecimal debtPrice = BigDecimal.ONE;
            if (!AssetConfig.QUOTE_CURRENCY.equals(token)) {
                String pair = asset.usdPair();
                heldPairs.add(pair);
                PairQuote quote = config.pair(pair) == null ? null : prices.quote(pair);
                if (quote == null) {
                    unvalued.add(token + ":" + missingPriceReason(pair, prices));
                    continue;
                }
                quotes.put(token, quote);
                creditPrice = quote.creditPrice();
                debtPrice = quote.debtPrice();
                if (total.credit().signum() > 0) {
                    creditPairs.add(pair);
                }
                if (total.debt().signum() > 0) {
                    debtPairs.add(pair);
                }
            }
            creditValue = creditValue.add(virtualCredit.multiply(creditPrice));
            debtValue = debtValue.add(Ratio.of(virtualDebt.multiply(debtPrice)));
        }
        boolean valued = unvalued.isEmpty();
        return new PortfolioValuation(
                Collections.unmodifiableMap(new TreeMap<>(totals)),
                valued ? debtValue : null,
                valued ? creditValue : null,
                Collections.unmodifiableMap(tails),
                List.copyOf(unvalued),
                Collections.unmodifiableMap(quotes),
                Collections.unmodifiableSet(creditPairs),
                Collections.unmodifiableSet(debtPairs),
                Collections.unmodifiableSet(heldPairs));
    }

    private String missingPriceReason(String pair, PriceLookup prices) {
        if (config.pair(pair) == null) {
            return "NO_USD_PAIR";
        }
        return prices.evaluated(pair) ? "PRICE_UNAVAILABLE" : "NEVER_EVALUATED";
    }
}
