package io.collateralrisk.solvency.portfolio;

/**
 * The state of one portfolio. The first three are ordered by utilization ({@code ordinal}):
 * {@code SOLVENT} below {@code warnUtilization}, {@code AT_RISK} from it, {@code INSOLVENT} at 1
 * or above. {@code UNVALUED} stands outside that order: a cross-margined token with a balance has
 * no price.
 */
public enum SolvencyState {
    SOLVENT,
    AT_RISK,
    INSOLVENT,
    UNVALUED;

    /** The {@code risk.solvency} type of entering this state, such as {@code PORTFOLIO_AT_RISK}. */
    public String eventType() {
        return "PORTFOLIO_" + name();
    }
}
