package io.collateralrisk.solvency.custody;

import static io.collateralrisk.solvency.custody.PoolSnapshot.TWO_64;
import static io.collateralrisk.solvency.custody.PoolSnapshot.big;
import static io.collateralrisk.solvency.custody.PoolSnapshot.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent.Operand;
import java.math.BigInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Each invariant at its exact boundary (equal, one base unit either side), with its operands and difference. */
class CustodyInvariantsTest {

    @Nested
    class OwnedCoversBase {

        @ParameterizedTest(name = "owned {0}, base 10000: holds {1}, difference {2}")
        @CsvSource({"10001, true, 1", "10000, true, 0", "9999, false, -1", "0, false, -10000"})
        void ownedAtLeastBase(long owned, boolean holds, long difference) {
            InvariantCheck c = CustodyInvariants.ownedCoversBase(healthy().owned(owned).base(10_000).amounts());
            assertThat(c.invariant()).isEqualTo(CustodyInvariant.OWNED_COVERS_BASE);
            assertThat(c.holds()).isEqualTo(holds);
            assertThat(c.difference()).isEqualTo(big(difference));
            assertThat(c.operands()).containsExactly(new Operand("owned", big(owned)), new Operand("base", big(10_000)));
        }

        @Test
        void exactBeyond64Bits() {
            BigInteger base = TWO_64.add(big(5));
            assertThat(CustodyInvariants.ownedCoversBase(healthy().owned(base.subtract(BigInteger.ONE)).base(base).amounts()))
                    .returns(false, InvariantCheck::holds)
                    .returns(big(-1), InvariantCheck::difference);
            assertThat(CustodyInvariants.ownedCoversBase(healthy().owned(base).base(base).amounts()).holds()).isTrue();
        }
    }

    @Nested
    class BaseCoversLocked {

        @ParameterizedTest(name = "base 10000, locked {0}: holds {1}, difference {2}")
        @CsvSource({"9999, true, 1", "10000, true, 0", "10001, false, -1"})
        void baseAtLeastLocked(long locked, boolean holds, long difference) {
            InvariantCheck c = CustodyInvariants.baseCoversLocked(healthy().base(10_000).locked(locked).amounts());
            assertThat(c.invariant()).isEqualTo(CustodyInvariant.BASE_COVERS_LOCKED);
            assertThat(c.holds()).isEqualTo(holds);
            assertThat(c.difference()).isEqualTo(big(difference));
            assertThat(c.operands()).containsExactly(new Operand("base", big(10_000)), new Operand("locked", big(locked)));
        }

        @Test
        void exactBeyond64Bits() {
            BigInteger locked = TWO_64.multiply(big(3));
            assertThat(CustodyInvariants.baseCoversLocked(healthy().base(locked.subtract(BigInteger.ONE)).locked(locked).amounts()))
                    .returns(false, InvariantCheck::holds)
                    .returns(big(-1), InvariantCheck::difference);
        }
    }

    @Nested
    class OwnedIsBasePlusCollateral {

        @ParameterizedTest(name = "owned {0} against 10000 + 2000: holds {1}, difference {2}")
        @CsvSource({"12001, false, 1", "12000, true, 0", "11999, false, -1"})
        void ownedEqualsBasePlusCollateral(long owned, boolean holds, long difference) {
            InvariantCheck c = CustodyInvariants.ownedIsBasePlusCollateral(
                    healthy().owned(owned).base(10_000).positionCollateral(2_000L).amounts());
            assertThat(c.invariant()).isEqualTo(CustodyInvariant.OWNED_IS_BASE_PLUS_COLLATERAL);
            assertThat(c.holds()).isEqualTo(holds);
            assertThat(c.difference()).isEqualTo(big(difference));
            assertThat(c.operands()).containsExactly(
                    new Operand("owned", big(owned)), new Operand("base", big(10_000)), new Operand("positionCollateral", big(2_000)));
        }

        @Test
        void notEvaluatedWithoutPositionCollateral() {
            assertThat(CustodyInvariants.ownedIsBasePlusCollateral(healthy().positionCollateral((Long) null).amounts())).isNull();
        }

        @Test
        void zeroCollateralIsGivenAndChecked() {
            assertThat(CustodyInvariants.ownedIsBasePlusCollateral(healthy().positionCollateral(0L).amounts()))
                    .returns(false, InvariantCheck::holds)
                    .returns(big(2_000), InvariantCheck::difference);
        }

        @Test
        void exactBeyond64Bits() {
            // base + collateral overflows 64 bits unsigned though each fits.
            BigInteger base = TWO_64.subtract(big(1));
            BigInteger collateral = TWO_64.subtract(big(2));
            BigInteger sum = base.add(collateral);
            assertThat(CustodyInvariants.ownedIsBasePlusCollateral(healthy().owned(sum).base(base).positionCollateral(collateral).amounts())
                    .holds()).isTrue();
            assertThat(CustodyInvariants.ownedIsBasePlusCollateral(
                            healthy().owned(sum.add(BigInteger.ONE)).base(base).positionCollateral(collateral).amounts()))
                    .returns(false, InvariantCheck::holds)
                    .returns(big(1), InvariantCheck::difference);
        }
    }

