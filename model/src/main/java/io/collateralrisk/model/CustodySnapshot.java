package io.collateralrisk.model;

import java.math.BigInteger;

/**
 * One {@code CUSTODY_SNAPSHOT} record of {@code custody-snapshots} (key: {@code custody}): the state
 * of a perpetuals exchange's custody account, one per pool and token, at a slot.
 *
 * @param custody the custody's name, for example {@code main-pool/USDC}
 * @param mint the token's mint address
 * @param slot the chain slot the snapshot was taken at (unsigned 64 bits); snapshots of a custody
 *     apply in slot order
 * @param tradeBlockageUtilizationBps the pool's own blockage threshold in basis points of
 *     utilization (0 to 10,000); null when the snapshot does not give it
 */
public record CustodySnapshot(
        long eventTime,
        String custody,
        String mint,
        BigInteger slot,
        CustodyAmounts amounts,
        Integer tradeBlockageUtilizationBps) {

    public static final String TYPE = "CUSTODY_SNAPSHOT";
}
