package io.collateralrisk.solvency.portfolio;

import static io.collateralrisk.solvency.portfolio.SolvencyState.AT_RISK;
import static io.collateralrisk.solvency.portfolio.SolvencyState.INSOLVENT;
import static io.collateralrisk.solvency.portfolio.SolvencyState.SOLVENT;
import static io.collateralrisk.solvency.portfolio.SolvencyState.UNVALUED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.solvency.portfolio.SolvencyRules.ActionCheck;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SolvencyRulesTest {

    /** Defaults: warnUtilization 0.90, hysteresis 0.01. */
    private final SolvencyRules rules = new SolvencyRules(ConfigLoader.defaults().solvency());

    private static Ratio u(String value) {
        return Ratio.of(new BigDecimal(value));
    }

    /** A valued portfolio with cross-margined debt value {@code a} and credit value {@code b}, and the given tails. */
    private static PortfolioValuation valued(String a, String b, Map<String, Ratio> tails) {
        return new PortfolioValuation(
                Map.of(), u(a), u(b), tails, List.of(), Map.of(), Set.of(), Set.of(), Set.of());
    }

    private static PortfolioValuation valued(String a, String b) {
        return valued(a, b, Map.of());
    }

    private static PortfolioValuation unvalued(Map<String, Ratio> tails) {
        return new PortfolioValuation(
                Map.of(), null, null, tails, List.of("ETH:PRICE_UNAVAILABLE"), Map.of(), Set.of(), Set.of(), Set.of("ETH-USD"));
    }

    @Nested
    class TransitionTable {

        /** Every row of the table in the class Javadoc, at each boundary and just either side of it. */
        @ParameterizedTest(name = "{0} at {1} -> {2}")
        @CsvSource({
            "SOLVENT, 0, SOLVENT",
            "SOLVENT, 0.889999999, SOLVENT",
            "SOLVENT, 0.89, SOLVENT",
            "SOLVENT, 0.899999999, SOLVENT",
            "SOLVENT, 0.90, AT_RISK",
            "SOLVENT, 0.900000001, AT_RISK",
            "SOLVENT, 0.99, AT_RISK",
            "SOLVENT, 0.999999999, AT_RISK",
            "SOLVENT, 1, INSOLVENT",
            "SOLVENT, 1.000000001, INSOLVENT",
            "AT_RISK, 0, SOLVENT",
            "AT_RISK, 0.889999999, SOLVENT",
            "AT_RISK, 0.89, AT_RISK",
            "AT_RISK, 0.899999999, AT_RISK",
            "AT_RISK, 0.90, AT_RISK",
            "AT_RISK, 0.999999999, AT_RISK",
            "AT_RISK, 1, INSOLVENT",
            "INSOLVENT, 0.889999999, SOLVENT",
            "INSOLVENT, 0.89, AT_RISK",
            "INSOLVENT, 0.90, AT_RISK",
            "INSOLVENT, 0.989999999, AT_RISK",
            "INSOLVENT, 0.99, INSOLVENT",
            "INSOLVENT, 0.999999999, INSOLVENT",
            "INSOLVENT, 1, INSOLVENT",
            "INSOLVENT, 5, INSOLVENT",
            "UNVALUED, 0, SOLVENT",
            "UNVALUED, 0.889999999, SOLVENT",
            "UNVALUED, 0.89, SOLVENT",
            "UNVALUED, 0.899999999, SOLVENT",
            "UNVALUED, 0.90, AT_RISK",
            "UNVALUED, 0.99, AT_RISK",
            "UNVALUED, 0.999999999, AT_RISK",
            "UNVALUED, 1, INSOLVENT",
        })
        void byUtilization(SolvencyState from, String utilization, SolvencyState to) {
            assertThat(rules.byUtilization(from, u(utilization))).isEqualTo(to);
            // The same through a valuation: debt value over a credit value of 1.
            assertThat(rules.next(from, valued(utilization, "1"))).isEqualTo(to);
        }

        @ParameterizedTest
        @CsvSource({"SOLVENT", "AT_RISK", "INSOLVENT", "UNVALUED"})
        void infiniteUtilizationIsInsolventFromAnyState(SolvencyState from) {
            assertThat(rules.byUtilization(from, Ratio.INFINITE)).isEqualTo(INSOLVENT);
            assertThat(rules.next(from, valued("1", "0"))).isEqualTo(INSOLVENT);
        }

        @ParameterizedTest
        @CsvSource({"SOLVENT", "AT_RISK", "INSOLVENT", "UNVALUED"})
        void noDebtIsSolventFromAnyState(SolvencyState from) {
            assertThat(rules.next(from, valued("0", "0"))).isEqualTo(SOLVENT);
        }

        @Test
        void theWorstOfCrossAndTailsDecides() {
            assertThat(rules.next(SOLVENT, valued("0.1", "1", Map.of("SOL", u("0.95"))))).isEqualTo(AT_RISK);
            assertThat(rules.next(SOLVENT, valued("0.95", "1", Map.of("SOL", u("0.1"))))).isEqualTo(AT_RISK);
            assertThat(rules.next(SOLVENT, valued("0.1", "1", Map.of("SOL", u("0.1"), "JUP", Ratio.INFINITE)))).isEqualTo(INSOLVENT);
            assertThat(rules.next(INSOLVENT, valued("0.1", "1", Map.of("SOL", u("0.995"))))).isEqualTo(INSOLVENT);
        }

        @Test
        void theConfiguredThresholdsAreUsed() {
            SolvencyRules other = new SolvencyRules(ConfigLoader.parse("solvency: {warnUtilization: 0.5, hysteresis: 0.1}").solvency());
            assertThat(other.byUtilization(SOLVENT, u("0.5"))).isEqualTo(AT_RISK);
            assertThat(other.byUtilization(SOLVENT, u("0.49"))).isEqualTo(SOLVENT);
            assertThat(other.byUtilization(AT_RISK, u("0.4"))).isEqualTo(AT_RISK);
            assertThat(other.byUtilization(AT_RISK, u("0.39"))).isEqualTo(SOLVENT);
            assertThat(other.byUtilization(INSOLVENT, u("0.9"))).isEqualTo(INSOLVENT);
            assertThat(other.byUtilization(INSOLVENT, u("0.89"))).isEqualTo(AT_RISK);
        }
    }

    @Nested
    class Unvalued {

        @ParameterizedTest
        @CsvSource({"SOLVENT", "AT_RISK", "INSOLVENT", "UNVALUED"})
        void aMissingPriceIsUnvaluedWithoutInsolventTails(SolvencyState from) {
            assertThat(rules.next(from, unvalued(Map.of()))).isEqualTo(UNVALUED);
            assertThat(rules.next(from, unvalued(Map.of("SOL", u("0.98"))))).isEqualTo(UNVALUED);
        }

        @ParameterizedTest
        @CsvSource({"SOLVENT", "AT_RISK", "INSOLVENT", "UNVALUED"})
        void aTailAloneMakesItInsolventWithoutAPrice(SolvencyState from) {
            assertThat(rules.next(from, unvalued(Map.of("SOL", u("1"))))).isEqualTo(INSOLVENT);
            assertThat(rules.next(from, unvalued(Map.of("SOL", Ratio.INFINITE)))).isEqualTo(INSOLVENT);
        }

        @Test
        void anInsolventPortfolioStaysInsolventWhileItsTailIsWithinHysteresis() {
            assertThat(rules.next(INSOLVENT, unvalued(Map.of("SOL", u("0.99"))))).isEqualTo(INSOLVENT);
            assertThat(rules.next(INSOLVENT, unvalued(Map.of("SOL", u("0.989999"))))).isEqualTo(UNVALUED);
            assertThat(rules.next(UNVALUED, unvalued(Map.of("SOL", u("0.999999"))))).isEqualTo(UNVALUED);
        }
    }

    @Nested
    class ActionWouldBeInsolvent {

        @Test
        void insolventAfterAndHigherThanBefore() {
            assertThat(rules.checkAction(valued("0.5", "1"), valued("1", "1"))).isEqualTo(ActionCheck.WOULD_BE_INSOLVENT);
            assertThat(rules.checkAction(valued("1", "1"), valued("1.000001", "1"))).isEqualTo(ActionCheck.WOULD_BE_INSOLVENT);
            assertThat(rules.checkAction(valued("2", "1"), valued("1", "0"))).isEqualTo(ActionCheck.WOULD_BE_INSOLVENT);
        }

        @Test
        void notInsolventAfterIsAllowed() {
            assertThat(rules.checkAction(valued("0.5", "1"), valued("0.999999", "1"))).isEqualTo(ActionCheck.ALLOWED);
            assertThat(rules.checkAction(unvalued(Map.of()), valued("0.999999", "1"))).isEqualTo(ActionCheck.ALLOWED);
            assertThat(rules.checkAction(valued("0.5", "1"), unvalued(Map.of("SOL", u("0.999"))))).isEqualTo(ActionCheck.ALLOWED);
        }

        @Test
        void notHigherThanBeforeIsAllowed() {
            assertThat(rules.checkAction(valued("1.5", "1"), valued("1.5", "1"))).isEqualTo(ActionCheck.ALLOWED);
            assertThat(rules.checkAction(valued("1.5", "1"), valued("1.2", "1"))).isEqualTo(ActionCheck.ALLOWED);
            assertThat(rules.checkAction(valued("1", "0"), valued("1", "0"))).isEqualTo(ActionCheck.ALLOWED);
        }

        @Test
        void anUnvaluedSideIsFlaggedUnlessTheKnownBoundsSettleIt() {
            // Before unvalued, but its tail alone was at least what the action left: not a rise.
            assertThat(rules.checkAction(unvalued(Map.of("SOL", u("1.2"))), valued("1.2", "1"))).isEqualTo(ActionCheck.ALLOWED);
            assertThat(rules.checkAction(unvalued(Map.of("SOL", u("1.2"))), valued("1.3", "1"))).isEqualTo(ActionCheck.RISE_UNPROVEN);
            assertThat(rules.checkAction(unvalued(Map.of()), valued("1", "1"))).isEqualTo(ActionCheck.RISE_UNPROVEN);
            // After unvalued but insolvent by a tail higher than before: a proven rise.
            assertThat(rules.checkAction(valued("0.5", "1"), unvalued(Map.of("SOL", u("1"))))).isEqualTo(ActionCheck.WOULD_BE_INSOLVENT);
            // After insolvent by a tail not above before: the cross-margined part might have risen.
            assertThat(rules.checkAction(valued("1.5", "1"), unvalued(Map.of("SOL", u("1.5"))))).isEqualTo(ActionCheck.RISE_UNPROVEN);
            assertThat(rules.checkAction(unvalued(Map.of("SOL", u("3"))), unvalued(Map.of("SOL", u("2"))))).isEqualTo(ActionCheck.RISE_UNPROVEN);
        }
    }

    @Nested
    class SafeRelativeMove {

        @Test
        void upFromSolventIsTheGapToWarnOverTheSpan() {
            // A = 0.45, B = 1: (0.9 x 1 - 0.45) / (0.45 + 0.9) = 1/3.
            assertThat(rules.safeRelativeMove(SOLVENT, valued("0.45", "1")))
                    .isEqualByComparingTo("0.3333333333333333333333333333333333");
        }

        @Test
        void atRiskTakesTheNearerOfUpAndDown() {
            // A = 0.95, B = 1: up (1 - 0.95) / 1.95, down (0.95 - 0.89) / (0.95 + 0.89).
            BigDecimal up = new BigDecimal("0.05").divide(new BigDecimal("1.95"), new java.math.MathContext(34, java.math.RoundingMode.DOWN));
            assertThat(rules.safeRelativeMove(AT_RISK, valued("0.95", "1"))).isEqualByComparingTo(up);
            BigDecimal down = new BigDecimal("0.01").divide(new BigDecimal("1.79"), new java.math.MathContext(34, java.math.RoundingMode.DOWN));
            assertThat(rules.safeRelativeMove(AT_RISK, valued("0.90", "1"))).isEqualByComparingTo(down);
        }

        @Test
        void insolventLooksDownOnly() {
            // A = 1.09, B = 1: (1.09 - 0.99) / (1.09 + 0.99).
            BigDecimal down = new BigDecimal("0.10").divide(new BigDecimal("2.08"), new java.math.MathContext(34, java.math.RoundingMode.DOWN));
            assertThat(rules.safeRelativeMove(INSOLVENT, valued("1.09", "1"))).isEqualByComparingTo(down);
        }

        @Test
        void exactlyAtAThresholdAnyMoveMayCross() {
            assertThat(rules.safeRelativeMove(AT_RISK, valued("0.89", "1"))).isEqualByComparingTo("0");
            assertThat(rules.safeRelativeMove(INSOLVENT, valued("0.99", "1"))).isEqualByComparingTo("0");
        }

        @Test
        void theMoveIsRoundedDownSoAPortfolioIsRevaluedEarlyNeverLate() {
            BigDecimal move = rules.safeRelativeMove(SOLVENT, valued("0.45", "1"));
            assertThat(move.multiply(new BigDecimal("3"))).isLessThan(BigDecimal.ONE);
        }

        @Test
        void noPriceMoveCanChangeAPortfolioWithoutCrossDebtOrCredit() {
            assertThat(rules.safeRelativeMove(SOLVENT, valued("0", "1"))).isNull();
            assertThat(rules.safeRelativeMove(INSOLVENT, valued("1", "0"))).isNull();
            assertThat(rules.safeRelativeMove(UNVALUED, unvalued(Map.of()))).isNull();
        }

        @Test
        void aTailThatPinsTheStateRemovesTheDownThreshold() {
            assertThat(rules.safeRelativeMove(INSOLVENT, valued("0.5", "1", Map.of("SOL", u("0.99"))))).isNull();
            assertThat(rules.safeRelativeMove(INSOLVENT, valued("1.09", "1", Map.of("SOL", u("0.989999"))))).isNotNull();
            // AT_RISK pinned by a tail at 0.89: only the way up (to 1) remains, (1 - 0.5) / 1.5.
            assertThat(rules.safeRelativeMove(AT_RISK, valued("0.5", "1", Map.of("SOL", u("0.89")))))
                    .isEqualByComparingTo("0.3333333333333333333333333333333333");
            assertThat(rules.safeRelativeMove(AT_RISK, valued("0.9", "1", Map.of("SOL", u("0.889999")))))
                    .isEqualByComparingTo(new BigDecimal("0.01").divide(new BigDecimal("1.79"), new java.math.MathContext(34, java.math.RoundingMode.DOWN)));
        }

        @Test
        void aValuedPortfolioIsNeverUnvalued() {
            assertThatThrownBy(() -> rules.safeRelativeMove(UNVALUED, valued("0.5", "1"))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void eachStateNamesItsEventType() {
        assertThat(SOLVENT.eventType()).isEqualTo("PORTFOLIO_SOLVENT");
        assertThat(AT_RISK.eventType()).isEqualTo("PORTFOLIO_AT_RISK");
        assertThat(INSOLVENT.eventType()).isEqualTo("PORTFOLIO_INSOLVENT");
        assertThat(UNVALUED.eventType()).isEqualTo("PORTFOLIO_UNVALUED");
    }
}
