package io.collateralrisk.jobs.audit;

import static org.apache.iceberg.expressions.Expressions.and;
import static org.apache.iceberg.expressions.Expressions.equal;
import static org.apache.iceberg.expressions.Expressions.greaterThan;
import static org.apache.iceberg.expressions.Expressions.greaterThanOrEqual;
import static org.apache.iceberg.expressions.Expressions.in;
import static org.apache.iceberg.expressions.Expressions.lessThan;
import static org.apache.iceberg.expressions.Expressions.lessThanOrEqual;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.config.ConfigException;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.audit.AuditTables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;

/**
 * Gathers the {@link EventStory} of one event of {@code risk_audit.margin_call_events} from the
 * audit tables alone, with one filtered read per question:
 *
 * <pre>
 *  margin_call_events  event_id = ID                -&gt; the event (facility, evaluation, configuration hash)
 *  margin_call_events  facility_id = F              -&gt; the events before and after it
 *  facility_events     facility_id = F              -&gt; the collateral and debt versions it names
 *  reference_prices    evaluation_id = E            -&gt; the LTV price, the sources used and excluded
 *  reference_prices    pair = P, time in window     -&gt; the TWAP's history
 *  price_ticks         pair = P, event_time in (..) -&gt; the ticks the evaluation lists
 *  config_versions     config_hash = H              -&gt; the policy and windows in force
 *  divergence_incidents pair = P                    -&gt; the divergence state
 * </pre>
 */
public final class Explainer {

    /** How far before the TWAP window's start the last earlier evaluation is looked for first. */
    private static final long TWAP_LOOKBACK_MS = 2 * 3_600_000L;

    /** Same-instant events in the order the lifecycle emits them: releases, then the evaluation, then timers. */
    private static final Map<String, Integer> EMISSION_ORDER = Map.ofEntries(
            Map.entry(Decision.LIQUIDATION_RELEASED, 0),
            Map.entry(Decision.INITIAL_MARGIN_BREACH, 1),
            Map.entry(Decision.COLLATERAL_MISSING, 2),
            Map.entry(Decision.LTV_WARNING, 3),
            Map.entry(Decision.MARGIN_CALL_CURED, 3),
            Map.entry(Decision.LTV_HEALTHY, 3),
            Map.entry(Decision.MARGIN_CALL_ISSUED, 3),
            Map.entry(Decision.LIQUIDATION_TRIGGERED, 4),
            Map.entry(Decision.LIQUIDATION_HELD, 4),
            Map.entry(Decision.LIQUIDATION_SHORTFALL, 5),
            Map.entry(Decision.LIQUIDATION_UNCONFIRMED, 6),
            Map.entry(Decision.LIQUIDATION_HOLD_ESCALATED, 7));

    /** Time order; at one instant, the lifecycle's emission order, then flags; then the id. */
    public static final Comparator<AuditRow> TIME_ORDER = Comparator.comparingLong(AuditRow::eventTime)
            .thenComparingInt(r -> EMISSION_ORDER.getOrDefault(r.type(), 8))
            .thenComparing(AuditRow::eventId);

    private final AuditSource source;

    public Explainer(AuditSource source) {
        this.source = source;
    }

