package io.collateralrisk.model;

import java.math.BigInteger;

/**
 * The amounts of one custody snapshot, in the token's base units (non-negative integers that can
 * exceed 64 bits). Field names are those of {@code custody-snapshots}.
 *
 * @param positionCollateral the sum of the collateral of the custody's open positions; null when
 *     the snapshot does not give it
 * @param tokenAccountBalance the balance of the custody's token account; null when not given
 */
public record CustodyAmounts(
        BigInteger insurance,
        BigInteger impairmentLosses,
        BigInteger userLosses,
        BigInteger owned,
        BigInteger base,
        BigInteger locked,
        BigInteger longed,
        BigInteger shorted,
        BigInteger guaranteedUsd,
        BigInteger feeReserves,
        BigInteger positionCollateral,
        BigInteger tokenAccountBalance) {

    /**
     * What liquidity providers can withdraw: {@code base - locked}. Negative when {@code locked}
     * exceeds {@code base} (the {@code BASE_COVERS_LOCKED} invariant is broken): the exact figure is
     * kept rather than clamped to zero so the breach stays visible.
     */
    public BigInteger exchangeable() {
        return base.subtract(locked);
    }
}
