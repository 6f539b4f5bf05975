package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodySnapshot;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Dresses what {@link CustodyRules} decided into output records: every event carries the
 * snapshot's amounts, {@code exchangeable}, the utilization, the configuration hash and the code
 * version, with its deterministic id.
 */
final class CustodyEvents implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String configHash;
    private final String codeVersion;

    CustodyEvents(String configHash, String codeVersion) {
        this.configHash = configHash;
        this.codeVersion = codeVersion;
    }

    /**
     * {@code locked / base}, rounded down: rounding down keeps a shown utilization at or above a
     * threshold (of at most {@link CustodyEvent#UTILIZATION_SCALE} places) exactly when the exact
     * one is. Null while {@code base} is 0.
     */
    static BigDecimal utilization(CustodyAmounts a) {
        if (a.base().signum() == 0) {
            return null;
        }
        return new BigDecimal(a.locked()).divide(new BigDecimal(a.base()), CustodyEvent.UTILIZATION_SCALE, RoundingMode.DOWN);
    }

    CustodyEvent invariantBroken(CustodySnapshot s, InvariantCheck check) {
        return invariant(CustodyEvent.INVARIANT_BROKEN, s, check, s.slot(), s.eventTime());
    }

    CustodyEvent invariantRestored(CustodySnapshot s, InvariantCheck check, BrokenInvariant was) {
        return invariant(CustodyEvent.INVARIANT_RESTORED, s, check, was.sinceSlot(), was.since());
    }

    private CustodyEvent invariant(String type, CustodySnapshot s, InvariantCheck check, BigInteger sinceSlot, long since) {
        String invariant = check.invariant().name();
        return new CustodyEvent(
                CustodyEvent.eventId(type, s.custody(), invariant, s.eventTime(), s.slot()), type, s.eventTime(), s.custody(), s.mint(),
                s.slot(), s.amounts(), s.amounts().exchangeable(), utilization(s.amounts()),
                invariant, check.operands(), check.difference(), sinceSlot, since,
                null, null, null, null,
                null, null, null, null,
                configHash, codeVersion);
    }

    CustodyEvent lossRecorded(CustodySnapshot s, String field, BigInteger previous, BigInteger increase, BigInteger sinceSlot) {
        String type = CustodyEvent.LOSS_RECORDED;
        return new CustodyEvent(
                CustodyEvent.eventId(type, s.custody(), field, s.eventTime(), s.slot()), type, s.eventTime(), s.custody(), s.mint(),
                s.slot(), s.amounts(), s.amounts().exchangeable(), utilization(s.amounts()),
                null, null, null, null, null,
                field, previous, increase, sinceSlot,
                null, null, null, null,
                configHash, codeVersion);
    }

    CustodyEvent blockage(CustodySnapshot s, BigDecimal threshold, String thresholdSource) {
        return blockageEvent(CustodyEvent.TRADE_BLOCKAGE, s, threshold, thresholdSource, null, null);
    }

    CustodyEvent blockageCleared(CustodySnapshot s, BigDecimal threshold, String thresholdSource, BigInteger blockedSinceSlot, String reason) {
        return blockageEvent(CustodyEvent.TRADE_BLOCKAGE_CLEARED, s, threshold, thresholdSource, blockedSinceSlot, reason);
    }

    private CustodyEvent blockageEvent(
            String type, CustodySnapshot s, BigDecimal threshold, String thresholdSource, BigInteger blockedSinceSlot, String reason) {
        return new CustodyEvent(
                CustodyEvent.eventId(type, s.custody(), null, s.eventTime(), s.slot()), type, s.eventTime(), s.custody(), s.mint(),
                s.slot(), s.amounts(), s.amounts().exchangeable(), utilization(s.amounts()),
                null, null, null, null, null,
                null, null, null, null,
                threshold, thresholdSource, blockedSinceSlot, reason,
                configHash, codeVersion);
    }
}