    /** Thrown when the event is not in {@code margin_call_events}. */
    public static final class NoSuchEventException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NoSuchEventException(String eventId) {
            super("no event " + eventId + " in " + AuditTables.NAMESPACE + "." + AuditTables.MARGIN_CALL_EVENTS);
        }
    }

    public EventStory story(String eventId) {
        List<AuditRow> matches = rows(AuditTables.MARGIN_CALL_EVENTS, equal("event_id", eventId));
        if (matches.isEmpty()) {
            throw new NoSuchEventException(eventId);
        }
        AuditRow event = matches.get(0);
        String facility = (String) event.column("facility_id");
        List<AuditRow> timeline = sorted(rows(AuditTables.MARGIN_CALL_EVENTS, equal("facility_id", facility)));
        List<AuditRow> facilityEvents = sorted(rows(AuditTables.FACILITY_EVENTS, equal("facility_id", facility)));

        String configHash = EventStory.FLAGS.contains(event.type()) ? flagConfigHash(event, timeline) : event.text("configHash");
        AuditRow configRow = configHash == null ? null : configRow(configHash);
        RiskConfig config = null;
        String configError = null;
        if (configRow != null) {
            try {
                config = parse(configRow);
            } catch (ConfigException | IllegalArgumentException e) {
                configError = e.getMessage();
            }
        }

        String pair = event.text("pair");
        String evaluationId = event.text("evaluationId");
        AuditRow reference = null;
        int referenceRows = 0;
        RiskConfig referenceConfig = null;
        List<AuditRow> earlier = List.of();
        List<AuditRow> ticks = List.of();
        List<AuditRow> incidents = List.of();
        List<AuditRow> pairTriggers = List.of();
        List<AuditRow> pairHistory = List.of();
        List<AuditRow> releases = List.of();
        if (pair != null && !EventStory.FLAGS.contains(event.type())) {
            if (evaluationId != null) {
                List<AuditRow> refs = rows(AuditTables.REFERENCE_PRICES, equal("evaluation_id", evaluationId));
                referenceRows = refs.size();
                reference = refs.isEmpty() ? null : refs.get(0);
            }
            if (reference != null) {
                String referenceHash = reference.text("configHash");
                if (referenceHash != null && referenceHash.equals(configHash)) {
                    referenceConfig = config;
                } else if (referenceHash != null) {
                    AuditRow row = configRow(referenceHash);
                    try {
                        referenceConfig = row == null ? null : parse(row);
                    } catch (ConfigException | IllegalArgumentException e) {
                        referenceConfig = null;
                    }
                }
                PairConfig pairConfig = referenceConfig == null ? null : referenceConfig.pair(reference.text("pair"));
                if (pairConfig != null) {
                    earlier = earlierEvaluations(reference, pairConfig.twapWindowMs());
                }
                ticks = ticks(reference);
            }
            incidents = sorted(rows(AuditTables.DIVERGENCE_INCIDENTS, equal("pair", pair)));
            long t = event.eventTime();
            if (event.type().startsWith("LIQUIDATION_")) {
                releases = sorted(rows(AuditTables.FACILITY_EVENTS, and(and(equal("facility_id", pair), equal("type", HoldsReleased.TYPE)),
                        lessThanOrEqual("event_time", micros(t)))));
            }
            if ((Decision.LIQUIDATION_HELD.equals(event.type()) || Decision.LIQUIDATION_TRIGGERED.equals(event.type())) && config != null) {
                pairTriggers = sorted(rows(AuditTables.MARGIN_CALL_EVENTS, and(
                        and(equal("pair", pair), equal("type", Decision.LIQUIDATION_TRIGGERED)),
                        and(greaterThan("event_time", micros(t - config.lifecycle().circuitBreakerWindowMs())),
                                lessThanOrEqual("event_time", micros(t))))));
                List<String> retested = pairTriggers.stream().filter(r -> !BreakerAudit.fresh(r))
                        .map(r -> (String) r.column("facility_id")).distinct().toList();
                if (!retested.isEmpty()) {
                    pairHistory = sorted(rows(AuditTables.MARGIN_CALL_EVENTS, and(
                            and(in("facility_id", retested), in("type", Decision.LIQUIDATION_HELD, Decision.LIQUIDATION_RELEASED)),
                            lessThanOrEqual("event_time", micros(t)))));
                }
            }
        }
        return new EventStory(event, matches.size(), timeline, facilityEvents, reference, referenceRows, referenceConfig, earlier, ticks,
                configRow, config, configError, incidents, pairTriggers, pairHistory, releases);
    }

    private AuditRow configRow(String hash) {
        List<AuditRow> configs = rows(AuditTables.CONFIG_VERSIONS, equal("config_hash", hash));
        return configs.isEmpty() ? null : configs.get(0);
    }

    /** The canonical content is JSON, which is YAML: read as a configuration file would be. */
    private static RiskConfig parse(AuditRow configRow) {
        return ConfigLoader.parse((String) configRow.column("content"));
    }

    /** A flag names no configuration: the one of the lifecycle events it matched, the last of them. */
    private static String flagConfigHash(AuditRow flag, List<AuditRow> timeline) {
        JsonNode changes = flag.node("changes");
        if (changes == null || changes.isEmpty()) {
            return null;
        }
        String lastCause = changes.get(changes.size() - 1).path("cause").asText();
        return timeline.stream().filter(r -> r.eventId().equals(lastCause)).map(r -> r.text("configHash")).findFirst().orElse(null);
    }

    /**
     * The pair's evaluations before {@code reference} that the TWAP at it weighs: those within the
     * window and the last one at or before its start that had an exchange median (whose value
     * stood into the window, through any exchange blackout after it).
     */
    private List<AuditRow> earlierEvaluations(AuditRow reference, long windowMs) {
        String pair = reference.text("pair");
        long t = reference.eventTime();
        long windowStart = t - windowMs;
        List<AuditRow> found = sorted(rows(AuditTables.REFERENCE_PRICES, and(equal("pair", pair),
                and(greaterThanOrEqual("event_time", micros(windowStart - TWAP_LOOKBACK_MS)), lessThan("event_time", micros(t))))));
        boolean reachesStart = found.stream().anyMatch(r -> r.eventTime() <= windowStart && StoryVerifier.exchangeMedian(r) != null);
        if (!reachesStart) {
            // A quiet spell or a blackout longer than the look-back: the last evaluation with an
            // exchange median before it, however old.
            Optional<AuditRow> before = rows(AuditTables.REFERENCE_PRICES, and(equal("pair", pair),
                    lessThan("event_time", micros(windowStart - TWAP_LOOKBACK_MS)))).stream()
                    .filter(r -> StoryVerifier.exchangeMedian(r) != null).max(TIME_ORDER);
            if (before.isPresent()) {
                List<AuditRow> withStart = new ArrayList<>(found.size() + 1);
                withStart.add(before.get());
                withStart.addAll(found);
                found = withStart;
            }
        }
        // Only the last exchange median at or before the window's start weighs; older evaluations are left out.
        int first = 0;
        for (int i = 0; i < found.size(); i++) {
            if (found.get(i).eventTime() <= windowStart && StoryVerifier.exchangeMedian(found.get(i)) != null) {
                first = i;
            }
        }
        return List.copyOf(found.subList(first, found.size()));
    }

    /** The ticks of the pair at the times of the sources the evaluation used or excluded. */
    private List<AuditRow> ticks(AuditRow reference) {
        TreeSet<Long> times = new TreeSet<>();
        for (String list : new String[] {"used", "excluded"}) {
            JsonNode sources = reference.node(list);
            if (sources != null) {
                sources.forEach(s -> times.add(io.collateralrisk.model.Times.parseIso(s.path("eventTime").asText())));
            }
        }
        if (times.isEmpty()) {
            return List.of();
        }
        List<Long> micros = times.stream().map(Explainer::micros).toList();
        return sorted(rows(AuditTables.PRICE_TICKS, and(equal("pair", reference.text("pair")), in("event_time", micros))));
    }

    private List<AuditRow> rows(String table, Expression filter) {
        List<Record> records = source.rows(table, filter);
        List<AuditRow> out = new ArrayList<>(records.size());
        for (Record r : records) {
            out.add(AuditRow.of(table, r));
        }
        return out;
    }

    private static List<AuditRow> sorted(List<AuditRow> rows) {
        List<AuditRow> copy = new ArrayList<>(rows);
        copy.sort(TIME_ORDER);
        return copy;
    }

    /** Iceberg compares timestamps in microseconds. */
    static long micros(long epochMillis) {
        return epochMillis * 1000L;
    }
}
