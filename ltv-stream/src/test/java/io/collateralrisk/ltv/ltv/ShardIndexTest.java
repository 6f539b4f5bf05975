package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LtvMath;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The crossing-price index of one shard, on its own. Standard policy: warning 0.70, margin call
 * 0.80, liquidation 0.90, hysteresis 0.01. A facility of 1 BTC against 70,000 USD reaches 0.70 at
 * 100,000 and leaves WARNING (below 0.69) above 101,449.275362...
 */
class ShardIndexTest {

    private static final PolicyConfig STANDARD = RiskConfig.defaults().policies().get("standard");
    private static final long NO_TIMER = Long.MAX_VALUE;

    private final ShardIndex index = new ShardIndex();

    @Test
    void aHealthyFacilityIsNamedFromThePriceAtWhichItReachesWarning() {
        index.put(FacilityStates.of("F-1", "1", "70000", Band.HEALTHY), STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("100000.01"))).isEmpty();
        assertThat(index.affectedBy(price("100000"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("64000"))).containsExactly("F-1");
        // A healthy facility has no way down: a rising price never names it.
        assertThat(index.affectedBy(price("250000"))).isEmpty();
    }

    @Test
    void aFacilityInWarningIsNamedBelowMarginCallAndAboveItsExitWithHysteresis() {
        index.put(FacilityStates.of("F-1", "1", "70000", Band.WARNING), STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("87500.000001"))).isEmpty();
        assertThat(index.affectedBy(price("87500"))).containsExactly("F-1");
        // Below 0.69 only above 70,000 / 0.69 = 101,449.2753623...: the key is that price rounded down.
        assertThat(index.affectedBy(price("101449.275362"))).isEmpty();
        assertThat(index.affectedBy(price("101449.275363"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("100000"))).isEmpty();
    }

    @Test
    void aCrossingOffTheMillionthGridIsWidenedOutwardsNeverInwards() {
        // 100,000 against 3 BTC reaches 0.70 at 47,619.0476190476...: the key rounds up to ...620.
        index.put(FacilityStates.of("F-1", "3", "100000", Band.HEALTHY), STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("47619.047621"))).isEmpty();
        // One step early: re-tested, and the exact comparison keeps it HEALTHY.
        assertThat(index.affectedBy(price("47619.04762"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("47619.0476195"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("47619.047619"))).containsExactly("F-1");
    }

    @Test
    void facilitiesAtTheSameCrossingAreNamedInIdOrder() {
        for (String id : List.of("F-9", "F-10", "F-1", "F-5", "F-50")) {
            index.put(FacilityStates.of(id, "1", "70000", Band.HEALTHY), STANDARD, NO_TIMER);
        }
        index.put(FacilityStates.of("F-0", "1", "60000", Band.HEALTHY), STANDARD, NO_TIMER);

        assertThat(new ArrayList<>(index.affectedBy(price("99000")))).containsExactly("F-1", "F-10", "F-5", "F-50", "F-9");
        assertThat(new ArrayList<>(index.affectedBy(price("85000")))).containsExactly("F-0", "F-1", "F-10", "F-5", "F-50", "F-9");
    }

    @Test
    void reIndexingAFacilityReplacesItsCrossings() {
        FacilityState s = FacilityStates.of("F-1", "1", "70000", Band.HEALTHY);
        index.put(s, STANDARD, NO_TIMER);
        s.band = Band.WARNING;
        index.put(s, STANDARD, NO_TIMER);

        assertThat(index.size()).isEqualTo(1);
        assertThat(index.affectedBy(price("99000"))).isEmpty();
        assertThat(index.affectedBy(price("87500"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("102000"))).containsExactly("F-1");

        s.outstanding = new BigDecimal("60000");
        s.band = Band.HEALTHY;
        index.put(s, STANDARD, NO_TIMER);
        // 60,000 reaches 0.70 at 85,714.2857...
        assertThat(index.affectedBy(price("87500"))).isEmpty();
        assertThat(index.affectedBy(price("85714.29"))).isEmpty();
        assertThat(index.affectedBy(price("85714.28"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("102000"))).isEmpty();
    }

    @Test
    void unevaluatedHeldAndCollateralMissingFacilitiesAreRetestedAtEveryPrice() {
        index.put(FacilityStates.of("F-new", "1", "70000", null), STANDARD, NO_TIMER);
        FacilityState held = FacilityStates.of("F-held", "1", "95000", Band.LIQUIDATION);
        held.holdTrigger = Decision.THRESHOLD;
        held.holdReason = Decision.HOLD_PRICE_UNAVAILABLE;
        held.holdSince = 1L;
        index.put(held, STANDARD, NO_TIMER);
        FacilityState missing = FacilityStates.of("F-missing", "0", "70000", Band.LIQUIDATION);
        missing.collateralMissing = true;
        index.put(missing, STANDARD, NO_TIMER);
        // Amounts not yet known: nothing to test.
        FacilityState unknown = new FacilityState();
        unknown.facilityId = "F-unknown";
        index.put(unknown, STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("1000000"))).containsExactly("F-held", "F-missing", "F-new");
        assertThat(index.affectedBy(price("1"))).containsExactly("F-held", "F-missing", "F-new");
        assertThat(index.size()).isEqualTo(4);
    }

    @Test
    void noPriceMovesAFacilityWhoseLiquidationIsInProgress() {
        // A liquidation the pair-wide circuit breaker holds is pending here too.
        FacilityState pending = FacilityStates.of("F-pending", "1", "95000", Band.LIQUIDATION);
        pending.liquidationId = "L-1";
        index.put(pending, STANDARD, NO_TIMER);
        FacilityState sold = FacilityStates.of("F-sold", "1", "95000", Band.LIQUIDATION);
        sold.awaitingAmounts = true;
        index.put(sold, STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("1000000"))).isEmpty();
        assertThat(index.affectedBy(price("1"))).isEmpty();
    }

    @Test
    void aCircuitBreakerHoldFromStateKeptBeforeThePairWideBreakerIsReTestedAtEveryPrice() {
        FacilityState legacy = FacilityStates.of("F-breaker", "1", "95000", Band.LIQUIDATION);
        legacy.holdTrigger = Decision.THRESHOLD;
        legacy.holdReason = Decision.HOLD_CIRCUIT_BREAKER;
        legacy.holdSince = 1L;
        index.put(legacy, STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("1000000"))).containsExactly("F-breaker");
    }

