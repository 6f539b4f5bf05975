package io.collateralrisk.ltv.lifecycle;

import static io.collateralrisk.ltv.lifecycle.Band.HEALTHY;
import static io.collateralrisk.ltv.lifecycle.Band.LIQUIDATION;
import static io.collateralrisk.ltv.lifecycle.Band.MARGIN_CALL;
import static io.collateralrisk.ltv.lifecycle.Band.WARNING;
import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LtvMathTest {

    private static final PolicyConfig STANDARD = RiskConfig.defaults().policies().get("standard");
    private static final BigDecimal CURE_LEVEL = STANDARD.marginCall().subtract(STANDARD.hysteresis());
    private static final int BTC = 8;
    private static final int USD = 2;

    // A realistic facility: 10 BTC against 150,000 USD.
    private static final BigDecimal C10 = dec("10");
    private static final BigDecimal D150K = dec("150000");

    @Test
    void standardPolicyIsTheOneTheseTestsAssume() {
        assertThat(STANDARD.warning()).isEqualByComparingTo("0.70");
        assertThat(STANDARD.marginCall()).isEqualByComparingTo("0.80");
        assertThat(STANDARD.liquidation()).isEqualByComparingTo("0.90");
        assertThat(STANDARD.hysteresis()).isEqualByComparingTo("0.01");
    }

    @Test
    void ltvExactlyAtAThresholdReachesIt() {
        // D = t x C x P exactly: C = 1, P = 100, D = 100 t.
        assertThat(LtvMath.atOrAbove(dec("80"), dec("1"), dec("100"), dec("0.80"))).isTrue();
        assertThat(LtvMath.atOrAbove(dec("70"), dec("1"), dec("100"), dec("0.70"))).isTrue();
        assertThat(LtvMath.atOrAbove(dec("90"), dec("1"), dec("100"), dec("0.90"))).isTrue();
        // And at a realistic size: 150,000 / (10 x 18,750) = 0.80 exactly.
        assertThat(LtvMath.atOrAbove(D150K, C10, dec("18750.00"), dec("0.80"))).isTrue();

        assertThat(LtvMath.band(dec("70"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("80"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(MARGIN_CALL);
        assertThat(LtvMath.band(dec("90"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(LIQUIDATION);
    }

    @Test
    void ltvJustBelowAThresholdDoesNotReachIt() {
        assertThat(LtvMath.atOrAbove(dec("79.99"), dec("1"), dec("100"), dec("0.80"))).isFalse();
        // One cent above the trigger price: LTV 0.7999999573...
        assertThat(LtvMath.atOrAbove(D150K, C10, dec("18750.01"), dec("0.80"))).isFalse();
        // A difference far below any display scale still counts.
        assertThat(LtvMath.atOrAbove(dec("79.999999999999"), dec("1"), dec("100"), dec("0.80"))).isFalse();

        assertThat(LtvMath.band(dec("69.99"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(HEALTHY);
        assertThat(LtvMath.band(dec("79.99"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("89.99"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(MARGIN_CALL);
    }

    @Test
    void aPriceWobblingAcrossTheMarginCallDoesNotFlap() {
        // D = 80, C = 1: the margin call is at P = 100, the cure level (LTV 0.79) at P = 101.2658...
        List<Band> bands = bandsFor(dec("80"), dec("1"), null,
                "110", "100", "100.50", "99.90", "101", "100.01", "101.26", "101.27", "100.50", "100.01", "100");
        assertThat(bands).containsExactly(
                WARNING, // 0.7273
                MARGIN_CALL, // 0.80 reached
                MARGIN_CALL, // 0.7960: not below 0.79
                MARGIN_CALL, // 0.8008
                MARGIN_CALL, // 0.7921
                MARGIN_CALL, // 0.79992
                MARGIN_CALL, // 0.790045: still not below 0.79
                WARNING, // 0.789967: below 0.79
                WARNING, // 0.7960: below 0.80, so no new margin call
                WARNING, // 0.79992
                MARGIN_CALL); // 0.80 again
    }

    @Test
    void movingDownNeedsTheThresholdMinusHysteresis() {
        // LTV exactly 0.79 is not below 0.79.
        assertThat(LtvMath.band(dec("79"), dec("1"), dec("100"), STANDARD, MARGIN_CALL)).isEqualTo(MARGIN_CALL);
        assertThat(LtvMath.band(dec("78.99"), dec("1"), dec("100"), STANDARD, MARGIN_CALL)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("69"), dec("1"), dec("100"), STANDARD, WARNING)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("68.99"), dec("1"), dec("100"), STANDARD, WARNING)).isEqualTo(HEALTHY);
        assertThat(LtvMath.band(dec("89"), dec("1"), dec("100"), STANDARD, LIQUIDATION)).isEqualTo(LIQUIDATION);
        assertThat(LtvMath.band(dec("88.99"), dec("1"), dec("100"), STANDARD, LIQUIDATION)).isEqualTo(MARGIN_CALL);
        // The same LTV with no history (first evaluation) takes no hysteresis.
        assertThat(LtvMath.band(dec("79"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("89"), dec("1"), dec("100"), STANDARD, null)).isEqualTo(MARGIN_CALL);
        // Nor does moving up or staying put.
        assertThat(LtvMath.band(dec("79"), dec("1"), dec("100"), STANDARD, HEALTHY)).isEqualTo(WARNING);
    }

    @Test
    void movingDownSeveralBandsAppliesHysteresisAtEachBandLeft() {
        BigDecimal c = dec("1");
        BigDecimal p = dec("1000");
        assertThat(LtvMath.band(dec("895"), c, p, STANDARD, LIQUIDATION)).isEqualTo(LIQUIDATION);
        assertThat(LtvMath.band(dec("885"), c, p, STANDARD, LIQUIDATION)).isEqualTo(MARGIN_CALL);
        assertThat(LtvMath.band(dec("795"), c, p, STANDARD, LIQUIDATION)).isEqualTo(MARGIN_CALL);
        assertThat(LtvMath.band(dec("785"), c, p, STANDARD, LIQUIDATION)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("695"), c, p, STANDARD, LIQUIDATION)).isEqualTo(WARNING);
        assertThat(LtvMath.band(dec("685"), c, p, STANDARD, LIQUIDATION)).isEqualTo(HEALTHY);
        assertThat(LtvMath.band(dec("400"), c, p, STANDARD, LIQUIDATION)).isEqualTo(HEALTHY);
    }

    @Test
    void aFacilityCanJumpSeveralBandsAtOnce() {
        assertThat(bandsFor(dec("80"), dec("1"), null, "200", "88", "200", "88"))
                .containsExactly(HEALTHY, LIQUIDATION, HEALTHY, LIQUIDATION);
        assertThat(LtvMath.band(D150K, C10, dec("16000"), STANDARD, HEALTHY)).isEqualTo(LIQUIDATION);
        assertThat(LtvMath.band(D150K, C10, dec("18000"), STANDARD, HEALTHY)).isEqualTo(MARGIN_CALL);
    }

    @Test
    void zeroDebtIsLtvZeroWhateverTheCollateral() {
        BigDecimal zero = dec("0.00");
        assertThat(LtvMath.atOrAbove(zero, C10, dec("19600"), BigDecimal.ZERO)).isFalse();
        assertThat(LtvMath.atOrAbove(zero, BigDecimal.ZERO, dec("19600"), STANDARD.warning())).isFalse();
        assertThat(LtvMath.band(zero, C10, dec("19600"), STANDARD, LIQUIDATION)).isEqualTo(HEALTHY);
        assertThat(LtvMath.band(zero, BigDecimal.ZERO, dec("19600"), STANDARD, null)).isEqualTo(HEALTHY);
        assertThat(LtvMath.ltv(zero, C10, dec("19600"))).isEqualByComparingTo("0");
        assertThat(LtvMath.ltv(zero, BigDecimal.ZERO, dec("19600"))).isNull();
        assertThat(LtvMath.triggerPrice(zero, C10, STANDARD.marginCall(), USD)).isNull();
        assertThat(LtvMath.collateralToCure(zero, C10, dec("19600"), CURE_LEVEL, BTC)).isZero();
        assertThat(LtvMath.debtToRepayToCure(zero, C10, dec("19600"), CURE_LEVEL, USD)).isZero();
    }

    @Test
    void zeroCollateralWithDebtIsAnInfiniteLtv() {
        assertThat(LtvMath.atOrAbove(D150K, BigDecimal.ZERO, dec("19600"), STANDARD.liquidation())).isTrue();
        assertThat(LtvMath.band(D150K, BigDecimal.ZERO, dec("19600"), STANDARD, null)).isEqualTo(LIQUIDATION);
        assertThat(LtvMath.ltv(D150K, BigDecimal.ZERO, dec("19600"))).isNull();
        assertThat(LtvMath.triggerPrice(D150K, BigDecimal.ZERO, STANDARD.marginCall(), USD)).isNull();
        // Repaying everything cures it (LTV 0), as does posting enough collateral.
        assertThat(LtvMath.debtToRepayToCure(D150K, BigDecimal.ZERO, dec("19600"), CURE_LEVEL, USD)).isEqualTo(D150K);
        BigDecimal post = LtvMath.collateralToCure(D150K, BigDecimal.ZERO, dec("19600"), CURE_LEVEL, BTC);
        assertThat(LtvMath.atOrAbove(D150K, post, dec("19600"), CURE_LEVEL)).isFalse();
    }

    @Test
    void displayLtvIsRoundedHalfEvenToSixPlaces() {
        // 150,000 / 196,000 = 0.76530612...
        assertThat(LtvMath.ltv(D150K, C10, dec("19600"))).isEqualTo(dec("0.765306"));
        assertThat(LtvMath.ltv(dec("1.0000005"), dec("1"), dec("1"))).isEqualTo(dec("1.000000"));
        assertThat(LtvMath.ltv(dec("0.0000015"), dec("1"), dec("1"))).isEqualTo(dec("0.000002"));
        assertThat(LtvMath.ltv(dec("80"), dec("1"), dec("100"))).isEqualTo(dec("0.800000"));
    }

    @Test
    void triggerPricesOfARealisticFacilityByHand() {
        // 150,000 / (10 x t)
        assertThat(LtvMath.triggerPrice(D150K, C10, STANDARD.initialMargin(), USD)).isEqualTo(dec("25000.00"));
        assertThat(LtvMath.triggerPrice(D150K, C10, STANDARD.warning(), USD)).isEqualTo(dec("21428.57")); // 21428.5714...
        assertThat(LtvMath.triggerPrice(D150K, C10, STANDARD.marginCall(), USD)).isEqualTo(dec("18750.00"));
        assertThat(LtvMath.triggerPrice(D150K, C10, STANDARD.liquidation(), USD)).isEqualTo(dec("16666.66")); // 16666.666...
        assertThat(LtvMath.triggerPrice(D150K, C10, CURE_LEVEL, USD)).isEqualTo(dec("18987.34")); // 18987.341...
    }

    @Test
    void aStablecoinFacilityCrossesTheMarginCallInTheFifthDecimalOfThePrice() {
        // 1,000,000 USDT against 799,800.00 USD: the 0.80 margin call is reached at exactly 0.99975.
        BigDecimal d = dec("799800.00");
        BigDecimal c = dec("1000000.000000");
        assertThat(LtvMath.atOrAbove(d, c, dec("0.99975"), STANDARD.marginCall())).isTrue();
        assertThat(LtvMath.atOrAbove(d, c, dec("0.99976"), STANDARD.marginCall())).isFalse();
        assertThat(LtvMath.band(d, c, dec("0.99976"), STANDARD, Band.WARNING)).isEqualTo(Band.WARNING);
        assertThat(LtvMath.band(d, c, dec("0.99975"), STANDARD, Band.WARNING)).isEqualTo(Band.MARGIN_CALL);
        // Both prices are 1.00 at the quote asset's cents, where the LTV would be 0.7998: no margin call at all.
        assertThat(LtvMath.atOrAbove(d, c, dec("1.00"), STANDARD.marginCall())).isFalse();
        // The trigger price is printed at the pair's price scale (8), tight to its last place.
        assertThat(LtvMath.triggerPrice(d, c, STANDARD.marginCall(), 8)).isEqualTo(dec("0.99975000"));
        assertTriggerPriceIsTight(d, c, STANDARD.warning(), 8);
        assertTriggerPriceIsTight(d, c, STANDARD.liquidation(), 8);
    }

    @Test
    void atThePrintedTriggerPriceTheThresholdIsReachedAndOneUnitAboveItIsNot() {
        for (BigDecimal t : List.of(
                STANDARD.initialMargin(), STANDARD.warning(), STANDARD.marginCall(), STANDARD.liquidation(), CURE_LEVEL)) {
            assertTriggerPriceIsTight(D150K, C10, t, USD);
        }
        Random random = new Random(20240611L);
        for (int i = 0; i < 2000; i++) {
            BigDecimal c = BigDecimal.valueOf(1 + random.nextInt(2_000_000_000), BTC);
            BigDecimal d = BigDecimal.valueOf(1 + random.nextInt(1_000_000_000), USD);
            BigDecimal t = BigDecimal.valueOf(1 + random.nextInt(9999), 4);
            assertTriggerPriceIsTight(d, c, t, USD);
        }
    }

    @Test
    void cureAmountsOfARealisticFacilityByHand() {
        // At 18,000 the LTV is 0.8333: a margin call. The cure level is 0.79.
        BigDecimal p = dec("18000");
        assertThat(LtvMath.band(D150K, C10, p, STANDARD, WARNING)).isEqualTo(MARGIN_CALL);

        // 150,000 < 0.79 x (10 + x) x 18,000 = 14,220 x (10 + x)  <=>  x > 0.548523206751...
        BigDecimal post = LtvMath.collateralToCure(D150K, C10, p, CURE_LEVEL, BTC);
        assertThat(post).isEqualTo(dec("0.54852321"));
        assertThat(LtvMath.atOrAbove(D150K, C10.add(post), p, CURE_LEVEL)).isFalse();
        assertThat(LtvMath.atOrAbove(D150K, C10.add(post).subtract(dec("0.00000001")), p, CURE_LEVEL)).isTrue();
        assertThat(LtvMath.band(D150K, C10.add(post), p, STANDARD, MARGIN_CALL)).isEqualTo(WARNING);

        // 150,000 - y < 0.79 x 10 x 18,000 = 142,200  <=>  y > 7,800
        BigDecimal repay = LtvMath.debtToRepayToCure(D150K, C10, p, CURE_LEVEL, USD);
        assertThat(repay).isEqualTo(dec("7800.01"));
        assertThat(LtvMath.band(D150K.subtract(repay), C10, p, STANDARD, MARGIN_CALL)).isEqualTo(WARNING);
        assertThat(LtvMath.band(D150K.subtract(dec("7800.00")), C10, p, STANDARD, MARGIN_CALL)).isEqualTo(MARGIN_CALL);

        // At 19,600 the LTV is 0.7653, already below the cure level: nothing to do.
        assertThat(LtvMath.collateralToCure(D150K, C10, dec("19600"), CURE_LEVEL, BTC)).isZero();
        assertThat(LtvMath.debtToRepayToCure(D150K, C10, dec("19600"), CURE_LEVEL, USD)).isZero();
    }

    @Test
    void aCureMustEndStrictlyBelowTheCureLevelEvenWhenTheExactAmountIsOnTheGrid() {
        // Exactly at 0.79 (158,000 / 200,000) is not cured: one smallest unit more of either is.
        BigDecimal p = dec("20000");
        assertThat(LtvMath.collateralToCure(dec("158000"), C10, p, CURE_LEVEL, BTC)).isEqualTo(dec("0.00000001"));
        assertThat(LtvMath.debtToRepayToCure(dec("158000"), C10, p, CURE_LEVEL, USD)).isEqualTo(dec("0.01"));
        // 158 against 1 at 100 (LTV 1.58): 1 more would land exactly on 0.79, so 1.00000001.
        assertThat(LtvMath.collateralToCure(dec("158"), dec("1"), dec("100"), CURE_LEVEL, BTC)).isEqualTo(dec("1.00000001"));
        assertThat(LtvMath.debtToRepayToCure(dec("158"), dec("1"), dec("100"), CURE_LEVEL, USD)).isEqualTo(dec("79.01"));
    }

    @Test
    void cureAmountsAreTheSmallestThatCure() {
        Random random = new Random(7L);
        BigDecimal btcUnit = dec("0.00000001");
        BigDecimal usdUnit = dec("0.01");
        int curing = 0;
        int cured = 0;
        for (int i = 0; i < 2000; i++) {
            BigDecimal c = BigDecimal.valueOf(random.nextInt(2_000_000_000), BTC);
            BigDecimal p = BigDecimal.valueOf(1 + random.nextInt(10_000_000), USD);
            // LTVs from 0.5 to 1.1, so both sides of the cure level come up; C may be zero.
            BigDecimal ltv = BigDecimal.valueOf(500_000 + random.nextInt(600_000), 6);
            BigDecimal d = ltv.multiply(c).multiply(p).setScale(USD, RoundingMode.HALF_EVEN).max(dec("0.01"));
            BigDecimal post = LtvMath.collateralToCure(d, c, p, CURE_LEVEL, BTC);
            BigDecimal repay = LtvMath.debtToRepayToCure(d, c, p, CURE_LEVEL, USD);
            assertThat(post.scale()).isEqualTo(BTC);
            assertThat(repay.scale()).isEqualTo(USD);
            assertThat(LtvMath.atOrAbove(d, c.add(post), p, CURE_LEVEL)).isFalse();
            assertThat(LtvMath.atOrAbove(d.subtract(repay), c, p, CURE_LEVEL)).isFalse();
            if (LtvMath.atOrAbove(d, c, p, CURE_LEVEL)) {
                curing++;
                assertThat(LtvMath.atOrAbove(d, c.add(post).subtract(btcUnit), p, CURE_LEVEL)).isTrue();
                assertThat(LtvMath.atOrAbove(d.subtract(repay).add(usdUnit), c, p, CURE_LEVEL)).isTrue();
            } else {
                cured++;
                assertThat(post).isZero();
                assertThat(repay).isZero();
            }
        }
        assertThat(curing).isGreaterThan(200);
        assertThat(cured).isGreaterThan(200);
    }

    private static void assertTriggerPriceIsTight(BigDecimal d, BigDecimal c, BigDecimal t, int quoteScale) {
        BigDecimal printed = LtvMath.triggerPrice(d, c, t, quoteScale);
        BigDecimal unit = BigDecimal.ONE.movePointLeft(quoteScale);
        assertThat(printed.scale()).isEqualTo(quoteScale);
        assertThat(LtvMath.atOrAbove(d, c, printed, t)).as("at %s for D=%s C=%s t=%s", printed, d, c, t).isTrue();
        assertThat(LtvMath.atOrAbove(d, c, printed.add(unit), t)).as("above %s for D=%s C=%s t=%s", printed, d, c, t).isFalse();
    }

    private static List<Band> bandsFor(BigDecimal d, BigDecimal c, Band start, String... prices) {
        List<Band> bands = new ArrayList<>();
        Band band = start;
        for (String price : prices) {
            band = LtvMath.band(d, c, dec(price), STANDARD, band);
            bands.add(band);
        }
        return bands;
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }
}
