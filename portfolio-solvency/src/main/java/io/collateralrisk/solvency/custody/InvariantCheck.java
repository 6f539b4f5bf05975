package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyEvent.Operand;
import java.math.BigInteger;
import java.util.List;

/**
 * The outcome of one invariant on one snapshot: whether it holds, the amounts it compared and
 * the difference between its sides (see {@link io.collateralrisk.model.CustodyEvent#difference()}).
 */
public record InvariantCheck(CustodyInvariant invariant, boolean holds, List<Operand> operands, BigInteger difference) {}
