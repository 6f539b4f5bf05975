package io.collateralrisk.ltv.lifecycle;

/**
 * Where a facility's LTV stands against its policy, from best to worst:
 * {@code HEALTHY < warning <= WARNING < margin call <= MARGIN_CALL < liquidation <= LIQUIDATION}.
 */
public enum Band {
    HEALTHY,
    WARNING,
    MARGIN_CALL,
    LIQUIDATION;

    public boolean worseThan(Band other) {
        return compareTo(other) > 0;
    }
}
