package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.solvency.portfolio.PriceBandIndex.Band;
import io.collateralrisk.solvency.portfolio.PriceBandIndex.Side;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PriceBandIndexTest {

    private final PriceBandIndex<String> index = new PriceBandIndex<>();

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    private static PairQuote quote(String pair, String credit, String debt) {
        return new PairQuote(pair, "e", 0L, d(credit), d(debt));
    }

    /** A valuation that priced {@code quotes} (by token), with credit and debt exposure on the given pairs. */
    private static PortfolioValuation valuation(Map<String, PairQuote> quotes, Set<String> credit, Set<String> debt, Set<String> held) {
        return new PortfolioValuation(Map.of(), Ratio.ZERO, Ratio.ZERO, Map.of(), List.of(), quotes, credit, debt, held);
    }

    private static PortfolioValuation btcCreditUsdcDebt() {
        return valuation(
                Map.of("BTC", quote("BTC-USD", "100", "100"), "USDC", quote("USDC-USD", "1", "1")),
                Set.of("BTC-USD"), Set.of("USDC-USD"), Set.of("BTC-USD", "USDC-USD"));
    }

    @Test
    void aPortfolioIsFiledUnderABandAroundEachPriceItsValueDependsOn() {
        index.put("A", btcCreditUsdcDebt(), d("0.1"));
        assertThat(index.bandsOf("A")).containsExactlyInAnyOrder(
                new Band("BTC-USD", Side.CREDIT, d("90.0"), d("110.0")),
                new Band("USDC-USD", Side.DEBT, d("0.9"), d("1.1")));
        assertThat(index.bandedCount()).isEqualTo(1);
    }

    @Test
    void aMoveStrictlyInsideTheBandFindsNothingAndOneAtOrBeyondABoundFindsIt() {
        index.put("A", btcCreditUsdcDebt(), d("0.1"));
        assertThat(index.moved("BTC-USD", d("90.01"), d("90.01"))).isEmpty();
        assertThat(index.moved("BTC-USD", d("109.99"), d("109.99"))).isEmpty();
        assertThat(index.moved("BTC-USD", d("90"), d("90"))).containsExactly("A");
        assertThat(index.moved("BTC-USD", d("89.99"), d("89.99"))).containsExactly("A");
        assertThat(index.moved("BTC-USD", d("110"), d("110"))).containsExactly("A");
        assertThat(index.moved("BTC-USD", d("150"), d("150"))).containsExactly("A");
        assertThat(index.moved("ETH-USD", d("1"), d("1"))).isEmpty();
    }

    @Test
    void eachSideIsWatchedWithItsOwnPrice() {
        index.put("A", btcCreditUsdcDebt(), d("0.1"));
        // BTC is held as credit only: its debt price may go anywhere.
        assertThat(index.moved("BTC-USD", d("100"), d("500"))).isEmpty();
        assertThat(index.moved("BTC-USD", d("80"), d("100"))).containsExactly("A");
        // USDC is held as debt only.
        assertThat(index.moved("USDC-USD", d("0.5"), d("1"))).isEmpty();
        assertThat(index.moved("USDC-USD", d("1"), d("1.1"))).containsExactly("A");
    }

    @Test
    void aMoveOfAtLeastOneHasNoLowerBound() {
        index.put("A", btcCreditUsdcDebt(), d("1"));
        assertThat(index.bandsOf("A")).contains(new Band("BTC-USD", Side.CREDIT, null, d("200")));
        assertThat(index.moved("BTC-USD", d("0.00000001"), d("0.00000001"))).isEmpty();
        assertThat(index.moved("BTC-USD", d("200"), d("200"))).containsExactly("A");
        index.put("B", btcCreditUsdcDebt(), d("0.999"));
        assertThat(index.moved("BTC-USD", d("0.1"), d("0.1"))).containsExactly("B");
    }

    @Test
    void aZeroMoveIsFoundByAnyPriceEvenTheSame() {
        index.put("A", btcCreditUsdcDebt(), BigDecimal.ZERO);
        assertThat(index.moved("BTC-USD", d("100"), d("100"))).containsExactly("A");
    }

    @Test
    void filingAgainReplacesAndRemovingForgets() {
        index.put("A", btcCreditUsdcDebt(), d("0.1"));
        index.put("A", btcCreditUsdcDebt(), d("0.5"));
        assertThat(index.moved("BTC-USD", d("80"), d("80"))).isEmpty();
        assertThat(index.moved("BTC-USD", d("50"), d("50"))).containsExactly("A");
        index.remove("A");
        assertThat(index.moved("BTC-USD", d("50"), d("50"))).isEmpty();
        assertThat(index.holders("BTC-USD")).isEmpty();
        assertThat(index.bandsOf("A")).isEmpty();
        assertThat(index.bandedCount()).isZero();
        index.remove("A");
    }

    @Test
    void withoutAMoveAPortfolioIsOnlyAHolder() {
        index.put("A", btcCreditUsdcDebt(), null);
        assertThat(index.bandsOf("A")).isEmpty();
        assertThat(index.moved("BTC-USD", d("1"), d("1"))).isEmpty();
        assertThat(index.holders("BTC-USD")).containsExactly("A");
        assertThat(index.holders("USDC-USD")).containsExactly("A");
    }

    @Test
    void holdersIncludeUnpricedPairsAndComeInOrder() {
        PortfolioValuation unpriced = valuation(Map.of(), Set.of(), Set.of(), Set.of("ETH-USD"));
        index.put("C", unpriced, null);
        index.put("A", unpriced, null);
        index.put("B", btcCreditUsdcDebt(), d("0.1"));
        assertThat(index.holders("ETH-USD")).containsExactly("A", "C");
        index.remove("C");
        assertThat(index.holders("ETH-USD")).containsExactly("A");
        assertThat(index.holders("BTC-USD")).containsExactly("B");
    }

    @Test
    void portfoliosSharingABoundAreAllFoundAndRemovedOneByOne() {
        index.put("B", btcCreditUsdcDebt(), d("0.1"));
        index.put("A", btcCreditUsdcDebt(), d("0.1"));
        assertThat(index.moved("BTC-USD", d("90"), d("90"))).containsExactly("A", "B");
        index.remove("A");
        assertThat(index.moved("BTC-USD", d("90"), d("90"))).containsExactly("B");
        assertThat(index.moved("BTC-USD", d("110"), d("110"))).containsExactly("B");
    }

    @Test
    void twoTokensOnOnePairFileOneBandPerSide() {
        PortfolioValuation wrapped = valuation(
                Map.of("BTC", quote("BTC-USD", "100", "100"), "WBTC", quote("BTC-USD", "100", "100")),
                Set.of("BTC-USD"), Set.of(), Set.of("BTC-USD"));
        index.put("A", wrapped, d("0.1"));
        assertThat(index.bandsOf("A")).containsExactly(new Band("BTC-USD", Side.CREDIT, d("90.0"), d("110.0")));
    }
}