    @Nested
    class TokenAccountReconciles {

        @ParameterizedTest(name = "12000 + 300 against balance {0}: holds {1}, difference {2}")
        @CsvSource({"12299, false, 1", "12300, true, 0", "12301, false, -1"})
        void ownedPlusFeesEqualsBalance(long balance, boolean holds, long difference) {
            InvariantCheck c = CustodyInvariants.tokenAccountReconciles(
                    healthy().owned(12_000).feeReserves(300).tokenAccountBalance(balance).amounts());
            assertThat(c.invariant()).isEqualTo(CustodyInvariant.TOKEN_ACCOUNT_RECONCILES);
            assertThat(c.holds()).isEqualTo(holds);
            assertThat(c.difference()).isEqualTo(big(difference));
            assertThat(c.operands()).containsExactly(
                    new Operand("owned", big(12_000)), new Operand("feeReserves", big(300)), new Operand("tokenAccountBalance", big(balance)));
        }

        @Test
        void notEvaluatedWithoutTokenAccountBalance() {
            assertThat(CustodyInvariants.tokenAccountReconciles(healthy().tokenAccountBalance((Long) null).amounts())).isNull();
        }

        @Test
        void exactBeyond64Bits() {
            BigInteger owned = TWO_64.add(big(7));
            assertThat(CustodyInvariants.tokenAccountReconciles(
                            healthy().owned(owned).feeReserves(300).tokenAccountBalance(owned.add(big(300))).amounts())
                    .holds()).isTrue();
            assertThat(CustodyInvariants.tokenAccountReconciles(
                            healthy().owned(owned).feeReserves(300).tokenAccountBalance(owned.add(big(299))).amounts()))
                    .returns(false, InvariantCheck::holds)
                    .returns(big(1), InvariantCheck::difference);
        }
    }

    @Nested
    class LossesNeverShrink {

        private final CustodyAmounts before = healthy().impairmentLosses(100).userLosses(50).amounts();

        @ParameterizedTest(name = "impairment 100 -> {0}, user 50 -> {1}: holds {2}, difference {3}")
        @CsvSource({
            "100, 50, true, 0",
            "101, 51, true, 0",
            "99, 50, false, -1",
            "100, 49, false, -1",
            "97, 48, false, -5",
            // One rising does not hide the other falling.
            "200, 49, false, -1",
            "99, 80, false, -1"
        })
        void neitherLossDecreases(long impairment, long user, boolean holds, long difference) {
            InvariantCheck c = CustodyInvariants.lossesNeverShrink(before, healthy().impairmentLosses(impairment).userLosses(user).amounts());
            assertThat(c.invariant()).isEqualTo(CustodyInvariant.LOSSES_NEVER_SHRINK);
            assertThat(c.holds()).isEqualTo(holds);
            assertThat(c.difference()).isEqualTo(big(difference));
            assertThat(c.operands()).containsExactly(
                    new Operand("previousImpairmentLosses", big(100)), new Operand("impairmentLosses", big(impairment)),
                    new Operand("previousUserLosses", big(50)), new Operand("userLosses", big(user)));
        }

        @Test
        void notEvaluatedOnTheFirstSnapshot() {
            assertThat(CustodyInvariants.lossesNeverShrink(null, before)).isNull();
        }

        @Test
        void exactBeyond64Bits() {
            CustodyAmounts big = healthy().impairmentLosses(TWO_64.add(big(1))).userLosses(TWO_64).amounts();
            assertThat(CustodyInvariants.lossesNeverShrink(big, healthy().impairmentLosses(TWO_64).userLosses(TWO_64).amounts()))
                    .returns(false, InvariantCheck::holds)
                    .returns(big(-1), InvariantCheck::difference);
        }
    }

    @ParameterizedTest
    @EnumSource(CustodyInvariant.class)
    void checkRunsTheNamedInvariant(CustodyInvariant invariant) {
        CustodyAmounts a = healthy().amounts();
        InvariantCheck c = CustodyInvariants.check(invariant, a, a);
        assertThat(c.invariant()).isEqualTo(invariant);
        assertThat(c.holds()).isTrue();
    }

    @Test
    void checkOfTheFirstSnapshotSkipsOnlyTheLosses() {
        CustodyAmounts a = healthy().amounts();
        for (CustodyInvariant invariant : CustodyInvariant.values()) {
            assertThat(CustodyInvariants.check(invariant, null, a) == null)
                    .as("%s skipped", invariant)
                    .isEqualTo(invariant == CustodyInvariant.LOSSES_NEVER_SHRINK);
        }
    }
}