    @Test
    void aFacilityInLiquidationWithNothingPendingIsNamedWhenItCouldTriggerOrLeave() {
        // Released from a hold, say: at or below 95,000 / 0.90 it is due; above 95,000 / 0.89 it leaves.
        index.put(FacilityStates.of("F-1", "1", "95000", Band.LIQUIDATION), STANDARD, NO_TIMER);

        assertThat(index.affectedBy(price("105555.555556"))).containsExactly("F-1");
        assertThat(index.affectedBy(price("105555.555557"))).isEmpty();
        assertThat(index.affectedBy(price("106741.573033"))).isEmpty();
        assertThat(index.affectedBy(price("106741.573034"))).containsExactly("F-1");
    }

    @Test
    void timersAreDueInIdOrderAndRemovedWithTheirFacility() {
        index.put(FacilityStates.of("F-b", "1", "80000", Band.MARGIN_CALL), STANDARD, 2_000L);
        index.put(FacilityStates.of("F-a", "1", "80000", Band.MARGIN_CALL), STANDARD, 2_000L);
        index.put(FacilityStates.of("F-c", "1", "80000", Band.MARGIN_CALL), STANDARD, 1_000L);
        index.put(FacilityStates.of("F-d", "1", "70000", Band.HEALTHY), STANDARD, NO_TIMER);

        assertThat(index.hasTimerAt(1_000L)).isTrue();
        assertThat(index.hasTimerAt(1_500L)).isFalse();
        assertThat(index.hasTimerAt(2_000L)).isTrue();
        assertThat(index.dueAt(999L)).isEmpty();
        assertThat(new ArrayList<>(index.dueAt(1_000L))).containsExactly("F-c");
        assertThat(new ArrayList<>(index.dueAt(5_000L))).containsExactly("F-a", "F-b", "F-c");
        assertThat(new ArrayList<>(index.dueAt(Long.MAX_VALUE))).containsExactly("F-a", "F-b", "F-c");

        assertThat(index.remove("F-a")).isEqualTo(2_000L);
        assertThat(index.hasTimerAt(2_000L)).as("F-b still needs it").isTrue();
        assertThat(index.remove("F-b")).isEqualTo(2_000L);
        assertThat(index.hasTimerAt(2_000L)).isFalse();
        assertThat(index.remove("F-d")).isEqualTo(NO_TIMER);
        assertThat(index.remove("F-never")).isEqualTo(NO_TIMER);
        assertThat(index.size()).isEqualTo(1);

        // A new timer replaces the old one.
        index.put(FacilityStates.of("F-c", "1", "80000", Band.MARGIN_CALL), STANDARD, 3_000L);
        assertThat(index.hasTimerAt(1_000L)).isFalse();
        assertThat(index.dueAt(2_999L)).isEmpty();
        assertThat(index.dueAt(3_000L)).containsExactly("F-c");
        assertThat(index.remove("F-c")).isEqualTo(3_000L);
        assertThat(index.affectedBy(price("1"))).isEmpty();
    }

