package io.collateralrisk.solvency.custody;

import static io.collateralrisk.model.CustodyEvent.INVARIANT_BROKEN;
import static io.collateralrisk.model.CustodyEvent.INVARIANT_RESTORED;
import static io.collateralrisk.model.CustodyEvent.LOSS_RECORDED;
import static io.collateralrisk.model.CustodyEvent.TRADE_BLOCKAGE;
import static io.collateralrisk.model.CustodyEvent.TRADE_BLOCKAGE_CLEARED;
import static io.collateralrisk.solvency.custody.PoolSnapshot.CUSTODY;
import static io.collateralrisk.solvency.custody.PoolSnapshot.MINT;
import static io.collateralrisk.solvency.custody.PoolSnapshot.TWO_63;
import static io.collateralrisk.solvency.custody.PoolSnapshot.TWO_64;
import static io.collateralrisk.solvency.custody.PoolSnapshot.big;
import static io.collateralrisk.solvency.custody.PoolSnapshot.healthy;
import static io.collateralrisk.solvency.custody.PoolSnapshot.timeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodyEvent.Operand;
import io.collateralrisk.model.CustodySnapshot;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.json.CustodySnapshotParser;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The custody rules over sequences of snapshots, one row of the table at a time. The pool starts
 * healthy (base 10,000, locked 5,000: utilization 0.5 against the configured 0.80); sequences of
 * event types are asserted exactly, so an extra or a missing event fails.
 */
class CustodyRulesTest {

    private static final String HASH = "config-hash";
    private static final String VERSION = "code-version";
    private static final BigDecimal CONFIGURED = new BigDecimal("0.80");

    private final CustodyRules rules = new CustodyRules(CONFIGURED, HASH, VERSION);
    private final CustodyPoolState state = new CustodyPoolState();

    private List<CustodyEvent> apply(PoolSnapshot p, long slot) {
        return apply(rules, state, p.at(slot));
    }

