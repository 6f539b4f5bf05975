package io.collateralrisk.ltv.lifecycle;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.LtvUpdate;
import io.collateralrisk.model.config.PolicyConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Dresses a {@link Decision} with the facility's explanation: amounts and versions, the price and
 * its evaluation, the policy, trigger prices, what it takes to cure, recipients, configuration
 * hash and code version.
 */
public final class LifecycleExplainer {

    private static final List<String> BORROWER_LENDER = List.of("borrower", "lender");
    private static final List<String> BORROWER_LENDER_CUSTODIAN = List.of("borrower", "lender", "custodian");
    private static final List<String> LENDER = List.of("lender");

    private final String configHash;
    private final String codeVersion;

    public LifecycleExplainer(String configHash, String codeVersion) {
        this.configHash = configHash;
        this.codeVersion = codeVersion;
    }

    /** An event no tick caused: of a facility command or a timer. */
    public LifecycleEvent explain(
            Decision d, FacilityState s, String policyName, PolicyConfig policy, int baseScale, int quoteScale, int priceScale,
            PriceView fallbackPrice, boolean appliedLate) {
        return explain(d, s, policyName, policy, baseScale, quoteScale, priceScale, fallbackPrice, appliedLate, 0);
    }

    /**
     * @param priceScale the pair's {@code priceScale}: trigger prices are prices, not quote amounts
     * @param fallbackPrice the pair's last evaluation, for decisions taken without a price (timeouts)
     * @param ingestedAt when a price evaluation decided the event, that price's {@link PriceView#ingestedAt()};
     *     0 otherwise. The caller knows the cause: the price an event carries may be the last one,
     *     read by a command or a timer it did not cause. Never part of the event's id.
     */
    public LifecycleEvent explain(
            Decision d, FacilityState s, String policyName, PolicyConfig policy, int baseScale, int quoteScale, int priceScale,
            PriceView fallbackPrice, boolean appliedLate, long ingestedAt) {
        PriceView p = d.price() != null ? d.price() : fallbackPrice;
        BigDecimal price = p == null ? null : p.price();
        BigDecimal dbt = s.outstanding;
        BigDecimal col = s.collateral;
        boolean infinite = col != null && col.signum() == 0 && dbt != null && dbt.signum() > 0;
        BigDecimal ltv = price == null || infinite || col == null || dbt == null
                ? null
                : dbt.signum() == 0 ? BigDecimal.ZERO.setScale(LtvMath.LTV_SCALE) : LtvMath.ltv(dbt, col, price);
        BigDecimal cureLevel = policy.marginCall().subtract(policy.hysteresis());
        // What it takes to cure is stated while the facility is in margin call or worse.
        boolean inCall = d.bandAfter() != null && d.bandAfter().compareTo(Band.MARGIN_CALL) >= 0;
        BigDecimal toPost = null;
        BigDecimal toRepay = null;
        if (inCall && price != null && col != null && dbt != null) {
            toPost = LtvMath.collateralToCure(dbt, col, price, cureLevel, baseScale);
            toRepay = LtvMath.debtToRepayToCure(dbt, col, price, cureLevel, quoteScale);
        }
        String cause = (p == null ? "-" : p.evaluationId()) + '|' + (d.liquidationId() == null ? "" : d.liquidationId())
                + '|' + s.collateralVersion + '|' + s.debtVersion;
        return new LifecycleEvent(
                EventIds.of(d.type(), s.facilityId, d.eventTime(), cause),
                d.type(),
                d.eventTime(),
                s.facilityId,
                s.borrowerId,
                s.custodian,
                s.pair,
                ltv,
                infinite,
                d.bandBefore() == null ? null : d.bandBefore().name(),
                d.bandAfter() == null ? null : d.bandAfter().name(),
                policyName,
                policy.initialMargin(),
                policy.warning(),
                policy.marginCall(),
                policy.liquidation(),
                policy.liquidationTarget(),
                policy.hysteresis(),
                policy.curePeriodMs(),
                col,
                s.collateralVersion,
                dbt,
                s.debtVersion,
                price,
                p == null ? null : p.evaluationId(),
                p != null && p.incidentOpen(),
                trigger(dbt, col, policy.warning(), priceScale),
                trigger(dbt, col, policy.marginCall(), priceScale),
                trigger(dbt, col, policy.liquidation(), priceScale),
                toPost,
                toRepay,
                d.cureDeadline() != null ? d.cureDeadline() : s.cureDeadline,
                d.reason(),
                d.holdReason(),
                d.liquidationId(),
                d.liquidateCollateral(),
                d.shortfall(),
                Decision.MARGIN_CALL_ISSUED.equals(d.type()) && p != null && p.incidentOpen(),
                appliedLate,
                recipients(d.type(), p != null && p.incidentOpen()),
                configHash,
                codeVersion,
                ingestedAt);
    }

    /** The facility's line on the compacted {@code risk.ltv} topic. */
    public LtvUpdate ltv(FacilityState s, String policyName, PriceView p, long t, String cause, boolean closed) {
        BigDecimal price = p == null || !p.available() ? null : p.price();
        BigDecimal dbt = s.outstanding;
        BigDecimal col = s.collateral;
        boolean infinite = col != null && col.signum() == 0 && dbt != null && dbt.signum() > 0;
        BigDecimal ltv = price == null || infinite || col == null || dbt == null ? null : LtvMath.ltv(dbt, col, price);
        BigDecimal perCollateral = col == null || dbt == null || col.signum() == 0
                ? null
                : dbt.divide(col, MathContext.DECIMAL64).setScale(12, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return new LtvUpdate(
                EventIds.of(LtvUpdate.TYPE, s.facilityId, t, cause),
                t,
                s.facilityId,
                s.pair,
                policyName,
                s.band == null ? null : s.band.name(),
                ltv,
                infinite,
                col,
                dbt,
                perCollateral == null ? null : new BigDecimal(perCollateral.toPlainString()),
                price,
                p == null ? null : p.evaluationId(),
                closed,
                configHash);
    }

    private static BigDecimal trigger(BigDecimal dbt, BigDecimal col, BigDecimal threshold, int priceScale) {
        return dbt == null || col == null ? null : LtvMath.triggerPrice(dbt, col, threshold, priceScale);
    }

    /** Whom an event of {@code type} is addressed to (the spec's table); an audit recomputes it from here. */
    public static List<String> recipients(String type, boolean incidentOpen) {
        if (type.startsWith("LIQUIDATION_")) {
            return BORROWER_LENDER_CUSTODIAN;
        }
        return switch (type) {
            case Decision.INITIAL_MARGIN_BREACH, Decision.COLLATERAL_MISSING -> LENDER;
            // While a divergence incident is open the custodian is told of every borrower notice
            // too (spec rule 7); lender-only reviews stay with the risk desk.
            default -> incidentOpen ? BORROWER_LENDER_CUSTODIAN : BORROWER_LENDER;
        };
    }
}
