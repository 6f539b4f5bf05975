package io.collateralrisk.model;

import java.math.BigDecimal;
import java.util.List;

/**
 * One portfolio event on {@code risk.solvency}, keyed by {@code wallet}: a state entered
 * ({@code PORTFOLIO_SOLVENT}, {@code PORTFOLIO_AT_RISK}, {@code PORTFOLIO_INSOLVENT},
 * {@code PORTFOLIO_UNVALUED}) or {@code ACTION_WOULD_BE_INSOLVENT}, with everything the decision
 * used: the utilization of the cross-margined set and of each tail token, the plain and virtual
 * balances per token, the prices with their evaluations, the positions with their versions, and
 * the configuration and code behind it.
 *
 * <p>Utilizations here are printed values ({@link #UTILIZATION_SCALE} places, half-even); the
 * decision compared the exact ratios. A null utilization with its {@code ...Infinite} flag false
 * means it could not be computed (a cross-margined token without a price).
 *
 * @param cause what caused the record: an {@code evaluationId} for a price move, otherwise
 *     {@code position@version} of the portfolio event
 * @param utilization the portfolio's: the worst of the cross-margined set and every tail token
 * @param unvaluedTokens cross-margined tokens with a balance and no price, with why, such as
 *     {@code ETH:PRICE_UNAVAILABLE}, {@code ETH:NEVER_EVALUATED} or {@code SOL:NO_USD_PAIR}
 * @param action for {@code ACTION_WOULD_BE_INSOLVENT}: {@code INSTALL} or {@code UNINSTALL}
 *     of {@code actionPosition}; null otherwise
 * @param utilizationBefore for {@code ACTION_WOULD_BE_INSOLVENT}: the portfolio's utilization
 *     just before the action; null (not infinite) when it could not be valued then
 * @param riseUnproven for {@code ACTION_WOULD_BE_INSOLVENT}: the portfolio is insolvent after the
 *     action, but before or after it a cross-margined token had no price, so whether the action
 *     raised utilization is unknown; raised rather than guessed either way
 */
public record SolvencyEvent(
        String eventId,
        String type,
        long eventTime,
        String wallet,
        int portfolio,
        String state,
        String previousState,
        BigDecimal utilization,
        boolean utilizationInfinite,
        BigDecimal crossUtilization,
        boolean crossUtilizationInfinite,
        List<TokenBalance> tokens,
        List<String> unvaluedTokens,
        List<PositionVersion> positions,
        String action,
        String actionPosition,
        BigDecimal utilizationBefore,
        boolean utilizationBeforeInfinite,
        boolean riseUnproven,
        String cause,
        boolean appliedLate,
        String configHash,
        String codeVersion) {

    public static final int UTILIZATION_SCALE = 18;
    public static final String ACTION_WOULD_BE_INSOLVENT = "ACTION_WOULD_BE_INSOLVENT";
    /** Every portfolio event type, for metrics and the JSON writer. */
    public static final List<String> TYPES = List.of(
            "PORTFOLIO_SOLVENT", "PORTFOLIO_AT_RISK", "PORTFOLIO_INSOLVENT", "PORTFOLIO_UNVALUED", ACTION_WOULD_BE_INSOLVENT);

    /** The entity key of a portfolio in event ids: {@code wallet/portfolio}. */
    public static String entity(String wallet, int portfolio) {
        return wallet + '/' + portfolio;
    }

    /** The deterministic id of a record of {@code type} for a portfolio, at {@code eventTime}, caused by {@code cause}. */
    public static String eventId(String type, String wallet, int portfolio, long eventTime, String cause) {
        return EventIds.of(type, entity(wallet, portfolio), eventTime, cause);
    }

    /**
     * One token of the portfolio as valued.
     *
     * @param credit {@code C}, the credits summed over the positions
     * @param debt {@code D}, debts plus deltas summed over the positions
     * @param virtualCredit {@code C / v} at the token's scale, rounded down (printed only)
     * @param virtualDebt {@code D x v} (exact)
     * @param creditPrice USD price credits were valued at (the lowest of primary, TWAP and median
     *     while an incident is open); null for a tail token or a token without a price
     * @param debtPrice USD price debts were valued at (the highest while an incident is open)
     * @param evaluationId the evaluation the prices came from; null for USD, a tail token or no price
     * @param utilization for a tail token, {@code VD / VC}; null for a cross-margined one or when infinite
     */
    public record TokenBalance(
            String token,
            boolean crossMargin,
            BigDecimal varianceFactor,
            BigDecimal credit,
            BigDecimal debt,
            BigDecimal virtualCredit,
            BigDecimal virtualDebt,
            BigDecimal creditPrice,
            BigDecimal debtPrice,
            String evaluationId,
            BigDecimal utilization,
            boolean utilizationInfinite) {}

    /** A live position of the portfolio and the version last applied to it. */
    public record PositionVersion(String position, long version) {}
}
