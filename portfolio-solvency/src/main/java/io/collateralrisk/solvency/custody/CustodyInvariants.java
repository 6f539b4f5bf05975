package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent.Operand;
import java.math.BigInteger;
import java.util.List;

/**
 * The custody invariants as exact integer comparisons, one named check each. A check returns null
 * when it is not evaluated on the snapshot: its optional field is absent, or (for losses) there is
 * no previous applied snapshot to compare with.
 */
public final class CustodyInvariants {

    private CustodyInvariants() {}

    /**
     * The check of {@code invariant} on {@code current}.
     *
     * @param previous the amounts of the previous applied snapshot of the custody; null for its first
     */
    public static InvariantCheck check(CustodyInvariant invariant, CustodyAmounts previous, CustodyAmounts current) {
        return switch (invariant) {
            case OWNED_COVERS_BASE -> ownedCoversBase(current);
            case BASE_COVERS_LOCKED -> baseCoversLocked(current);
            case OWNED_IS_BASE_PLUS_COLLATERAL -> ownedIsBasePlusCollateral(current);
            case TOKEN_ACCOUNT_RECONCILES -> tokenAccountReconciles(current);
            case LOSSES_NEVER_SHRINK -> lossesNeverShrink(previous, current);
        };
    }

    /** {@code owned >= base}; difference {@code owned - base}. */
    public static InvariantCheck ownedCoversBase(CustodyAmounts a) {
        BigInteger difference = a.owned().subtract(a.base());
        return new InvariantCheck(
                CustodyInvariant.OWNED_COVERS_BASE, difference.signum() >= 0,
                List.of(new Operand("owned", a.owned()), new Operand("base", a.base())), difference);
    }

    /** {@code base >= locked}; difference {@code base - locked}. */
    public static InvariantCheck baseCoversLocked(CustodyAmounts a) {
        BigInteger difference = a.base().subtract(a.locked());
        return new InvariantCheck(
                CustodyInvariant.BASE_COVERS_LOCKED, difference.signum() >= 0,
                List.of(new Operand("base", a.base()), new Operand("locked", a.locked())), difference);
    }

    /** {@code owned = base + positionCollateral}; difference {@code owned - (base + positionCollateral)}. */
    public static InvariantCheck ownedIsBasePlusCollateral(CustodyAmounts a) {
        if (a.positionCollateral() == null) {
            return null;
        }
        BigInteger difference = a.owned().subtract(a.base().add(a.positionCollateral()));
        return new InvariantCheck(
                CustodyInvariant.OWNED_IS_BASE_PLUS_COLLATERAL, difference.signum() == 0,
                List.of(new Operand("owned", a.owned()), new Operand("base", a.base()),
                        new Operand("positionCollateral", a.positionCollateral())),
                difference);
    }

    /** {@code owned + feeReserves = tokenAccountBalance}; difference {@code (owned + feeReserves) - tokenAccountBalance}. */
    public static InvariantCheck tokenAccountReconciles(CustodyAmounts a) {
        if (a.tokenAccountBalance() == null) {
            return null;
        }
        BigInteger difference = a.owned().add(a.feeReserves()).subtract(a.tokenAccountBalance());
        return new InvariantCheck(
                CustodyInvariant.TOKEN_ACCOUNT_RECONCILES, difference.signum() == 0,
                List.of(new Operand("owned", a.owned()), new Operand("feeReserves", a.feeReserves()),
                        new Operand("tokenAccountBalance", a.tokenAccountBalance())),
                difference);
    }

    /**
     * Neither loss field decreased since the previous applied snapshot; difference: the sum of the
     * decreases (each field's change where negative), so a rise in one field never hides a fall
     * in the other.
     */
    public static InvariantCheck lossesNeverShrink(CustodyAmounts previous, CustodyAmounts current) {
        if (previous == null) {
            return null;
        }
        BigInteger impairment = current.impairmentLosses().subtract(previous.impairmentLosses());
        BigInteger user = current.userLosses().subtract(previous.userLosses());
        BigInteger difference = impairment.min(BigInteger.ZERO).add(user.min(BigInteger.ZERO));
        return new InvariantCheck(
                CustodyInvariant.LOSSES_NEVER_SHRINK, difference.signum() == 0,
                List.of(new Operand("previousImpairmentLosses", previous.impairmentLosses()),
                        new Operand("impairmentLosses", current.impairmentLosses()),
                        new Operand("previousUserLosses", previous.userLosses()),
                        new Operand("userLosses", current.userLosses())),
                difference);
    }
}
