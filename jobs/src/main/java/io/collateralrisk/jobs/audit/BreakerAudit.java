package io.collateralrisk.jobs.audit;

import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.model.EventIds;
import java.util.List;
import java.util.Objects;

/**
 * The pair-wide circuit breaker as the audit tables show it (SPEC.md rule 8): which triggers it
 * counted, how many it had counted before an event, and which held liquidation a re-test continues.
 *
 * <p>A trigger is counted when its liquidation comes due: a fresh trigger (its liquidation id is
 * the one its own time, reason, evaluation and amounts' versions give), or a facility released
 * without a trigger and found due again at a later evaluation. The re-test of a held liquidation
 * (after {@code HOLDS_RELEASED}, or the price or incident hold that followed one) re-uses the held
 * trigger's id and is not counted. At one instant the breaker takes the released facilities found
 * due at the evaluation first, then the LTV stage's triggers, each in {@code facilityId} order.
 */
final class BreakerAudit {

    private BreakerAudit() {}

    /** The liquidation id the LTV stage gives a trigger at the row's own time, reason, evaluation and versions. */
    static String freshId(AuditRow r, String facilityId) {
        return EventIds.of("LIQUIDATION", facilityId, r.eventTime(), r.text("reason") + '|' + r.text("evaluationId") + '|'
                + r.longValue("collateralVersion") + '|' + r.longValue("debtVersion"));
    }

    static boolean fresh(AuditRow trigger) {
        return Objects.equals(trigger.text("liquidationId"), freshId(trigger, (String) trigger.column("facility_id")));
    }

    /**
     * A held liquidation's candidate id: the trigger the breaker replaced by this {@code
     * LIQUIDATION_HELD (CIRCUIT_BREAKER)} row would have carried it.
     */
    static String heldId(AuditRow hold) {
        return freshId(hold, (String) hold.column("facility_id"));
    }

    /** The breaker hold of the facility (same amounts' versions, at or before {@code t}) whose candidate id is {@code liquidationId}. */
    static AuditRow holdOf(List<AuditRow> timeline, String liquidationId, long t, long cv, long dv) {
        for (AuditRow r : timeline) {
            if (isBreakerHold(r) && r.eventTime() <= t && sameVersions(r, cv, dv) && heldId(r).equals(liquidationId)) {
                return r;
            }
        }
        return null;
    }

    /** Whether the breaker owned the facility's liquidation before {@code t}: one of its holds with the same amounts came first. */
    static boolean owned(List<AuditRow> timeline, String eventId, long t, long cv, long dv) {
        return timeline.stream().anyMatch(r -> isBreakerHold(r) && r.eventTime() <= t && !r.eventId().equals(eventId)
                && sameVersions(r, cv, dv));
    }

    /** Whether the latest hold or release of the facility before the row (not the row itself) is a release. */
    static boolean watched(List<AuditRow> history, String facilityId, String eventId, long t) {
        AuditRow latest = null;
        for (AuditRow r : history) {
            if (facilityId.equals(r.column("facility_id")) && r.eventTime() <= t && !r.eventId().equals(eventId)
                    && (Decision.LIQUIDATION_HELD.equals(r.type()) || Decision.LIQUIDATION_RELEASED.equals(r.type()))) {
                latest = r;
            }
        }
        return latest != null && Decision.LIQUIDATION_RELEASED.equals(latest.type());
    }

    /** Whether the breaker counted {@code trigger}. */
    static boolean counted(AuditRow trigger, List<AuditRow> history) {
        return fresh(trigger) || watched(history, (String) trigger.column("facility_id"), trigger.eventId(), trigger.eventTime());
    }

    /**
     * The triggers the breaker had counted within its window when it came to the event of {@code
     * facilityId} at {@code t}: every counted one before {@code t}, and those ahead of it at {@code t}.
     *
     * @param selfWatched the event is a released facility found due again (taken before the LTV stage's triggers)
     */
    static long countedBefore(EventStory s, String facilityId, String eventId, long t, boolean selfWatched) {
        long n = 0;
        for (AuditRow r : s.pairTriggers()) {
            if (r.eventId().equals(eventId) || r.eventTime() > t || !counted(r, s.pairHistory())) {
                continue;
            }
            if (r.eventTime() < t) {
                n++;
                continue;
            }
            boolean rWatched = !fresh(r);
            boolean ahead = ((String) r.column("facility_id")).compareTo(facilityId) < 0;
            if (selfWatched ? rWatched && ahead : rWatched || ahead) {
                n++;
            }
        }
        return n;
    }

    /** The operator's release at {@code t}, if any. */
    static AuditRow releaseAt(EventStory s, long t) {
        return s.releases().stream().filter(r -> r.eventTime() == t).findFirst().orElse(null);
    }

    private static boolean isBreakerHold(AuditRow r) {
        return Decision.LIQUIDATION_HELD.equals(r.type()) && Decision.HOLD_CIRCUIT_BREAKER.equals(r.text("holdReason"));
    }

    private static boolean sameVersions(AuditRow r, long cv, long dv) {
        return Objects.equals(r.longValue("collateralVersion"), cv) && Objects.equals(r.longValue("debtVersion"), dv);
    }
}
