package io.collateralrisk.solvency.custody;

import java.math.BigInteger;

/**
 * An invariant that is failing on a custody, and since when: its restoration event says how long
 * it failed.
 *
 * @param sinceSlot the slot of the snapshot on which it started to fail
 * @param since that snapshot's event time
 */
public record BrokenInvariant(CustodyInvariant invariant, BigInteger sinceSlot, long since) {}
