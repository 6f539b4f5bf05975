package io.collateralrisk.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** USDC-USD implied by Binance.US's two BTC legs: what values the wallet book's stablecoin in the demo. */
class ImpliedUsdcTicksTest {

    private static final RiskConfig CONFIG = WalletBook.config();

    @Test
    void everyTickParsesUnderTheWalletBooksConfigurationAndShowsTheDepeg() throws IOException, InvalidInputException {
        List<String> lines = BundledPrices.impliedUsdcTicks(CONFIG.priceScale(BundledPrices.USDC_USD));
        InputParser parser = new InputParser(CONFIG);
        List<PriceTick> ticks = new ArrayList<>();
        for (String line : lines) {
            ticks.add(parser.parsePrice(line));
        }
        // Every minute BTCUSDC traded (BTCUSD traded in each of them too).
        assertThat(ticks).hasSize(5_486);
        assertThat(ticks).allSatisfy(t -> {
            assertThat(t.pair()).isEqualTo("USDC-USD");
            assertThat(t.kind()).isEqualTo(SourceKind.ORACLE);
            assertThat(t.price().scale()).isEqualTo(8);
        });
        assertThat(ticks).extracting(PriceTick::eventTime).isSorted();
        PriceTick lowest = ticks.stream().min(Comparator.comparing(PriceTick::price)).orElseThrow();
        // 20,086.85 / 22,960.78, the closes of the minute opening at 07:50 (SOURCE.md: BTCUSDC 14.3% above BTCUSD).
        assertThat(lowest.price()).isEqualByComparingTo("0.87483308");
        assertThat(Times.format(lowest.eventTime())).isEqualTo("2023-03-11T07:51:00.000Z");
        // The wallet book is built on 9 March, when USDC held its peg within 0.3%.
        long evening = Times.parseIso("2023-03-10T18:00:00Z");
        assertThat(ticks.stream().filter(t -> t.eventTime() < evening).map(PriceTick::price))
                .allMatch(p -> p.compareTo(new BigDecimal("0.997")) >= 0 && p.compareTo(new BigDecimal("1.003")) <= 0);
        // One source: the pair is UNAVAILABLE, and USDC portfolios UNVALUED, whenever it is older than the oracle maxAge.
        long longestGap = 0;
        for (int i = 1; i < ticks.size(); i++) {
            longestGap = Math.max(longestGap, ticks.get(i).eventTime() - ticks.get(i - 1).eventTime());
        }
        assertThat(longestGap).isEqualTo(55 * 60_000L).isLessThanOrEqualTo(CONFIG.pair("USDC-USD").maxAgeMs(SourceKind.ORACLE));
        assertThat(CONFIG.pair("USDC-USD").quorum()).isEqualTo(1);
        assertThat(CONFIG.crossMarginTokensWithoutPair()).doesNotContain("USDC", "BTC");
    }
}
