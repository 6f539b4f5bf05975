package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.config.SolvencyConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The state machine of one portfolio (SPEC.md, "Portfolio solvency", States and events), without
 * Flink. {@code u} is the portfolio's utilization, {@code w} the warn utilization, {@code h} the
 * hysteresis:
 *
 * <pre>
 * from \ u      | u &lt; w-h  | w-h &lt;= u &lt; w | w &lt;= u &lt; 1-h | 1-h &lt;= u &lt; 1 | u &gt;= 1
 * --------------+----------+--------------+---------------+---------------+-----------
 * SOLVENT       | SOLVENT  | SOLVENT      | AT_RISK       | AT_RISK       | INSOLVENT
 * AT_RISK       | SOLVENT  | AT_RISK      | AT_RISK       | AT_RISK       | INSOLVENT
 * INSOLVENT     | SOLVENT  | AT_RISK      | AT_RISK       | INSOLVENT     | INSOLVENT
 * UNVALUED      | SOLVENT  | SOLVENT      | AT_RISK       | AT_RISK       | INSOLVENT
 *
 * unvalued (a cross-margined token with a balance has no price):
 *   the worst tail alone gives INSOLVENT by the table above -> INSOLVENT (needs no price)
 *   otherwise                                              -> UNVALUED
 * </pre>
 *
 * Up as soon as a threshold is reached, down only below it minus {@code h}; leaving
 * {@code UNVALUED} takes the state the utilization gives, without hysteresis.
 */
public final class SolvencyRules {

    /** Significant digits of the safe relative move; rounded down, so a portfolio is re-valued early, never late. */
    private static final MathContext MOVE_PRECISION = new MathContext(34, RoundingMode.DOWN);

    private final BigDecimal warn;
    private final BigDecimal warnDown;
    private final BigDecimal insolventDown;

    public SolvencyRules(SolvencyConfig config) {
        this.warn = config.warnUtilization();
        this.warnDown = warn.subtract(config.hysteresis());
        this.insolventDown = BigDecimal.ONE.subtract(config.hysteresis());
    }

    /** The state a portfolio in {@code current} moves to at {@code valuation}. */
    public SolvencyState next(SolvencyState current, PortfolioValuation valuation) {
        if (valuation.valued()) {
            return byUtilization(current, valuation.utilization());
        }
        // The true utilization is at least the worst tail: if that alone is insolvent, no price is needed.
        return byUtilization(current, valuation.worstTail()) == SolvencyState.INSOLVENT ? SolvencyState.INSOLVENT : SolvencyState.UNVALUED;
    }

    /** The table above for a known utilization. */
    SolvencyState byUtilization(SolvencyState current, Ratio u) {
        SolvencyState reached = level(u, warn, BigDecimal.ONE);
        if (current == SolvencyState.UNVALUED || reached.ordinal() >= current.ordinal()) {
            return reached;
        }
        SolvencyState kept = level(u, warnDown, insolventDown);
        return kept.ordinal() < current.ordinal() ? kept : current;
    }

    private static SolvencyState level(Ratio u, BigDecimal atRiskFrom, BigDecimal insolventFrom) {
        if (u.compareTo(insolventFrom) >= 0) {
            return SolvencyState.INSOLVENT;
        }
        return u.compareTo(atRiskFrom) >= 0 ? SolvencyState.AT_RISK : SolvencyState.SOLVENT;
    }

    /**
     * Whether an install or uninstall that moved the portfolio from {@code before} to
     * {@code after} must raise {@code ACTION_WOULD_BE_INSOLVENT}: utilization 1 or above after it
     * and higher than just before it.
     */
    public ActionCheck checkAction(PortfolioValuation before, PortfolioValuation after) {
        Ratio afterLow = after.lowerBound();
        if (afterLow.compareTo(BigDecimal.ONE) < 0) {
            return ActionCheck.ALLOWED;
        }
        if (before.valued() && afterLow.compareTo(before.utilization()) > 0) {
            return ActionCheck.WOULD_BE_INSOLVENT;
        }
        if (before.valued() && after.valued()) {
            return ActionCheck.ALLOWED;
        }
        if (after.valued() && before.lowerBound().compareTo(after.utilization()) >= 0) {
            return ActionCheck.ALLOWED;
        }
        // Insolvent after, but a side could not be valued: whether the action raised utilization is
        // unknown. Flagged rather than guessed either way.
        return ActionCheck.RISE_UNPROVEN;
    }

    /** The outcome of {@link #checkAction}. */
    public enum ActionCheck {
        /** No alert. */
        ALLOWED,
        /** Utilization 1 or above after the action, and higher than before. */
        WOULD_BE_INSOLVENT,
        /** Utilization 1 or above after the action; before or after could not be fully valued, so a rise is neither proven nor excluded. */
        RISE_UNPROVEN
    }

    /**
     * The largest relative move {@code r} such that, while every price the valuation used stays
     * strictly within {@code (P x (1 - r), P x (1 + r))}, the portfolio stays in {@code state};
     * null when no price move can change it (unvalued, no cross-margined debt or credit, or every
     * threshold the prices could cross is pinned by a tail token).
     *
     * <p>With {@code A} the cross-margined debt value and {@code B} the credit value, moves of at
     * most {@code r} give {@code A' <= A(1+r)} and {@code B' >= B(1-r)} (all terms are positive),
     * so {@code A' >= T B'} needs {@code r >= (T B - A) / (A + T B)}; downwards symmetrically,
     * {@code (A - T B) / (A + T B)}.
     */
    public BigDecimal safeRelativeMove(SolvencyState state, PortfolioValuation valuation) {
        if (!valuation.valued() || valuation.crossDebtValue().signum() == 0 || valuation.crossCreditValue().signum() == 0) {
            return null;
        }
        Ratio tail = valuation.worstTail();
        BigDecimal move = null;
        switch (state) {
            case SOLVENT -> move = up(valuation, warn);
            case AT_RISK -> {
                move = up(valuation, BigDecimal.ONE);
                if (tail.compareTo(warnDown) < 0) {
                    move = move.min(down(valuation, warnDown));
                }
            }
            case INSOLVENT -> {
                if (tail.compareTo(insolventDown) < 0) {
                    move = down(valuation, insolventDown);
                }
            }
            default -> throw new IllegalStateException("a valued portfolio is never " + state);
        }
        return move;
    }

    private static BigDecimal up(PortfolioValuation v, BigDecimal threshold) {
        return gapOverSpan(v, threshold, true);
    }

    private static BigDecimal down(PortfolioValuation v, BigDecimal threshold) {
        return gapOverSpan(v, threshold, false);
    }

    /** {@code (T B - A) / (A + T B)} (up) or {@code (A - T B) / (A + T B)} (down), with {@code B = Bn / Bd}. */
    private static BigDecimal gapOverSpan(PortfolioValuation v, BigDecimal threshold, boolean up) {
        BigDecimal a = v.crossDebtValue().numerator().divide(v.crossDebtValue().denominator(), MathContext.UNLIMITED);
        BigDecimal bn = v.crossCreditValue().numerator();
        BigDecimal bd = v.crossCreditValue().denominator();
        BigDecimal tb = threshold.multiply(bn);
        BigDecimal ab = a.multiply(bd);
        BigDecimal gap = up ? tb.subtract(ab) : ab.subtract(tb);
        // A consistent state never has a negative gap; zero means the next move may cross.
        return gap.signum() <= 0 ? BigDecimal.ZERO : gap.divide(ab.add(tb), MOVE_PRECISION);
    }
}
