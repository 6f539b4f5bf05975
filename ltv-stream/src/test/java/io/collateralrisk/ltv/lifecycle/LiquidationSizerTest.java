package io.collateralrisk.ltv.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.ltv.lifecycle.LiquidationSizer.Sizing;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LiquidationSizerTest {

    private static final int BTC = 8;
    private static final int ETH = 18;
    private static final int USD = 2;
    private static final BigDecimal L = dec("0.60");

    private static final BigDecimal C10 = dec("10.00000000");
    private static final BigDecimal D150K = dec("150000.00");

    @Test
    void exactSizeByHand() {
        // LTV 150,000 / 160,000 = 0.9375; x = (150,000 - 0.6 x 10 x 16,000) / (16,000 x 0.4) = 54,000 / 6,400.
        Sizing sizing = LiquidationSizer.size(D150K, C10, dec("16000.00"), L, BTC, USD);
        assertThat(sizing.liquidateCollateral()).isEqualTo(dec("8.43750000"));
        assertThat(sizing.shortfall()).isNull();
        // Afterwards: 1.5625 BTC against 15,000 USD at 16,000 is exactly 0.60.
        assertThat(ltvAfter(D150K, C10, dec("16000.00"), sizing.liquidateCollateral())).isEqualByComparingTo("0.6");
    }

    @Test
    void roundedUpToTheSmallestUnitByHand() {
        // x = (150,000 - 99,000) / 6,600 = 7.727272727...: rounded up, never down.
        BigDecimal p = dec("16500.00");
        Sizing sizing = LiquidationSizer.size(D150K, C10, p, L, BTC, USD);
        assertThat(sizing.liquidateCollateral()).isEqualTo(dec("7.72727273"));
        assertThat(sizing.shortfall()).isNull();
        assertThat(atOrBelowTargetAfterSelling(D150K, C10, p, L, dec("7.72727273"))).isTrue();
        assertThat(atOrBelowTargetAfterSelling(D150K, C10, p, L, dec("7.72727272"))).isFalse();
    }

    @Test
    void nothingToSellAtOrBelowTheTarget() {
        // 150,000 / 250,000 = 0.60 exactly.
        assertThat(LiquidationSizer.size(D150K, C10, dec("25000.00"), L, BTC, USD))
                .isEqualTo(new LiquidationSizer.Sizing(dec("0E-8"), null));
        assertThat(LiquidationSizer.size(D150K, C10, dec("30000.00"), L, BTC, USD).liquidateCollateral()).isZero();
        assertThat(LiquidationSizer.size(dec("0.00"), C10, dec("30000.00"), L, BTC, USD).liquidateCollateral()).isZero();
    }

    @Test
    void collateralWorthExactlyTheDebtIsSoldWholeWithNoShortfall() {
        Sizing sizing = LiquidationSizer.size(D150K, C10, dec("15000.00"), L, BTC, USD);
        assertThat(sizing.liquidateCollateral()).isEqualByComparingTo(C10);
        assertThat(sizing.shortfall()).isNull();
    }

    @Test
    void collateralThatCannotCoverTheDebtIsSoldWholeAndTheRestIsAShortfall() {
        Sizing sizing = LiquidationSizer.size(D150K, C10, dec("14000.00"), L, BTC, USD);
        assertThat(sizing.liquidateCollateral()).isEqualByComparingTo(C10);
        assertThat(sizing.shortfall()).isEqualTo(dec("10000.00"));

        // 200 - 1.23456789 x 100.01 = 76.5308653211: rounded up to the cent.
        Sizing odd = LiquidationSizer.size(dec("200.00"), dec("1.23456789"), dec("100.01"), L, BTC, USD);
        assertThat(odd.liquidateCollateral()).isEqualTo(dec("1.23456789"));
        assertThat(odd.shortfall()).isEqualTo(dec("76.54"));

        // No collateral at all: nothing to sell, the whole debt uncovered.
        Sizing none = LiquidationSizer.size(D150K, dec("0"), dec("14000.00"), L, BTC, USD);
        assertThat(none.liquidateCollateral()).isZero();
        assertThat(none.shortfall()).isEqualTo(D150K);
    }

    @Test
    void rejectsATargetOfOneOrMoreAndANonPositivePrice() {
        assertThatThrownBy(() -> LiquidationSizer.size(D150K, C10, dec("16000"), BigDecimal.ONE, BTC, USD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LiquidationSizer.size(D150K, C10, BigDecimal.ZERO, L, BTC, USD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomFacilitiesEndAtOrJustBelowTheTarget() {
        checkRandomFacilities(new Random(42L), BTC, L, 4000);
        checkRandomFacilities(new Random(43L), BTC, dec("0.50"), 1000);
        checkRandomFacilities(new Random(44L), ETH, dec("0.50"), 1000);
    }

    private static void checkRandomFacilities(Random random, int baseScale, BigDecimal target, int count) {
        BigDecimal unit = BigDecimal.ONE.movePointLeft(baseScale);
        int sized = 0;
        int shortfalls = 0;
        for (int i = 0; i < count; i++) {
            BigDecimal c = new BigDecimal(1 + (long) (random.nextDouble() * 5e9)).movePointLeft(8).setScale(baseScale);
            if (baseScale > 8) {
                // Use the finer digits too.
                c = c.add(BigDecimal.valueOf(random.nextInt(1_000_000_000), baseScale));
            }
            BigDecimal p = BigDecimal.valueOf(100 + random.nextInt(20_000_000), USD);
            // An LTV between just above the target and 1.3, so some facilities cannot be covered.
            BigDecimal ltv = target.add(BigDecimal.valueOf(1 + random.nextInt(700_000), 6));
            BigDecimal d = ltv.multiply(c).multiply(p).setScale(USD, RoundingMode.CEILING);
            if (d.compareTo(target.multiply(c).multiply(p)) <= 0) {
                continue;
            }
            String facility = "D=" + d + " C=" + c + " P=" + p + " L=" + target;

            Sizing sizing = LiquidationSizer.size(d, c, p, target, baseScale, USD);
            BigDecimal x = sizing.liquidateCollateral();
            assertThat(x.scale()).as(facility).isEqualTo(baseScale);
            assertThat(x).as(facility).isPositive().isLessThanOrEqualTo(c);

            if (c.multiply(p).compareTo(d) < 0) {
                shortfalls++;
                BigDecimal uncovered = d.subtract(c.multiply(p));
                assertThat(x).as(facility).isEqualByComparingTo(c);
                assertThat(sizing.shortfall()).as(facility).isPositive().isGreaterThanOrEqualTo(uncovered);
                assertThat(sizing.shortfall().scale()).as(facility).isEqualTo(USD);
                assertThat(sizing.shortfall().subtract(dec("0.01"))).as(facility).isLessThan(uncovered);
                continue;
            }
            sized++;
            assertThat(sizing.shortfall()).as(facility).isNull();
            assertThat(atOrBelowTargetAfterSelling(d, c, p, target, x)).as(facility).isTrue();
            // One smallest unit less would not be enough: x is the least that reaches the target.
            assertThat(atOrBelowTargetAfterSelling(d, c, p, target, x.subtract(unit))).as(facility).isFalse();
        }
        // The generator must exercise both branches.
        assertThat(sized).isGreaterThan(count / 4);
        assertThat(shortfalls).isPositive();
    }

    /**
     * Whether selling {@code x} at {@code p}, the proceeds repaying debt (never more than there
     * is), leaves {@code D' <= L x C' x P}, exactly.
     */
    private static boolean atOrBelowTargetAfterSelling(BigDecimal d, BigDecimal c, BigDecimal p, BigDecimal l, BigDecimal x) {
        BigDecimal debtAfter = d.subtract(x.multiply(p)).max(BigDecimal.ZERO);
        BigDecimal collateralAfter = c.subtract(x);
        return debtAfter.compareTo(l.multiply(collateralAfter).multiply(p)) <= 0;
    }

    @Test
    void aTargetOfZeroIsAllowedAndSellsCollateralWorthTheWholeDebt() {
        // x = 150,000 / 16,000 = 9.375: the facility ends with no debt.
        Sizing sizing = LiquidationSizer.size(D150K, C10, dec("16000.00"), BigDecimal.ZERO, BTC, USD);
        assertThat(sizing.liquidateCollateral()).isEqualTo(dec("9.37500000"));
        assertThat(sizing.shortfall()).isNull();
    }

    private static BigDecimal ltvAfter(BigDecimal d, BigDecimal c, BigDecimal p, BigDecimal x) {
        return LtvMath.ltv(d.subtract(x.multiply(p)), c.subtract(x), p);
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }
}
