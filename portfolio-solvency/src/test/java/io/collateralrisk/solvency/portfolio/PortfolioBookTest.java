package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.solvency.portfolio.PortfolioOutcome.Kind;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PortfolioBookTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}
              DOGE: {scale: 8, varianceFactor: 2}
            pairs: {ETH-USD: {}}
            solvency: {maxPositionsPerPortfolio: 3}
            """);
    /** 2024-03-01T12:00:00Z and the instants after it. */
    private static final long NOON = 1_709_294_400_000L;
    private static final long T1 = NOON + 1_000;
    private static final long T2 = NOON + 2_000;
    private static final String W = "W-1";
    private static final PortfolioId P3 = new PortfolioId(W, 3);

    private PortfolioBook book;

    @BeforeEach
    void openBook() {
        book = new PortfolioBook(CONFIG, "v-test");
        price("10000", NOON);
    }

    /** BTC-USD at {@code price}: 1 BTC of credit is worth 10000 / 1.25 = 8000 virtual USD at 10000. */
    private List<SolvencyEvent> price(String price, long t) {
        BigDecimal p = new BigDecimal(price);
        return book.onQuote("BTC-USD", new PairQuote("BTC-USD", EventIds.evaluationId("BTC-USD", t), t, p, p), t, EventIds.evaluationId("BTC-USD", t), false);
    }

    private static Map<String, BigDecimal> amounts(String... tokenAmount) {
        java.util.Map<String, BigDecimal> m = new java.util.TreeMap<>();
        for (int i = 0; i < tokenAmount.length; i += 2) {
            m.put(tokenAmount[i], new BigDecimal(tokenAmount[i + 1]));
        }
        return m;
    }

    /** A position of {@code btc} BTC of credit and {@code usd} USD of debt. */
    private static PositionBalances btcAgainstUsd(String btc, String usd) {
        return new PositionBalances(amounts("BTC", btc), amounts("USD", usd), Map.of());
    }

    private PortfolioOutcome install(String position, int portfolio, PositionBalances b, long version, long t) {
        return book.apply(new PositionInstalled(t, W, portfolio, position, "amm", b, version), false);
    }

    private PortfolioOutcome update(String position, int portfolio, PositionBalances b, long version, long t) {
        return book.apply(new PositionUpdated(t, W, portfolio, position, b, version), false);
    }

    private PortfolioOutcome uninstall(String position, int portfolio, long version, long t) {
        return book.apply(new PositionUninstalled(t, W, portfolio, position, version), false);
    }

    private static List<String> types(PortfolioOutcome o) {
        return o.events().stream().map(SolvencyEvent::type).toList();
    }

    @Nested
    class Versions {

        @Test
        void aRecordNotNewerThanTheLastAppliedIsAStaleNoOpWhateverElseIsWrong() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 5, NOON);
            assertThat(update("P-1", 3, btcAgainstUsd("1", "9000"), 5, T1).kind()).isEqualTo(Kind.STALE);
            assertThat(update("P-1", 3, btcAgainstUsd("1", "9000"), 4, T1).kind()).isEqualTo(Kind.STALE);
            assertThat(install("P-1", 3, btcAgainstUsd("1", "9000"), 5, T1).kind()).isEqualTo(Kind.STALE);
            assertThat(book.apply(new PositionRecordRefused(T1, W, "P-1", 5, "POSITION_UPDATED", "UNKNOWN_TOKEN", "x"), false).kind())
                    .isEqualTo(Kind.STALE);
            assertThat(update("P-1", 7, btcAgainstUsd("1", "9000"), 2, T1).kind()).isEqualTo(Kind.STALE);
            assertThat(book.state(P3)).isEqualTo(SolvencyState.SOLVENT);
        }

        @Test
        void aNewerRefusedRecordIsDeadLetteredWithItsOwnReason() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            PortfolioOutcome o = book.apply(new PositionRecordRefused(T1, W, "P-1", 2, "POSITION_UPDATED", "UNKNOWN_TOKEN", "token 'X'"), false);
            assertThat(o).isEqualTo(new PortfolioOutcome(Kind.REFUSED, "UNKNOWN_TOKEN", "token 'X'", List.of()));
            // A refusal applies nothing: version 2 is still new.
            assertThat(update("P-1", 3, btcAgainstUsd("1", "1000"), 2, T2).kind()).isEqualTo(Kind.APPLIED);
        }

        @Test
        void anUninstalledPositionMayBeInstalledAgainOnlyWithANewerVersion() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            assertThat(uninstall("P-1", 3, 2, T1).kind()).isEqualTo(Kind.APPLIED);
            assertThat(book.state(P3)).isNull();
            assertThat(install("P-1", 5, btcAgainstUsd("1", "1000"), 2, T2).kind()).isEqualTo(Kind.STALE);
            assertThat(install("P-1", 5, btcAgainstUsd("1", "1000"), 3, T2).kind()).isEqualTo(Kind.APPLIED);
            assertThat(book.state(new PortfolioId(W, 5))).isEqualTo(SolvencyState.SOLVENT);
        }
    }

    @Nested
    class Refusals {

        @Test
        void aSecondInstallOfALivePositionIsAlreadyInstalled() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            PortfolioOutcome o = install("P-1", 4, btcAgainstUsd("1", "1000"), 2, T1);
            assertThat(o.kind()).isEqualTo(Kind.REFUSED);
            assertThat(o.reason()).isEqualTo("ALREADY_INSTALLED");
            assertThat(o.detail()).contains("P-1").contains("portfolio 3");
            assertThat(book.state(new PortfolioId(W, 4))).isNull();
        }

        @Test
        void anUpdateOrUninstallOfAPositionNeverInstalledIsUnknown() {
            assertThat(update("P-9", 3, btcAgainstUsd("1", "1"), 1, NOON).reason()).isEqualTo("UNKNOWN_POSITION");
            assertThat(uninstall("P-9", 3, 1, NOON).reason()).isEqualTo("UNKNOWN_POSITION");
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            PortfolioOutcome o = update("P-9", 3, btcAgainstUsd("1", "1"), 1, NOON);
            assertThat(o.reason()).isEqualTo("UNKNOWN_POSITION");
            assertThat(o.detail()).contains("P-9");
            uninstall("P-1", 3, 2, T1);
            assertThat(update("P-1", 3, btcAgainstUsd("1", "1"), 3, T2).reason()).isEqualTo("UNKNOWN_POSITION");
        }

        @Test
        void aPositionNamedInAnotherPortfolioIsAMismatch() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            PortfolioOutcome o = update("P-1", 4, btcAgainstUsd("1", "1000"), 2, T1);
            assertThat(o.reason()).isEqualTo("PORTFOLIO_MISMATCH");
            assertThat(o.detail()).contains("portfolio 3, not 4");
            assertThat(uninstall("P-1", 4, 2, T1).reason()).isEqualTo("PORTFOLIO_MISMATCH");
            assertThat(book.state(P3)).isEqualTo(SolvencyState.SOLVENT);
        }

        @Test
        void anInstallBeyondThePositionLimitIsRefusedAndChangesNothing() {
            install("P-1", 3, btcAgainstUsd("1", "0"), 1, NOON);
            install("P-2", 3, btcAgainstUsd("1", "0"), 1, NOON);
            assertThat(install("P-3", 3, btcAgainstUsd("1", "0"), 1, NOON).kind()).isEqualTo(Kind.APPLIED);
            PortfolioOutcome o = install("P-4", 3, btcAgainstUsd("0", "99999"), 1, NOON);
            assertThat(o.reason()).isEqualTo("LIMIT_EXCEEDED");
            assertThat(o.detail()).contains("3 positions");
            assertThat(book.state(P3)).isEqualTo(SolvencyState.SOLVENT);
            // Refused, so never applied: it may still be installed elsewhere at the same version.
            assertThat(install("P-4", 2, btcAgainstUsd("1", "0"), 1, NOON).kind()).isEqualTo(Kind.APPLIED);
            // Room again after an uninstall.
            uninstall("P-3", 3, 2, T1);
            assertThat(install("P-5", 3, btcAgainstUsd("1", "0"), 1, T1).kind()).isEqualTo(Kind.APPLIED);
        }
    }

    @Nested
    class Transitions {

        @Test
        void aFirstInstallThatStaysSolventEmitsNothing() {
            // 7199.99 / 8000 is just below 0.90.
            PortfolioOutcome o = install("P-1", 3, btcAgainstUsd("1", "7199.99"), 1, NOON);
            assertThat(o.kind()).isEqualTo(Kind.APPLIED);
            assertThat(o.events()).isEmpty();
            assertThat(book.state(P3)).isEqualTo(SolvencyState.SOLVENT);
        }

        @Test
        void aFirstInstallThatLandsElsewhereEmitsTheStateEntered() {
            PortfolioOutcome o = install("P-1", 3, btcAgainstUsd("1", "7200"), 1, NOON);
            assertThat(types(o)).containsExactly("PORTFOLIO_AT_RISK");
            SolvencyEvent e = o.events().get(0);
            assertThat(e.state()).isEqualTo("AT_RISK");
            assertThat(e.previousState()).isEqualTo("SOLVENT");
            assertThat(e.utilization()).isEqualByComparingTo("0.9");
            assertThat(e.cause()).isEqualTo("P-1@1");
            assertThat(e.eventId()).isEqualTo(EventIds.of("PORTFOLIO_AT_RISK", "W-1/3", NOON, "P-1@1"));
        }

        @Test
        void anInstallIntoInsolvencyAlsoRaisesActionWouldBeInsolventAndIsApplied() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            PortfolioOutcome o = install("P-2", 3, btcAgainstUsd("0", "7000"), 1, T1);
            assertThat(o.kind()).isEqualTo(Kind.APPLIED);
            assertThat(types(o)).containsExactly("PORTFOLIO_INSOLVENT", "ACTION_WOULD_BE_INSOLVENT");
            SolvencyEvent action = o.events().get(1);
            assertThat(action.action()).isEqualTo("INSTALL");
            assertThat(action.actionPosition()).isEqualTo("P-2");
            assertThat(action.utilizationBefore()).isEqualByComparingTo("0.125");
            assertThat(action.utilization()).isEqualByComparingTo("1");
            assertThat(action.riseUnproven()).isFalse();
            assertThat(action.state()).isEqualTo("INSOLVENT");
            assertThat(action.eventId()).isNotEqualTo(o.events().get(0).eventId());
            assertThat(book.state(P3)).isEqualTo(SolvencyState.INSOLVENT);
        }

        @Test
        void anUninstallOfCreditIntoInsolvencyRaisesActionWouldBeInsolvent() {
            install("P-1", 3, btcAgainstUsd("2", "0"), 1, NOON);
            install("P-2", 3, btcAgainstUsd("0", "9000"), 1, NOON);
            PortfolioOutcome o = uninstall("P-1", 3, 2, T1);
            assertThat(types(o)).containsExactly("PORTFOLIO_INSOLVENT", "ACTION_WOULD_BE_INSOLVENT");
            assertThat(o.events().get(1).action()).isEqualTo("UNINSTALL");
            assertThat(o.events().get(1).utilizationInfinite()).isTrue();
            assertThat(o.events().get(1).utilization()).isNull();
        }

        @Test
        void anInsolventActionThatLowersUtilizationRaisesNothing() {
            install("P-1", 3, btcAgainstUsd("1", "9000"), 1, NOON);
            PortfolioOutcome o = install("P-2", 3, btcAgainstUsd("0.1", "0"), 1, T1);
            assertThat(o.events()).isEmpty();
            assertThat(book.state(P3)).isEqualTo(SolvencyState.INSOLVENT);
        }

        @Test
        void anUpdateIntoInsolvencyIsLegitimate() {
            install("P-1", 3, btcAgainstUsd("1", "1000"), 1, NOON);
            PortfolioOutcome o = update("P-1", 3, btcAgainstUsd("1", "8000"), 2, T1);
            assertThat(types(o)).containsExactly("PORTFOLIO_INSOLVENT");
        }

        @Test
        void priceMovesCrossThresholdsWithHysteresis() {
            install("P-1", 3, btcAgainstUsd("1", "7200"), 1, NOON);
            // 7200 / (P / 1.25) >= 0.9 while P <= 10000; >= 1 at P <= 9000; below 0.89 from P > 10112.36.
            assertThat(price("9000", T1)).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_INSOLVENT");
            // Back below 1 but not below 0.99: stays.
            assertThat(price("9090.90", T2)).isEmpty();
            List<SolvencyEvent> down = price("9090.91", T2 + 1_000);
            assertThat(down).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_AT_RISK");
            assertThat(down.get(0).previousState()).isEqualTo("INSOLVENT");
            assertThat(down.get(0).cause()).isEqualTo(EventIds.evaluationId("BTC-USD", T2 + 1_000));
            assertThat(price("10112.35", T2 + 2_000)).isEmpty();
            assertThat(price("10112.36", T2 + 3_000)).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_SOLVENT");
        }

        @Test
        void aMissingPriceMakesItUnvaluedAndItsReturnEntersTheStateWithoutHysteresis() {
            install("P-1", 3, btcAgainstUsd("1", "7150"), 1, NOON);
            List<SolvencyEvent> lost = book.onQuote("BTC-USD", null, T1, EventIds.evaluationId("BTC-USD", T1), false);
            assertThat(lost).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_UNVALUED");
            assertThat(lost.get(0).unvaluedTokens()).containsExactly("BTC:PRICE_UNAVAILABLE");
            assertThat(lost.get(0).utilization()).isNull();
            assertThat(lost.get(0).utilizationInfinite()).isFalse();
            assertThat(lost.get(0).crossUtilization()).isNull();
            // 7150 / 8000 = 0.89375: within hysteresis of AT_RISK, but leaving UNVALUED has none.
            assertThat(price("10000", T2)).extracting(SolvencyEvent::state).containsExactly("SOLVENT");
        }

        @Test
        void aTokenNeverEvaluatedOrWithoutAConfiguredPairHasNoPrice() {
            PortfolioOutcome eth = install("P-1", 3, new PositionBalances(amounts("ETH", "1"), Map.of(), Map.of()), 1, NOON);
            assertThat(eth.events().get(0).unvaluedTokens()).containsExactly("ETH:NEVER_EVALUATED");
            PortfolioOutcome doge = install("P-2", 4, new PositionBalances(amounts("DOGE", "1"), Map.of(), Map.of()), 1, NOON);
            assertThat(doge.events().get(0).unvaluedTokens()).containsExactly("DOGE:NO_USD_PAIR");
        }

        @Test
        void aTailTokenAloneMakesItInsolventWithoutAPrice() {
            // SOL: 10 / 1.5 of virtual credit against 4.5 x 1.5 of virtual debt: 6.75 / 6.666... > 1.
            PositionBalances b = new PositionBalances(amounts("SOL", "10", "ETH", "1"), amounts("SOL", "4.5"), Map.of());
            PortfolioOutcome o = install("P-1", 3, b, 1, NOON);
            assertThat(types(o)).containsExactly("PORTFOLIO_INSOLVENT", "ACTION_WOULD_BE_INSOLVENT");
            SolvencyEvent e = o.events().get(0);
            assertThat(e.unvaluedTokens()).containsExactly("ETH:NEVER_EVALUATED");
            SolvencyEvent.TokenBalance sol = e.tokens().stream().filter(t -> t.token().equals("SOL")).findFirst().orElseThrow();
            assertThat(sol.crossMargin()).isFalse();
            assertThat(sol.utilization()).isEqualByComparingTo("1.0125");
            assertThat(sol.creditPrice()).isNull();
        }

        @Test
        void aPositionNamingATokenTheConfigurationDoesNotValueIsHeldUnvalued() {
            // The parser refuses such tokens; restored state under another configuration can still hold one.
            PortfolioOutcome o = install("P-1", 3, new PositionBalances(amounts("XYZ", "1"), amounts("USD", "1"), Map.of()), 1, NOON);
            SolvencyEvent e = o.events().get(0);
            assertThat(e.type()).isEqualTo("PORTFOLIO_UNVALUED");
            assertThat(e.unvaluedTokens()).containsExactly("XYZ:NOT_CONFIGURED");
            SolvencyEvent.TokenBalance xyz = e.tokens().stream().filter(t -> t.token().equals("XYZ")).findFirst().orElseThrow();
            assertThat(xyz.credit()).isEqualByComparingTo("1");
            assertThat(xyz.varianceFactor()).isNull();
            assertThat(xyz.virtualCredit()).isNull();
        }

        @Test
        void anInsolventActionOnAnUnvaluedPortfolioIsRaisedAsUnproven() {
            // ETH has never been evaluated: the portfolio is UNVALUED before; the SOL tail then makes it insolvent.
            install("P-1", 3, new PositionBalances(amounts("ETH", "1"), amounts("USD", "1"), Map.of()), 1, NOON);
            assertThat(book.state(P3)).isEqualTo(SolvencyState.UNVALUED);
            PortfolioOutcome o = install("P-2", 3, new PositionBalances(Map.of(), amounts("SOL", "1"), Map.of()), 1, T1);
            assertThat(types(o)).containsExactly("PORTFOLIO_INSOLVENT", "ACTION_WOULD_BE_INSOLVENT");
            SolvencyEvent action = o.events().get(1);
            assertThat(action.riseUnproven()).isTrue();
            assertThat(action.utilizationBefore()).isNull();
            assertThat(action.utilizationBeforeInfinite()).isFalse();
            assertThat(action.previousState()).isEqualTo("INSOLVENT");
            assertThat(action.positions()).extracting(SolvencyEvent.PositionVersion::position).containsExactly("P-1", "P-2");
        }

        @Test
        void aPriceMoveRecordIsStampedWithTheEvaluationAndNeverLate() {
            install("P-1", 3, btcAgainstUsd("1", "7200"), 1, NOON);
            SolvencyEvent e = price("8000", T1).get(0);
            assertThat(e.eventTime()).isEqualTo(T1);
            assertThat(e.appliedLate()).isFalse();
            assertThat(e.eventId()).isEqualTo(EventIds.of("PORTFOLIO_INSOLVENT", "W-1/3", T1, EventIds.evaluationId("BTC-USD", T1)));
            assertThat(e.tokens().get(0).creditPrice()).isEqualByComparingTo("8000");
            assertThat(e.tokens().get(0).evaluationId()).isEqualTo(EventIds.evaluationId("BTC-USD", T1));
        }

        @Test
        void anUnavailablePairThatStaysUnavailableMovesNothing() {
            install("P-1", 3, btcAgainstUsd("1", "100"), 1, NOON);
            assertThat(book.onQuote("BTC-USD", null, T1, "e1", false)).hasSize(1);
            long before = book.revaluations();
            assertThat(book.onQuote("BTC-USD", null, T2, "e2", false)).isEmpty();
            assertThat(book.revaluations()).isEqualTo(before);
        }

        @Test
        void aSmallMoveRevaluesNoPortfolioFarFromAThreshold() {
            install("P-1", 3, btcAgainstUsd("1", "100"), 1, NOON);
            long before = book.revaluations();
            assertThat(price("10100", T1)).isEmpty();
            assertThat(book.revaluations()).isEqualTo(before);
        }

        @Test
        void theLastUninstallForgetsThePortfolioAfterItsTransition() {
            install("P-1", 3, btcAgainstUsd("1", "7500"), 1, NOON);
            PortfolioOutcome o = uninstall("P-1", 3, 2, T1);
            assertThat(types(o)).containsExactly("PORTFOLIO_SOLVENT");
            assertThat(book.state(P3)).isNull();
            assertThat(price("1", T2)).isEmpty();
        }
    }

    @Test
    void everyRecordCarriesWhatTheDecisionUsed() {
        PositionBalances b = new PositionBalances(amounts("BTC", "1", "USD", "100"), amounts("USD", "7100"), amounts("USD", "200"));
        SolvencyEvent e = book.apply(new PositionInstalled(NOON, W, 3, "P-1", "amm", b, 4), true).events().get(0);
        assertThat(e.type()).isEqualTo("PORTFOLIO_AT_RISK");
        assertThat(e.wallet()).isEqualTo(W);
        assertThat(e.portfolio()).isEqualTo(3);
        assertThat(e.eventTime()).isEqualTo(NOON);
        assertThat(e.appliedLate()).isTrue();
        assertThat(e.configHash()).isEqualTo(CONFIG.configHash());
        assertThat(e.codeVersion()).isEqualTo("v-test");
        assertThat(e.positions()).containsExactly(new SolvencyEvent.PositionVersion("P-1", 4));
        assertThat(e.crossUtilization()).isEqualByComparingTo(e.utilization());
        SolvencyEvent.TokenBalance btc = e.tokens().get(0);
        assertThat(btc.token()).isEqualTo("BTC");
        assertThat(btc.credit()).isEqualByComparingTo("1");
        assertThat(btc.virtualCredit()).isEqualByComparingTo("0.8");
        assertThat(btc.creditPrice()).isEqualByComparingTo("10000");
        assertThat(btc.evaluationId()).isEqualTo(EventIds.evaluationId("BTC-USD", NOON));
        SolvencyEvent.TokenBalance usd = e.tokens().get(1);
        assertThat(usd.credit()).isEqualByComparingTo("100");
        assertThat(usd.debt()).isEqualByComparingTo("7300");
        assertThat(usd.virtualDebt()).isEqualByComparingTo("7300");
        assertThat(usd.creditPrice()).isEqualByComparingTo("1");
        assertThat(usd.evaluationId()).isNull();
        assertThat(e.utilization()).isEqualByComparingTo(new BigDecimal("7300").divide(new BigDecimal("8100"), 18, java.math.RoundingMode.HALF_EVEN));
    }
}
