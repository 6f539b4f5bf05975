package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodySnapshot;
import java.math.BigInteger;
import java.time.Instant;

/**
 * Builds custody snapshots for tests, starting from a pool where every invariant holds with a
 * margin and utilization is 0.5: base 10,000, locked 5,000, position collateral 2,000, owned
 * 12,000, fee reserves 300, token account 12,300, no losses. Slots are 400 ms apart in event time.
 */
final class PoolSnapshot {

    static final String CUSTODY = "main-pool/USDC";
    static final String MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    /** The event time of slot 0. */
    static final long T0 = Instant.parse("2024-03-11T09:00:00Z").toEpochMilli();
    static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    BigInteger insurance = big(1);
    BigInteger impairmentLosses = big(0);
    BigInteger userLosses = big(0);
    BigInteger owned = big(12_000);
    BigInteger base = big(10_000);
    BigInteger locked = big(5_000);
    BigInteger longed = big(4);
    BigInteger shorted = big(5);
    BigInteger guaranteedUsd = big(6);
    BigInteger feeReserves = big(300);
    BigInteger positionCollateral = big(2_000);
    BigInteger tokenAccountBalance = big(12_300);
    Integer bps;
    String mint = MINT;

    static PoolSnapshot healthy() {
        return new PoolSnapshot();
    }

    static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    static long timeOf(long slot) {
        return T0 + slot * 400;
    }

    PoolSnapshot owned(long v) {
        return owned(big(v));
    }

    PoolSnapshot owned(BigInteger v) {
        owned = v;
        return this;
    }

    PoolSnapshot base(long v) {
        return base(big(v));
    }

    PoolSnapshot base(BigInteger v) {
        base = v;
        return this;
    }

    PoolSnapshot locked(long v) {
        return locked(big(v));
    }

    PoolSnapshot locked(BigInteger v) {
        locked = v;
        return this;
    }

    PoolSnapshot positionCollateral(Long v) {
        positionCollateral = v == null ? null : big(v);
        return this;
    }

    PoolSnapshot positionCollateral(BigInteger v) {
        positionCollateral = v;
        return this;
    }

    PoolSnapshot feeReserves(long v) {
        feeReserves = big(v);
        return this;
    }

    PoolSnapshot tokenAccountBalance(Long v) {
        tokenAccountBalance = v == null ? null : big(v);
        return this;
    }

    PoolSnapshot tokenAccountBalance(BigInteger v) {
        tokenAccountBalance = v;
        return this;
    }

    PoolSnapshot impairmentLosses(long v) {
        return impairmentLosses(big(v));
    }

    PoolSnapshot impairmentLosses(BigInteger v) {
        impairmentLosses = v;
        return this;
    }

    PoolSnapshot userLosses(long v) {
        return userLosses(big(v));
    }

    PoolSnapshot userLosses(BigInteger v) {
        userLosses = v;
        return this;
    }

    PoolSnapshot bps(Integer v) {
        bps = v;
        return this;
    }

    PoolSnapshot mint(String v) {
        mint = v;
        return this;
    }

    CustodyAmounts amounts() {
        return new CustodyAmounts(insurance, impairmentLosses, userLosses, owned, base, locked, longed, shorted, guaranteedUsd,
                feeReserves, positionCollateral, tokenAccountBalance);
    }

    CustodySnapshot at(long slot) {
        return new CustodySnapshot(timeOf(slot), CUSTODY, mint, big(slot), amounts(), bps);
    }
}
