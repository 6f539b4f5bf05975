package io.collateralrisk.jobs.audit;

import io.collateralrisk.model.config.RiskConfig;
import java.util.List;
import java.util.Set;

/**
 * Everything the audit tables hold about one event of {@code risk_audit.margin_call_events}: the
 * rows {@link StoryPrinter} tells the story from and {@link StoryVerifier} recomputes the decision
 * from. Nothing here comes from outside the tables.
 *
 * @param event the event's row
 * @param sameId how many rows carry the event's id (1 unless the table was tampered with)
 * @param timeline every row of the facility in {@code margin_call_events}, in time order
 * @param facilityEvents every row of the facility in {@code facility_events}, in time order
 * @param reference the {@code reference_prices} row of the event's {@code evaluationId}; null when none
 * @param referenceRows how many rows carry that evaluation id
 * @param referenceConfig the configuration the evaluation names (the event's, unless a restart
 *     with a new configuration came between them); null when not in {@code config_versions}
 * @param earlierEvaluations the pair's evaluations before the reference one, far enough back for the
 *     TWAP window (the last one at or before the window's start included), in time order
 * @param ticks the {@code price_ticks} rows of the pair at the times of the sources the evaluation lists
 * @param configRow the {@code config_versions} row of the event's {@code configHash}; null when none
 * @param config that row's content as a configuration; null when absent or not valid
 * @param configError why {@code config} is null, when a row exists
 * @param incidents every {@code divergence_incidents} row of the pair, in time order
 * @param pairTriggers for a {@code LIQUIDATION_HELD} or {@code LIQUIDATION_TRIGGERED}: every trigger
 *     of the pair within the circuit breaker's window up to it, in time order
 * @param pairHistory the holds and releases, up to the event, of the facilities whose triggers in
 *     {@code pairTriggers} re-use an earlier liquidation id (a re-test of a held liquidation)
 * @param releases the pair's {@code HOLDS_RELEASED} rows of {@code facility_events} up to the event
 */
public record EventStory(
        AuditRow event,
        int sameId,
        List<AuditRow> timeline,
        List<AuditRow> facilityEvents,
        AuditRow reference,
        int referenceRows,
        RiskConfig referenceConfig,
        List<AuditRow> earlierEvaluations,
        List<AuditRow> ticks,
        AuditRow configRow,
        RiskConfig config,
        String configError,
        List<AuditRow> incidents,
        List<AuditRow> pairTriggers,
        List<AuditRow> pairHistory,
        List<AuditRow> releases) {

    /** CEP flags on {@code risk.margin-calls}: they inform the risk desk and decide nothing. */
    public static final Set<String> FLAGS = Set.of("RAPID_DETERIORATION", "REPEATED_MARGIN_CALLS");

    public boolean isFlag() {
        return FLAGS.contains(event.type());
    }

    public String facilityId() {
        return (String) event.column("facility_id");
    }
}
