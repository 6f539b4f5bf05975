package io.collateralrisk.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * One custody-pool event on {@code risk.solvency}, keyed by {@code custody}: an invariant that
 * starts to fail or holds again, a loss that grew, or a trade blockage that starts or clears.
 * Every event carries the snapshot's amounts, what liquidity providers can withdraw and the
 * pool's utilization, so a reader needs nothing else to see why it was raised.
 *
 * <p>Fields that belong to other types are null: {@code invariant}, {@code operands},
 * {@code difference} and {@code brokenSinceSlot} for invariant events; {@code field},
 * {@code previousAmount}, {@code increase} and {@code sinceSlot} for losses; {@code threshold},
 * {@code thresholdSource}, {@code blockedSinceSlot} and {@code reason} for blockages.
 *
 * @param slot the slot of the snapshot that caused the event
 * @param exchangeable {@code base - locked}; negative while {@code locked} exceeds {@code base}
 * @param utilization {@code locked / base} rounded down to {@link #UTILIZATION_SCALE} places (a
 *     shown utilization is at or above a threshold exactly when the exact one is); null while
 *     {@code base} is 0
 * @param operands the amounts the invariant compares, named as in the input
 * @param difference the left side of the invariant minus its right side ({@code owned - base},
 *     {@code base - locked}, {@code owned - (base + positionCollateral)},
 *     {@code (owned + feeReserves) - tokenAccountBalance}); for {@code LOSSES_NEVER_SHRINK} the
 *     sum of the decreases of both loss fields (negative when broken, 0 when it holds)
 * @param brokenSinceSlot the slot at which the invariant started to fail (for a broken event, the
 *     event's own slot)
 * @param brokenSince the event time of the snapshot at which it started to fail
 * @param increase how much {@code field} grew since {@code sinceSlot}, the previous applied snapshot
 * @param threshold the blockage threshold in force, as a fraction of 1
 * @param thresholdSource {@code SNAPSHOT} (its {@code tradeBlockageUtilizationBps}) or
 *     {@code CONFIG} ({@code custody.tradeBlockageUtilization})
 * @param blockedSinceSlot for a cleared blockage, the slot at which it started
 * @param reason for a cleared blockage: {@code BELOW_THRESHOLD}, or {@code NO_BASE} when {@code base}
 *     fell to 0 (no utilization, so no blockage)
 */
public record CustodyEvent(
        String eventId,
        String type,
        long eventTime,
        String custody,
        String mint,
        BigInteger slot,
        CustodyAmounts amounts,
        BigInteger exchangeable,
        BigDecimal utilization,
        String invariant,
        List<Operand> operands,
        BigInteger difference,
        BigInteger brokenSinceSlot,
        Long brokenSince,
        String field,
        BigInteger previousAmount,
        BigInteger increase,
        BigInteger sinceSlot,
        BigDecimal threshold,
        String thresholdSource,
        BigInteger blockedSinceSlot,
        String reason,
        String configHash,
        String codeVersion) {

    public static final String INVARIANT_BROKEN = "CUSTODY_INVARIANT_BROKEN";
    public static final String INVARIANT_RESTORED = "CUSTODY_INVARIANT_RESTORED";
    public static final String LOSS_RECORDED = "CUSTODY_LOSS_RECORDED";
    public static final String TRADE_BLOCKAGE = "TRADE_BLOCKAGE";
    public static final String TRADE_BLOCKAGE_CLEARED = "TRADE_BLOCKAGE_CLEARED";
    /** Every custody event type, for metrics that must exist before the first event. */
    public static final List<String> TYPES =
            List.of(INVARIANT_BROKEN, INVARIANT_RESTORED, LOSS_RECORDED, TRADE_BLOCKAGE, TRADE_BLOCKAGE_CLEARED);

    public static final String THRESHOLD_FROM_SNAPSHOT = "SNAPSHOT";
    public static final String THRESHOLD_FROM_CONFIG = "CONFIG";
    public static final String CLEARED_BELOW_THRESHOLD = "BELOW_THRESHOLD";
    public static final String CLEARED_NO_BASE = "NO_BASE";

    public static final int UTILIZATION_SCALE = 18;

    /** One named amount an invariant compares, such as {@code owned} or {@code previousUserLosses}. */
    public record Operand(String name, BigInteger amount) {}

    /**
     * The event's id: its type, the custody with the invariant or loss field it concerns (none for
     * blockages), its event time and the snapshot that caused it (by slot). Slots of one custody
     * only grow and a snapshot raises at most one event per type and invariant or field, so no two
     * events share an id, and the same snapshot gives the same id in every run.
     *
     * @param invariantOrField null for blockage events
     */
    public static String eventId(String type, String custody, String invariantOrField, long eventTime, BigInteger slot) {
        String entity = invariantOrField == null ? custody : custody + '|' + invariantOrField;
        return EventIds.of(type, entity, eventTime, "slot:" + slot);
    }
}
