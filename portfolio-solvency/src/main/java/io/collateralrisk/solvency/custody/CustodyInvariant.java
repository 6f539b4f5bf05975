package io.collateralrisk.solvency.custody;

/** The five invariants of a custody account (SPEC.md, "Custody pools"), in the order they are checked and reported. */
public enum CustodyInvariant {
    /** {@code owned >= base}. */
    OWNED_COVERS_BASE,
    /** {@code base >= locked}. */
    BASE_COVERS_LOCKED,
    /** {@code owned = base + positionCollateral}, when the snapshot gives {@code positionCollateral}. */
    OWNED_IS_BASE_PLUS_COLLATERAL,
    /** {@code owned + feeReserves = tokenAccountBalance}, when the snapshot gives {@code tokenAccountBalance}. */
    TOKEN_ACCOUNT_RECONCILES,
    /** {@code impairmentLosses} and {@code userLosses} never decrease from one applied snapshot to the next. */
    LOSSES_NEVER_SHRINK
}
