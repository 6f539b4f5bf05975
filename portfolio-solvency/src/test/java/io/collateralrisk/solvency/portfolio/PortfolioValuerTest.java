package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortfolioValuerTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              USDC: {scale: 6, varianceFactor: 1.02}
              SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}
              DOGE: {scale: 8, varianceFactor: 2}
              WBTC: {scale: 8, varianceFactor: 1.3, usdPair: BTC-USD}
              EUR: {scale: 2}
            pairs: {ETH-USD: {}, USDC-USD: {}}
            """);

    private final PortfolioValuer valuer = new PortfolioValuer(CONFIG);
    private final Map<String, PairQuote> quotes = new HashMap<>();
    private final Set<String> evaluated = new HashSet<>();
    private final PriceLookup prices = new PriceLookup() {
        @Override
        public PairQuote quote(String pair) {
            return quotes.get(pair);
        }

        @Override
        public boolean evaluated(String pair) {
            return evaluated.contains(pair);
        }
    };

    private void price(String pair, String credit, String debt) {
        evaluated.add(pair);
        quotes.put(pair, new PairQuote(pair, "eval-" + pair, 0L, new BigDecimal(credit), new BigDecimal(debt)));
    }

    private void price(String pair, String price) {
        price(pair, price, price);
    }

    private static TokenTotal total(String credit, String debt) {
        return new TokenTotal(new BigDecimal(credit), new BigDecimal(debt));
    }

    private static Ratio ratio(String numerator, String denominator) {
        return Ratio.of(new BigDecimal(numerator), new BigDecimal(denominator));
    }

    @Test
    void crossMarginedTokensAreNettedInUsdAtVirtualBalances() {
        price("BTC-USD", "10000");
        price("USDC-USD", "0.99987");
        // Credit: 1 BTC / 1.25 x 10000 = 8000. Debt: 7000 USDC x 1.02 x 0.99987 = 7139.0718.
        PortfolioValuation v = valuer.value(Map.of("BTC", total("1", "0"), "USDC", total("0", "7000")), prices);
        assertThat(v.valued()).isTrue();
        assertThat(v.crossCreditValue()).isEqualTo(ratio("8000", "1"));
        assertThat(v.crossDebtValue()).isEqualTo(ratio("7139.0718", "1"));
        assertThat(v.cross()).isEqualTo(ratio("7139.0718", "8000"));
        assertThat(v.utilization()).isEqualTo(v.cross());
        assertThat(v.quotes()).containsOnlyKeys("BTC", "USDC");
        assertThat(v.creditPairs()).containsExactly("BTC-USD");
        assertThat(v.debtPairs()).containsExactly("USDC-USD");
        assertThat(v.heldPairs()).containsExactly("BTC-USD", "USDC-USD");
    }

    @Test
    void aVirtualCreditThatDoesNotTerminateIsComparedExactly() {
        price("ETH-USD", "3000");
        // 1 ETH / 1.3 x 3000 = 2307.6923...; debt exactly 3000 / 1.3 in USD is utilization 1, not a rounding away from it.
        PortfolioValuation v = valuer.value(Map.of("ETH", total("1.3", "0"), "USD", total("0", "3000")), prices);
        assertThat(v.utilization().compareTo(BigDecimal.ONE)).isZero();
        PortfolioValuation below = valuer.value(Map.of("ETH", total("1.3", "0"), "USD", total("0", "2999.99999999")), prices);
        assertThat(below.utilization().compareTo(BigDecimal.ONE)).isNegative();
    }

    @Test
    void whileAnIncidentIsOpenCreditsTakeTheLowAndDebtsTheHighPrice() {
        price("BTC-USD", "9000", "11000");
        // Credit 2 BTC / 1.25 x 9000 = 14400; debt 1 BTC x 1.25 x 11000 = 13750.
        PortfolioValuation v = valuer.value(Map.of("BTC", total("2", "1")), prices);
        assertThat(v.cross()).isEqualTo(ratio("13750", "14400"));
        assertThat(v.creditPairs()).containsExactly("BTC-USD");
        assertThat(v.debtPairs()).containsExactly("BTC-USD");
    }

    @Test
    void aTokenAndItsWrappedFormMayShareAPair() {
        price("BTC-USD", "10000");
        PortfolioValuation v = valuer.value(Map.of("WBTC", total("1.3", "0"), "USD", total("0", "5000")), prices);
        assertThat(v.cross()).isEqualTo(ratio("5000", "10000"));
        assertThat(v.quotes().get("WBTC").pair()).isEqualTo("BTC-USD");
    }

    @Test
    void aTailTokenIsCoveredOnlyByItselfInItsOwnUnits() {
        // SOL: VD / VC = 4 x 1.5 / (9 / 1.5) = 1, no price needed.
        PortfolioValuation v = valuer.value(Map.of("SOL", total("9", "4"), "USD", total("10", "1")), prices);
        assertThat(v.valued()).isTrue();
        assertThat(v.tails()).containsOnlyKeys("SOL");
        assertThat(v.tails().get("SOL").compareTo(BigDecimal.ONE)).isZero();
        assertThat(v.worstTail()).isEqualTo(v.tails().get("SOL"));
        assertThat(v.cross()).isEqualTo(ratio("1", "10"));
        assertThat(v.utilization()).isEqualTo(v.tails().get("SOL"));
        assertThat(v.heldPairs()).isEmpty();
    }

    @Test
    void noDebtIsZeroAndDebtWithoutCreditIsInfinite() {
        assertThat(valuer.value(Map.of("USD", total("0", "0")), prices).utilization()).isEqualTo(Ratio.ZERO);
        assertThat(valuer.value(Map.of(), prices).utilization()).isEqualTo(Ratio.ZERO);
        assertThat(valuer.value(Map.of("USD", total("0", "1")), prices).cross().isInfinite()).isTrue();
        assertThat(valuer.value(Map.of("SOL", total("0", "0.000000001")), prices).tails().get("SOL").isInfinite()).isTrue();
        assertThat(valuer.value(Map.of("SOL", total("5", "0")), prices).tails().get("SOL")).isEqualTo(Ratio.ZERO);
    }

    @Test
    void aCrossMarginedTokenWithABalanceAndNoPriceLeavesItUnvaluedWithTheReason() {
        PortfolioValuation never = valuer.value(Map.of("ETH", total("1", "0"), "SOL", total("1", "1")), prices);
        assertThat(never.valued()).isFalse();
        assertThat(never.unvalued()).containsExactly("ETH:NEVER_EVALUATED");
        assertThat(never.cross()).isNull();
        assertThat(never.utilization()).isNull();
        assertThat(never.crossDebtValue()).isNull();
        assertThat(never.lowerBound()).isEqualTo(never.worstTail());
        assertThat(never.heldPairs()).containsExactly("ETH-USD");

        evaluated.add("ETH-USD");
        assertThat(valuer.value(Map.of("ETH", total("0", "1")), prices).unvalued()).containsExactly("ETH:PRICE_UNAVAILABLE");
        assertThat(valuer.value(Map.of("DOGE", total("1", "0")), prices).unvalued()).containsExactly("DOGE:NO_USD_PAIR");
    }

    @Test
    void aTokenWithoutBalanceNeedsNoPriceAndUsdNeedsNone() {
        PortfolioValuation v = valuer.value(Map.of("ETH", total("0", "0"), "USD", total("2", "1")), prices);
        assertThat(v.valued()).isTrue();
        assertThat(v.cross()).isEqualTo(ratio("1", "2"));
        assertThat(v.heldPairs()).isEmpty();
        assertThat(v.quotes()).isEmpty();
    }

    @Test
    void onlyTheSidesHeldArePriced() {
        price("BTC-USD", "10000");
        price("USDC-USD", "1");
        PortfolioValuation v = valuer.value(Map.of("BTC", total("0", "1"), "USDC", total("20000", "0")), prices);
        assertThat(v.creditPairs()).containsExactly("USDC-USD");
        assertThat(v.debtPairs()).containsExactly("BTC-USD");
    }

    @Test
    void aTokenTheConfigurationDoesNotValueIsNotConfiguredWhateverItsKind() {
        PortfolioValuation v = valuer.value(Map.of("XYZ", total("1", "0"), "EUR", total("0", "1"), "USD", total("5", "0")), prices);
        assertThat(v.valued()).isFalse();
        assertThat(v.unvalued()).containsExactly("EUR:NOT_CONFIGURED", "XYZ:NOT_CONFIGURED");
        assertThat(v.heldPairs()).isEmpty();
    }
}