    @Test
    void clearForgetsEverything() {
        index.put(FacilityStates.of("F-1", "1", "70000", Band.HEALTHY), STANDARD, 5L);
        index.put(FacilityStates.of("F-2", "1", "70000", null), STANDARD, NO_TIMER);
        index.clear();

        assertThat(index.size()).isZero();
        assertThat(index.affectedBy(price("1"))).isEmpty();
        assertThat(index.dueAt(Long.MAX_VALUE)).isEmpty();
        assertThat(index.hasTimerAt(5L)).isFalse();
    }

    /**
     * A random book moved by random prices: every facility whose band a price changes is named,
     * and what is named is exactly what the crossings widened to the millionth select.
     */
    @Test
    void aRandomBookMissesNoFacilityAtAnyPriceAndNamesOnlyThoseAtTheirCrossings() {
        Random random = new Random(11);
        Map<String, FacilityState> book = new HashMap<>();
        BigDecimal opening = new BigDecimal("20000.00");
        for (int i = 0; i < 3_000; i++) {
            BigDecimal collateral = BigDecimal.valueOf(1_000_000 + random.nextInt(2_000_000_000), 8);
            BigDecimal ltv = BigDecimal.valueOf(300 + random.nextInt(700), 3);
            FacilityState s = FacilityStates.of("F-" + i, collateral.toPlainString(),
                    collateral.multiply(opening).multiply(ltv).setScale(2, RoundingMode.HALF_EVEN).toPlainString(), null);
            s.band = LtvMath.band(s.outstanding, s.collateral, opening, STANDARD, null);
            book.put(s.facilityId, s);
            index.put(s, STANDARD, NO_TIMER);
        }
        for (int step = 0; step < 200; step++) {
            BigDecimal p = opening.multiply(BigDecimal.valueOf(600 + random.nextInt(900), 3))
                    .add(BigDecimal.valueOf(random.nextInt(1_000_000), 8)).stripTrailingZeros();
            Set<String> named = index.affectedBy(p);

            Set<String> expected = new TreeSet<>();
            for (FacilityState s : book.values()) {
                if (withinCrossings(s, p)) {
                    expected.add(s.facilityId);
                }
                Band now = LtvMath.band(s.outstanding, s.collateral, p, STANDARD, s.band);
                if (now != s.band) {
                    assertThat(named).as("%s moves %s -> %s at %s", s.facilityId, s.band, now, p).contains(s.facilityId);
                }
            }
            assertThat(named).as("named at %s", p).isEqualTo(expected);

            // Every tenth step the book moves as the job would move it.
            if (step % 10 == 0) {
                for (String id : named) {
                    FacilityState s = book.get(id);
                    s.band = LtvMath.band(s.outstanding, s.collateral, p, STANDARD, s.band);
                    index.put(s, STANDARD, NO_TIMER);
                }
                // Only a facility in LIQUIDATION stays named: it is due, and the rules would trigger it.
                assertThat(index.affectedBy(p)).as("nothing left to move at %s", p)
                        .allSatisfy(id -> assertThat(book.get(id).band).isEqualTo(Band.LIQUIDATION));
            }
        }
    }

    /** The index's rule restated: worsens at or below D / (C x next threshold), improves above D / (C x (threshold - h)). */
    private static boolean withinCrossings(FacilityState s, BigDecimal p) {
        Band next = s.band == Band.LIQUIDATION ? Band.LIQUIDATION : Band.values()[s.band.ordinal() + 1];
        BigDecimal worsen = crossing(s, threshold(next), RoundingMode.CEILING);
        if (worsen.compareTo(p.setScale(6, RoundingMode.FLOOR)) >= 0) {
            return true;
        }
        if (s.band == Band.HEALTHY) {
            return false;
        }
        BigDecimal improve = crossing(s, threshold(s.band).subtract(STANDARD.hysteresis()), RoundingMode.FLOOR);
        return improve.compareTo(p.setScale(6, RoundingMode.CEILING)) < 0;
    }

    private static BigDecimal crossing(FacilityState s, BigDecimal threshold, RoundingMode rounding) {
        return s.outstanding.divide(s.collateral.multiply(threshold), MathContext.DECIMAL128).setScale(6, rounding);
    }

    private static BigDecimal threshold(Band band) {
        return switch (band) {
            case HEALTHY -> BigDecimal.ZERO;
            case WARNING -> STANDARD.warning();
            case MARGIN_CALL -> STANDARD.marginCall();
            case LIQUIDATION -> STANDARD.liquidation();
        };
    }

    private static BigDecimal price(String p) {
        return new BigDecimal(p);
    }
}