    private static List<CustodyEvent> apply(CustodyRules rules, CustodyPoolState state, CustodySnapshot s) {
        CustodyOutcome outcome = rules.onSnapshot(state, s);
        assertThat(outcome.status()).as("outcome of slot %s", s.slot()).isEqualTo(CustodyOutcome.Status.APPLIED);
        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.detail()).isNull();
        return outcome.events();
    }

    private static List<String> types(List<CustodyEvent> events) {
        return events.stream().map(e -> e.type() + (e.invariant() != null ? ":" + e.invariant() : "")
                + (e.field() != null ? ":" + e.field() : "")).toList();
    }

    /** Only the two required invariants are evaluated: the optional fields are left out. */
    private static PoolSnapshot bare() {
        return healthy().positionCollateral((Long) null).tokenAccountBalance((Long) null);
    }

    // ---------------------------------------------------------------- the first snapshot

    @Nested
    class FirstSnapshot {

        @Test
        void aHealthyFirstSnapshotRaisesNothingAndStartsTheCustody() {
            assertThat(apply(healthy(), 7)).isEmpty();
            assertThat(state.custody).isEqualTo(CUSTODY);
            assertThat(state.mint).isEqualTo(MINT);
            assertThat(state.lastSlot).isEqualTo(big(7));
            assertThat(state.lastEventTime).isEqualTo(timeOf(7));
            assertThat(state.lastAmounts).isEqualTo(healthy().amounts());
            assertThat(state.broken).isEmpty();
            assertThat(state.blocked()).isFalse();
            assertThat(state.started()).isTrue();
        }

        @Test
        void lossesOnTheFirstSnapshotHaveNothingToBeComparedWith() {
            assertThat(apply(healthy().impairmentLosses(100).userLosses(50), 1)).isEmpty();
        }

        @Test
        void aFirstSnapshotAlreadyBrokenRaisesTheBreak() {
            List<CustodyEvent> events = apply(bare().owned(9_999), 3);
            assertThat(types(events)).containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_COVERS_BASE");
            assertThat(events.get(0).brokenSinceSlot()).isEqualTo(big(3));
            assertThat(events.get(0).brokenSince()).isEqualTo(timeOf(3));
        }

        @Test
        void aFirstSnapshotAlreadyBlockedRaisesTheBlockage() {
            assertThat(types(apply(healthy().locked(8_000), 1))).containsExactly(TRADE_BLOCKAGE);
        }
    }

    // ---------------------------------------------------------------- invariants broken and restored

    @Nested
    class OwnedCoversBase {

        @Test
        void brokenOneUnitBelowNotRepeatedAndRestoredExactlyAtEquality() {
            apply(bare(), 1);
            List<CustodyEvent> broken = apply(bare().owned(9_999), 2);
            assertThat(types(broken)).containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_COVERS_BASE");
            CustodyEvent b = broken.get(0);
            assertThat(b.difference()).isEqualTo(big(-1));
            assertThat(b.operands()).containsExactly(new Operand("owned", big(9_999)), new Operand("base", big(10_000)));
            assertThat(b.brokenSinceSlot()).isEqualTo(big(2));

            assertThat(apply(bare().owned(9_999), 3)).isEmpty();
            assertThat(apply(bare().owned(5_000), 4)).as("worse, still the same failure").isEmpty();

            List<CustodyEvent> restored = apply(bare().owned(10_000), 5);
            assertThat(types(restored)).containsExactly("CUSTODY_INVARIANT_RESTORED:OWNED_COVERS_BASE");
            CustodyEvent r = restored.get(0);
            assertThat(r.difference()).isZero();
            assertThat(r.operands()).containsExactly(new Operand("owned", big(10_000)), new Operand("base", big(10_000)));
            assertThat(r.brokenSinceSlot()).isEqualTo(big(2));
            assertThat(r.brokenSince()).isEqualTo(timeOf(2));
            assertThat(state.broken).isEmpty();

            assertThat(apply(bare().owned(10_000), 6)).isEmpty();
        }
    }

    @Nested
    class BaseCoversLocked {

        @Test
        void brokenOneUnitAboveAndRestoredExactlyAtEquality() {
            apply(bare(), 1);
            List<CustodyEvent> broken = apply(bare().locked(10_001), 2);
            // Utilization above 1 also reaches the blockage threshold.
            assertThat(types(broken)).containsExactly("CUSTODY_INVARIANT_BROKEN:BASE_COVERS_LOCKED", TRADE_BLOCKAGE);
            assertThat(broken.get(0).difference()).isEqualTo(big(-1));
            assertThat(broken.get(0).operands()).containsExactly(new Operand("base", big(10_000)), new Operand("locked", big(10_001)));
            assertThat(broken.get(0).exchangeable()).isEqualTo(big(-1));

            assertThat(apply(bare().locked(10_002), 3)).isEmpty();

            List<CustodyEvent> restored = apply(bare().locked(10_000), 4);
            assertThat(types(restored)).containsExactly("CUSTODY_INVARIANT_RESTORED:BASE_COVERS_LOCKED");
            assertThat(restored.get(0).difference()).isZero();
            assertThat(restored.get(0).exchangeable()).isZero();
            assertThat(restored.get(0).brokenSinceSlot()).isEqualTo(big(2));
        }
    }

    @Nested
    class OwnedIsBasePlusCollateral {

        private PoolSnapshot withCollateral(long owned) {
            return healthy().tokenAccountBalance((Long) null).owned(owned);
        }

        @Test
        void brokenEitherSideNotRepeatedAndRestoredAtEquality() {
            apply(withCollateral(12_000), 1);
            List<CustodyEvent> broken = apply(withCollateral(12_001), 2);
            assertThat(types(broken)).containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_IS_BASE_PLUS_COLLATERAL");
            assertThat(broken.get(0).difference()).isEqualTo(big(1));
            assertThat(broken.get(0).operands()).containsExactly(
                    new Operand("owned", big(12_001)), new Operand("base", big(10_000)), new Operand("positionCollateral", big(2_000)));

            assertThat(apply(withCollateral(11_999), 3)).as("the other side of equality, still broken").isEmpty();

            List<CustodyEvent> restored = apply(withCollateral(12_000), 4);
            assertThat(types(restored)).containsExactly("CUSTODY_INVARIANT_RESTORED:OWNED_IS_BASE_PLUS_COLLATERAL");
            assertThat(restored.get(0).difference()).isZero();
            assertThat(restored.get(0).brokenSinceSlot()).isEqualTo(big(2));
        }

        @Test
        void aSnapshotWithoutTheFieldLeavesABrokenInvariantBroken() {
            apply(withCollateral(12_000), 1);
            apply(withCollateral(12_001), 2);
            assertThat(apply(withCollateral(12_000).positionCollateral((Long) null), 3)).isEmpty();
            assertThat(state.brokenNow(CustodyInvariant.OWNED_IS_BASE_PLUS_COLLATERAL)).isNotNull();
            List<CustodyEvent> restored = apply(withCollateral(12_000), 4);
            assertThat(types(restored)).containsExactly("CUSTODY_INVARIANT_RESTORED:OWNED_IS_BASE_PLUS_COLLATERAL");
            assertThat(restored.get(0).brokenSinceSlot()).isEqualTo(big(2));
        }

        @Test
        void aSnapshotWithoutTheFieldLeavesAHoldingInvariantHolding() {
            apply(withCollateral(12_001).positionCollateral((Long) null), 1);
            assertThat(state.broken).isEmpty();
            assertThat(types(apply(withCollateral(12_001), 2)))
                    .containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_IS_BASE_PLUS_COLLATERAL");
        }
    }

    @Nested
    class TokenAccountReconciles {

        private PoolSnapshot withBalance(Long balance) {
            return healthy().positionCollateral((Long) null).tokenAccountBalance(balance);
        }

        @Test
        void brokenEitherSideNotRepeatedAndRestoredAtEquality() {
            apply(withBalance(12_300L), 1);
            List<CustodyEvent> broken = apply(withBalance(12_301L), 2);
            assertThat(types(broken)).containsExactly("CUSTODY_INVARIANT_BROKEN:TOKEN_ACCOUNT_RECONCILES");
            assertThat(broken.get(0).difference()).isEqualTo(big(-1));
            assertThat(broken.get(0).operands()).containsExactly(
                    new Operand("owned", big(12_000)), new Operand("feeReserves", big(300)),
                    new Operand("tokenAccountBalance", big(12_301)));

            assertThat(apply(withBalance(12_299L), 3)).isEmpty();
            assertThat(apply(withBalance(null), 4)).as("not evaluated").isEmpty();

            List<CustodyEvent> restored = apply(withBalance(12_300L), 5);
            assertThat(types(restored)).containsExactly("CUSTODY_INVARIANT_RESTORED:TOKEN_ACCOUNT_RECONCILES");
            assertThat(restored.get(0).difference()).isZero();
            assertThat(restored.get(0).brokenSinceSlot()).isEqualTo(big(2));
        }
    }

    @Nested
    class LossesNeverShrink {

        @Test
        void aDecreaseOfOneBreaksItAndTheNextSnapshotWithoutDecreaseRestoresIt() {
            apply(healthy().impairmentLosses(100).userLosses(50), 1);
            List<CustodyEvent> broken = apply(healthy().impairmentLosses(99).userLosses(50), 2);
            assertThat(types(broken)).containsExactly("CUSTODY_INVARIANT_BROKEN:LOSSES_NEVER_SHRINK");
            assertThat(broken.get(0).difference()).isEqualTo(big(-1));
            assertThat(broken.get(0).operands()).containsExactly(
                    new Operand("previousImpairmentLosses", big(100)), new Operand("impairmentLosses", big(99)),
                    new Operand("previousUserLosses", big(50)), new Operand("userLosses", big(50)));

            List<CustodyEvent> restored = apply(healthy().impairmentLosses(99).userLosses(50), 3);
            assertThat(types(restored)).containsExactly("CUSTODY_INVARIANT_RESTORED:LOSSES_NEVER_SHRINK");
            assertThat(restored.get(0).difference()).isZero();
            assertThat(restored.get(0).brokenSinceSlot()).isEqualTo(big(2));
        }

        @Test
        void shrinkingAgainRaisesNothingMore() {
            apply(healthy().userLosses(50), 1);
            assertThat(types(apply(healthy().userLosses(49), 2))).containsExactly("CUSTODY_INVARIANT_BROKEN:LOSSES_NEVER_SHRINK");
            assertThat(apply(healthy().userLosses(40), 3)).isEmpty();
            assertThat(apply(healthy().userLosses(0), 4)).isEmpty();
            assertThat(types(apply(healthy().userLosses(0), 5))).containsExactly("CUSTODY_INVARIANT_RESTORED:LOSSES_NEVER_SHRINK");
        }

        @Test
        void growthAfterAShrinkRestoresItAndIsRecordedFromTheShrunkAmount() {
            apply(healthy().impairmentLosses(100), 1);
            apply(healthy().impairmentLosses(60), 2);
            List<CustodyEvent> events = apply(healthy().impairmentLosses(80), 3);
            assertThat(types(events)).containsExactly(
                    "CUSTODY_INVARIANT_RESTORED:LOSSES_NEVER_SHRINK", "CUSTODY_LOSS_RECORDED:impairmentLosses");
            assertThat(events.get(1).previousAmount()).isEqualTo(big(60));
            assertThat(events.get(1).increase()).isEqualTo(big(20));
        }
    }

    @Nested
    class SeveralInvariants {

        @Test
        void breakAndRestoreInTheInvariantsOrderEachWithItsOwnSlot() {
            apply(healthy(), 1);
            // owned 9,999 breaks owned >= base, owned = base + collateral and the token account at once.
            assertThat(types(apply(healthy().owned(9_999), 2))).containsExactly(
                    "CUSTODY_INVARIANT_BROKEN:OWNED_COVERS_BASE",
                    "CUSTODY_INVARIANT_BROKEN:OWNED_IS_BASE_PLUS_COLLATERAL",
                    "CUSTODY_INVARIANT_BROKEN:TOKEN_ACCOUNT_RECONCILES");
            // Losses shrink too, one slot later: only the new failure is raised.
            assertThat(types(apply(healthy().owned(9_999).userLosses(0).impairmentLosses(0).locked(10_001), 3)))
                    .containsExactly("CUSTODY_INVARIANT_BROKEN:BASE_COVERS_LOCKED", TRADE_BLOCKAGE);
            assertThat(state.broken).extracting(BrokenInvariant::invariant).containsExactly(
                    CustodyInvariant.OWNED_COVERS_BASE, CustodyInvariant.BASE_COVERS_LOCKED,
                    CustodyInvariant.OWNED_IS_BASE_PLUS_COLLATERAL, CustodyInvariant.TOKEN_ACCOUNT_RECONCILES);

            List<CustodyEvent> restored = apply(healthy(), 4);
            assertThat(types(restored)).containsExactly(
                    "CUSTODY_INVARIANT_RESTORED:OWNED_COVERS_BASE",
                    "CUSTODY_INVARIANT_RESTORED:BASE_COVERS_LOCKED",
                    "CUSTODY_INVARIANT_RESTORED:OWNED_IS_BASE_PLUS_COLLATERAL",
                    "CUSTODY_INVARIANT_RESTORED:TOKEN_ACCOUNT_RECONCILES",
                    TRADE_BLOCKAGE_CLEARED);
            assertThat(restored).extracting(CustodyEvent::brokenSinceSlot).containsExactly(big(2), big(3), big(2), big(2), null);
            assertThat(state.broken).isEmpty();
        }

        @Test
        void anInvariantBrokenAgainAfterItsRestorationStartsAFreshFailure() {
            apply(bare(), 1);
            apply(bare().owned(9_999), 2);
            apply(bare(), 3);
            List<CustodyEvent> again = apply(bare().owned(9_999), 4);
            assertThat(types(again)).containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_COVERS_BASE");
            assertThat(again.get(0).brokenSinceSlot()).isEqualTo(big(4));
            assertThat(types(apply(bare(), 5))).containsExactly("CUSTODY_INVARIANT_RESTORED:OWNED_COVERS_BASE");
        }
    }

    // ---------------------------------------------------------------- losses

    @Nested
    class LossGrowth {

        @Test
        void growthOfOneUnitIsRecordedWithThePreviousSnapshotsSlot() {
            apply(healthy().impairmentLosses(100), 10);
            List<CustodyEvent> events = apply(healthy().impairmentLosses(101), 12);
            assertThat(types(events)).containsExactly("CUSTODY_LOSS_RECORDED:impairmentLosses");
            CustodyEvent e = events.get(0);
            assertThat(e.field()).isEqualTo("impairmentLosses");
            assertThat(e.previousAmount()).isEqualTo(big(100));
            assertThat(e.increase()).isEqualTo(big(1));
            assertThat(e.sinceSlot()).isEqualTo(big(10));
            assertThat(e.amounts().impairmentLosses()).isEqualTo(big(101));
            assertThat(e.invariant()).isNull();
            assertThat(e.difference()).isNull();
        }

        @Test
        void bothFieldsGrowingGiveOneEventEachImpairmentFirst() {
            apply(healthy(), 1);
            List<CustodyEvent> events = apply(healthy().impairmentLosses(7).userLosses(9), 2);
            assertThat(types(events)).containsExactly("CUSTODY_LOSS_RECORDED:impairmentLosses", "CUSTODY_LOSS_RECORDED:userLosses");
            assertThat(events).extracting(CustodyEvent::increase).containsExactly(big(7), big(9));
            assertThat(events).extracting(CustodyEvent::previousAmount).containsExactly(big(0), big(0));
        }

        @Test
        void unchangedLossesRecordNothingAndEachGrowthIsRecordedOnce() {
            apply(healthy().userLosses(5), 1);
            assertThat(apply(healthy().userLosses(5), 2)).isEmpty();
            assertThat(types(apply(healthy().userLosses(6), 3))).containsExactly("CUSTODY_LOSS_RECORDED:userLosses");
            assertThat(apply(healthy().userLosses(6), 4)).isEmpty();
            List<CustodyEvent> next = apply(healthy().userLosses(8), 5);
            assertThat(next.get(0).increase()).isEqualTo(big(2));
            assertThat(next.get(0).sinceSlot()).isEqualTo(big(4));
        }

        @Test
        void growthIsMeasuredFromTheLastAppliedSnapshotNotAStaleOne() {
            apply(healthy().userLosses(5), 10);
            assertThat(rules.onSnapshot(state, healthy().userLosses(500).at(9)).status()).isEqualTo(CustodyOutcome.Status.STALE_SLOT);
            List<CustodyEvent> events = apply(healthy().userLosses(6), 11);
            assertThat(events.get(0).previousAmount()).isEqualTo(big(5));
            assertThat(events.get(0).sinceSlot()).isEqualTo(big(10));
        }

        @Test
        void growthBeyond64BitsIsExact() {
            apply(healthy().impairmentLosses(TWO_64), 1);
            List<CustodyEvent> events = apply(healthy().impairmentLosses(TWO_64.add(TWO_63)), 2);
            assertThat(events.get(0).previousAmount()).isEqualTo(TWO_64);
            assertThat(events.get(0).increase()).isEqualTo(TWO_63);
        }
    }

    // ---------------------------------------------------------------- trade blockage

    @Nested
    class TradeBlockage {

        @Test
        void blockedExactlyAtTheConfiguredUtilizationNotRepeatedAndClearedJustBelow() {
            assertThat(apply(healthy().locked(7_999), 1)).as("0.7999").isEmpty();
            List<CustodyEvent> on = apply(healthy().locked(8_000), 2);
            assertThat(types(on)).containsExactly(TRADE_BLOCKAGE);
            CustodyEvent b = on.get(0);
            assertThat(b.threshold()).isEqualByComparingTo("0.80");
            assertThat(b.thresholdSource()).isEqualTo(CustodyEvent.THRESHOLD_FROM_CONFIG);
            assertThat(b.utilization()).isEqualTo(new BigDecimal("0.800000000000000000"));
            assertThat(b.exchangeable()).isEqualTo(big(2_000));
            assertThat(b.blockedSinceSlot()).isNull();
            assertThat(b.reason()).isNull();
            assertThat(state.blockedSinceSlot).isEqualTo(big(2));
            assertThat(state.blockedSince).isEqualTo(timeOf(2));

            assertThat(apply(healthy().locked(8_001), 3)).isEmpty();
            assertThat(apply(healthy().locked(8_000), 4)).isEmpty();

            List<CustodyEvent> off = apply(healthy().locked(7_999), 5);
            assertThat(types(off)).containsExactly(TRADE_BLOCKAGE_CLEARED);
            CustodyEvent c = off.get(0);
            assertThat(c.reason()).isEqualTo(CustodyEvent.CLEARED_BELOW_THRESHOLD);
            assertThat(c.blockedSinceSlot()).isEqualTo(big(2));
            assertThat(c.utilization()).isEqualTo(new BigDecimal("0.799900000000000000"));
            assertThat(c.threshold()).isEqualByComparingTo("0.80");
            assertThat(state.blocked()).isFalse();
            assertThat(state.blockedSince).isNull();

            assertThat(apply(healthy().locked(7_999), 6)).isEmpty();
        }

        @Test
        void theSnapshotsOwnThresholdWinsAtItsExactValue() {
            assertThat(apply(healthy().bps(9_000).locked(8_999), 1)).as("above the configured, below the pool's").isEmpty();
            List<CustodyEvent> on = apply(healthy().bps(9_000).locked(9_000), 2);
            assertThat(types(on)).containsExactly(TRADE_BLOCKAGE);
            assertThat(on.get(0).threshold()).isEqualByComparingTo("0.9");
            assertThat(on.get(0).thresholdSource()).isEqualTo(CustodyEvent.THRESHOLD_FROM_SNAPSHOT);
            List<CustodyEvent> off = apply(healthy().bps(9_000).locked(8_999), 3);
            assertThat(types(off)).containsExactly(TRADE_BLOCKAGE_CLEARED);
            assertThat(off.get(0).thresholdSource()).isEqualTo(CustodyEvent.THRESHOLD_FROM_SNAPSHOT);
        }

        @Test
        void aLowerThresholdFromTheSnapshotBlocksBelowTheConfiguredOne() {
            assertThat(apply(healthy().bps(7_000).locked(6_999), 1)).isEmpty();
            assertThat(types(apply(healthy().bps(7_000).locked(7_000), 2))).containsExactly(TRADE_BLOCKAGE);
        }

        @Test
        void aThresholdMovingAboveAnUnchangedUtilizationClearsTheBlockage() {
            apply(healthy().locked(8_000), 1);
            List<CustodyEvent> off = apply(healthy().locked(8_000).bps(8_001), 2);
            assertThat(types(off)).containsExactly(TRADE_BLOCKAGE_CLEARED);
            assertThat(off.get(0).threshold()).isEqualByComparingTo("0.8001");
            assertThat(types(apply(healthy().locked(8_000), 3))).as("back to the configured 0.80").containsExactly(TRADE_BLOCKAGE);
        }

        @Test
        void noBlockageWhileBaseIsZeroWhateverTheThreshold() {
            PoolSnapshot empty = bare().base(0).locked(0).owned(0).bps(0);
            List<CustodyEvent> none = apply(empty, 1);
            assertThat(none).isEmpty();
            assertThat(state.blocked()).isFalse();
        }

        @Test
        void baseFallingToZeroClearsARunningBlockageWithoutAUtilization() {
            apply(bare().locked(9_000), 1);
            List<CustodyEvent> off = apply(bare().base(0).locked(0), 2);
            assertThat(types(off)).containsExactly(TRADE_BLOCKAGE_CLEARED);
            assertThat(off.get(0).reason()).isEqualTo(CustodyEvent.CLEARED_NO_BASE);
            assertThat(off.get(0).utilization()).isNull();
            assertThat(off.get(0).blockedSinceSlot()).isEqualTo(big(1));
        }

        @Test
        void aZeroThresholdBlocksAnyPoolWithABaseEvenWithNothingLocked() {
            assertThat(types(apply(healthy().bps(0).locked(0), 1))).containsExactly(TRADE_BLOCKAGE);
        }

        @Test
        void aFullThresholdBlocksOnlyWhenEverythingIsLocked() {
            assertThat(apply(healthy().bps(10_000).locked(9_999), 1)).isEmpty();
            assertThat(types(apply(healthy().bps(10_000).locked(10_000), 2))).containsExactly(TRADE_BLOCKAGE);
        }

        @Test
        void aConfiguredThresholdWithManyPlacesIsComparedExactly() {
            CustodyRules fine = new CustodyRules(new BigDecimal("0.123456789"), HASH, VERSION);
            CustodyPoolState s = new CustodyPoolState();
            assertThat(apply(fine, s, bare().owned(1_000_000_000).base(1_000_000_000).locked(123_456_788).at(1))).isEmpty();
            List<CustodyEvent> on = apply(fine, s, bare().owned(1_000_000_000).base(1_000_000_000).locked(123_456_789).at(2));
            assertThat(types(on)).containsExactly(TRADE_BLOCKAGE);
            assertThat(on.get(0).utilization()).isEqualTo(new BigDecimal("0.123456789000000000"));
        }

        @Test
        void utilizationIsShownRoundedDownSoItNeverAppearsToReachAThresholdItDidNotReach() {
            List<CustodyEvent> on = apply(healthy().base(3).locked(2).owned(3).positionCollateral(0L).tokenAccountBalance(303L).bps(6_666), 1);
            assertThat(types(on)).containsExactly(TRADE_BLOCKAGE);
            assertThat(on.get(0).utilization()).isEqualTo(new BigDecimal("0.666666666666666666"));
        }

        @Test
        void blockageBeyond64BitsIsExact() {
            BigInteger base = TWO_64.multiply(big(10));
            BigInteger locked = TWO_64.multiply(big(8));
            assertThat(apply(bare().owned(base).base(base).locked(locked.subtract(BigInteger.ONE)), 1)).isEmpty();
            List<CustodyEvent> on = apply(bare().owned(base).base(base).locked(locked), 2);
            assertThat(types(on)).containsExactly(TRADE_BLOCKAGE);
            assertThat(on.get(0).exchangeable()).isEqualTo(TWO_64.multiply(big(2)));
        }
    }

    // ---------------------------------------------------------------- stale slots and other tokens

    @Nested
    class StaleSlots {

        @ParameterizedTest(name = "slot {0} after slot 10")
        @ValueSource(longs = {10, 9, 0})
        void aSlotNotNewerThanTheLastAppliedIsANoOp(long slot) {
            apply(healthy().userLosses(5), 10);
            CustodyPoolState untouched = copyOf(state);
            // Everything about it would raise events if it were applied.
            CustodyOutcome outcome = rules.onSnapshot(state, healthy().owned(1).locked(20_000).userLosses(0).mint("other").at(slot));
            assertThat(outcome.status()).isEqualTo(CustodyOutcome.Status.STALE_SLOT);
            assertThat(outcome.applied()).isFalse();
            assertThat(outcome.events()).isEmpty();
            assertThat(outcome.detail()).contains("slot " + slot).contains("last applied slot 10");
            assertThat(state).usingRecursiveComparison().isEqualTo(untouched);
        }

        @Test
        void theNextNewerSlotIsJudgedAgainstTheLastAppliedSnapshot() {
            apply(bare(), 10);
            rules.onSnapshot(state, bare().owned(1).at(10));
            assertThat(apply(bare(), 11)).isEmpty();
            assertThat(types(apply(bare().owned(1), 12))).containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_COVERS_BASE");
        }

        @Test
        void slotsBeyondSigned64BitsAreOrderedExactly() {
            BigInteger high = TWO_64.subtract(BigInteger.ONE);
            apply(rules, state, withSlot(healthy().at(0), TWO_63));
            assertThat(rules.onSnapshot(state, withSlot(healthy().at(0), TWO_63.subtract(BigInteger.ONE))).status())
                    .isEqualTo(CustodyOutcome.Status.STALE_SLOT);
            apply(rules, state, withSlot(healthy().at(0), high));
            assertThat(state.lastSlot).isEqualTo(high);
            assertThat(rules.onSnapshot(state, withSlot(healthy().at(0), high)).status()).isEqualTo(CustodyOutcome.Status.STALE_SLOT);
        }

        private CustodySnapshot withSlot(CustodySnapshot s, BigInteger slot) {
            return new CustodySnapshot(s.eventTime(), s.custody(), s.mint(), slot, s.amounts(), s.tradeBlockageUtilizationBps());
        }
    }

    @Nested
    class AnotherToken {

        @Test
        void aSnapshotNamingAnotherMintIsRefusedForTheDeadLetterPathAndChangesNothing() {
            apply(healthy(), 1);
            CustodyPoolState untouched = copyOf(state);
            CustodyOutcome outcome = rules.onSnapshot(state, healthy().mint("So11111111111111111111111111111111111111112").owned(1).at(2));
            assertThat(outcome.status()).isEqualTo(CustodyOutcome.Status.MINT_MISMATCH);
            assertThat(outcome.events()).isEmpty();
            assertThat(outcome.detail()).contains(MINT).contains("So11111111111111111111111111111111111111112").contains(CUSTODY);
            assertThat(CustodyOutcome.MINT_MISMATCH_REASON).isEqualTo("INVALID_FIELD:mint");
            assertThat(state).usingRecursiveComparison().isEqualTo(untouched);
            assertThat(apply(healthy(), 2)).as("the custody's own token at the same slot still applies").isEmpty();
        }
    }

    // ---------------------------------------------------------------- the records

    @Nested
    class Records {

        @Test
        void everyEventCarriesTheSnapshotTheConfigurationAndTheCode() {
            apply(healthy(), 1);
            PoolSnapshot p = healthy().owned(9_999).locked(8_000).userLosses(3);
            List<CustodyEvent> events = apply(p, 2);
            assertThat(events).hasSize(5);
            for (CustodyEvent e : events) {
                assertThat(e.custody()).isEqualTo(CUSTODY);
                assertThat(e.mint()).isEqualTo(MINT);
                assertThat(e.slot()).isEqualTo(big(2));
                assertThat(e.eventTime()).isEqualTo(timeOf(2));
                assertThat(e.amounts()).isEqualTo(p.amounts());
                assertThat(e.exchangeable()).isEqualTo(big(2_000));
                assertThat(e.utilization()).isEqualTo(new BigDecimal("0.800000000000000000"));
                assertThat(e.configHash()).isEqualTo(HASH);
                assertThat(e.codeVersion()).isEqualTo(VERSION);
            }
        }

        @Test
        void idsAreNameBasedOnTypeCustodyInvariantOrFieldTimeAndSlot() {
            apply(healthy(), 1);
            List<CustodyEvent> events = apply(healthy().owned(9_999).locked(8_000).userLosses(3), 2);
            long t = timeOf(2);
            assertThat(events).extracting(CustodyEvent::eventId).containsExactly(
                    EventIds.of(INVARIANT_BROKEN, CUSTODY + "|OWNED_COVERS_BASE", t, "slot:2"),
                    EventIds.of(INVARIANT_BROKEN, CUSTODY + "|OWNED_IS_BASE_PLUS_COLLATERAL", t, "slot:2"),
                    EventIds.of(INVARIANT_BROKEN, CUSTODY + "|TOKEN_ACCOUNT_RECONCILES", t, "slot:2"),
                    EventIds.of(LOSS_RECORDED, CUSTODY + "|userLosses", t, "slot:2"),
                    EventIds.of(TRADE_BLOCKAGE, CUSTODY, t, "slot:2"));
            List<CustodyEvent> restored = apply(healthy(), 3);
            assertThat(restored.get(0).eventId())
                    .isEqualTo(EventIds.of(INVARIANT_RESTORED, CUSTODY + "|OWNED_COVERS_BASE", timeOf(3), "slot:3"));
            assertThat(restored.get(restored.size() - 1).eventId())
                    .isEqualTo(EventIds.of(TRADE_BLOCKAGE_CLEARED, CUSTODY, timeOf(3), "slot:3"));
        }

        @Test
        void theSameSnapshotsGiveTheSameEventsInEveryRunAndNoTwoShareAnId() {
            List<CustodyEvent> first = run(new CustodyPoolState());
            List<CustodyEvent> second = run(new CustodyPoolState());
            assertThat(second).isEqualTo(first);
            assertThat(first).hasSizeGreaterThan(20);
            Set<String> ids = new HashSet<>();
            first.forEach(e -> assertThat(ids.add(e.eventId())).as("duplicate id of %s", e).isTrue());
        }

        private List<CustodyEvent> run(CustodyPoolState s) {
            List<CustodyEvent> out = new ArrayList<>();
            for (long slot = 1; slot <= 40; slot++) {
                boolean odd = slot % 2 == 1;
                PoolSnapshot p = odd ? healthy().owned(9_999).locked(8_500) : healthy();
                out.addAll(apply(rules, s, p.impairmentLosses(slot).userLosses(slot % 3).at(slot)));
            }
            return out;
        }
    }

    @Test
    void amountsBeyond64BitsGoFromTheInputToTheEventExactly() throws Exception {
        BigInteger base = TWO_64.add(big(10));
        String payload = "{\"type\":\"CUSTODY_SNAPSHOT\",\"eventTime\":\"2024-03-11T09:00:00Z\",\"custody\":\"" + CUSTODY + "\","
                + "\"mint\":\"" + MINT + "\",\"slot\":" + TWO_63 + ",\"insurance\":\"" + TWO_64 + "\",\"impairmentLosses\":\"0\","
                + "\"userLosses\":\"0\",\"owned\":\"" + base.subtract(BigInteger.ONE) + "\",\"base\":\"" + base + "\","
                + "\"locked\":" + TWO_63 + ",\"longed\":\"0\",\"shorted\":\"0\",\"guaranteedUsd\":\"0\",\"feeReserves\":\"0\"}";
        CustodySnapshot snapshot = CustodySnapshotParser.parse(payload);
        List<CustodyEvent> events = apply(rules, state, snapshot);
        assertThat(types(events)).containsExactly("CUSTODY_INVARIANT_BROKEN:OWNED_COVERS_BASE");
        CustodyEvent e = events.get(0);
        assertThat(e.slot()).isEqualTo(TWO_63);
        assertThat(e.difference()).isEqualTo(big(-1));
        assertThat(e.operands()).containsExactly(new Operand("owned", base.subtract(BigInteger.ONE)), new Operand("base", base));
        assertThat(e.amounts().insurance()).isEqualTo(TWO_64);
        assertThat(e.exchangeable()).isEqualTo(base.subtract(TWO_63));
    }

    @Test
    void theConfiguredThresholdMustBeAFractionOfOne() {
        for (String bad : new String[] {"-0.01", "1.01", "80"}) {
            assertThatThrownBy(() -> new CustodyRules(new BigDecimal(bad), HASH, VERSION))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("custody.tradeBlockageUtilization")
                    .hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> new CustodyRules(null, HASH, VERSION)).isInstanceOf(IllegalArgumentException.class);
        CustodyPoolState s = new CustodyPoolState();
        assertThat(types(apply(new CustodyRules(BigDecimal.ZERO, HASH, VERSION), s, healthy().locked(0).at(1)))).containsExactly(TRADE_BLOCKAGE);
        CustodyPoolState t = new CustodyPoolState();
        assertThat(apply(new CustodyRules(BigDecimal.ONE, HASH, VERSION), t, healthy().locked(9_999).at(1))).isEmpty();
    }

    private static CustodyPoolState copyOf(CustodyPoolState s) {
        CustodyPoolState c = new CustodyPoolState();
        c.custody = s.custody;
        c.mint = s.mint;
        c.lastSlot = s.lastSlot;
        c.lastEventTime = s.lastEventTime;
        c.lastAmounts = s.lastAmounts;
        c.broken = new ArrayList<>(s.broken);
        c.blockedSinceSlot = s.blockedSinceSlot;
        c.blockedSince = s.blockedSince;
        return c;
    }
}
