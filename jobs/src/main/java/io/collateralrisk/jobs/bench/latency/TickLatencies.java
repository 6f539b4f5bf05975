package io.collateralrisk.jobs.bench.latency;

import io.collateralrisk.model.EventIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Links each price tick to the first consumer-visible record it caused, and each price-driven
 * lifecycle event to the ticks that caused it; thread-safe (the producer and the consumer call it
 * from their own threads).
 *
 * <ul>
 *   <li>A tick of a pair at event time {@code t} is evaluated in the pair's {@code REFERENCE_PRICE}
 *       at {@code t}, or, if it reached the job after that instant was evaluated, in the pair's next
 *       one: the first reference price of the pair at or after {@code t} resolves it.
 *   <li>A lifecycle event caused by an evaluation names it: its {@code evaluationId} is the
 *       evaluation's id at the event's own time ({@link EventIds#evaluationId}). One at another
 *       time (a cure deadline's timer, a facility event) was not caused by a tick and is not
 *       counted. Its latency runs from the send of the last tick at that instant, the one that
 *       completed the evaluation's input.
 *   <li>At-least-once may deliver a record twice: the first copy counts, by {@code eventId}.
 * </ul>
 *
 * Each tick carries the scenario it was sent in ({@code NOT_MEASURED} during warm-up and drain), and
 * its latencies count for that scenario.
 */
public final class TickLatencies {

    public static final int NOT_MEASURED = -1;
    /** How long, in event time, a tick's instant stays known for the lifecycle events it causes. */
    private static final long INSTANTS_KEPT_MS = 5 * 60_000L;

    /** Ticks sent at one instant of one pair. */
    private static final class Instant {
        long lastSentAt;
        int scenario;
        /** Send times of the ticks not yet seen in a reference price, with their scenario. */
        final List<long[]> pending = new ArrayList<>(2);
    }

    private final Map<String, TreeMap<Long, Instant>> byPair = new HashMap<>();
    private final Map<Integer, List<Long>> tickSamples = new HashMap<>();
    private final Map<Integer, List<Long>> lifecycleSamples = new HashMap<>();
    private final Map<Integer, Integer> unresolved = new HashMap<>();
    private final Set<String> seenLifecycleIds = new HashSet<>();
    private long lastEvaluatedSentAt = Long.MIN_VALUE;

    /** A tick of {@code pair} at {@code eventTime}, handed to the producer at {@code sentAt} (wall ms). */
    public synchronized void sent(String pair, long eventTime, long sentAt, int scenario) {
        TreeMap<Long, Instant> instants = byPair.computeIfAbsent(pair, p -> new TreeMap<>());
        Instant at = instants.computeIfAbsent(eventTime, t -> new Instant());
        at.lastSentAt = Math.max(at.lastSentAt, sentAt);
        at.scenario = scenario;
        at.pending.add(new long[] {sentAt, scenario});
        if (scenario != NOT_MEASURED) {
            unresolved.merge(scenario, 1, Integer::sum);
        }
        // Forget instants long past: their ticks are resolved, or will never be.
        Long oldest;
        while ((oldest = instants.isEmpty() ? null : instants.firstKey()) != null && oldest < eventTime - INSTANTS_KEPT_MS) {
            instants.pollFirstEntry();
        }
    }

    /** A {@code REFERENCE_PRICE} of {@code pair} at {@code eventTime} became visible at {@code visibleAt}. */
    public synchronized void referencePrice(String pair, long eventTime, long visibleAt) {
        TreeMap<Long, Instant> instants = byPair.get(pair);
        if (instants == null) {
            return;
        }
        NavigableMap<Long, Instant> covered = instants.headMap(eventTime, true);
        for (Iterator<Instant> it = covered.descendingMap().values().iterator(); it.hasNext(); ) {
            Instant at = it.next();
            if (at.pending.isEmpty()) {
                // Everything before it was resolved by an earlier evaluation.
                break;
            }
            for (long[] tick : at.pending) {
                lastEvaluatedSentAt = Math.max(lastEvaluatedSentAt, tick[0]);
                int scenario = (int) tick[1];
                if (scenario != NOT_MEASURED) {
                    tickSamples.computeIfAbsent(scenario, s -> new ArrayList<>()).add(visibleAt - tick[0]);
                    unresolved.merge(scenario, -1, Integer::sum);
                }
            }
            at.pending.clear();
        }
    }

    /** A lifecycle event on {@code risk.margin-calls} became visible at {@code visibleAt}. */
    public synchronized void lifecycleEvent(String eventId, String pair, long eventTime, String evaluationId, long visibleAt) {
        if (!seenLifecycleIds.add(eventId)) {
            return;
        }
        if (evaluationId == null || !evaluationId.equals(EventIds.evaluationId(pair, eventTime))) {
            return;
        }
        TreeMap<Long, Instant> instants = byPair.get(pair);
        Instant at = instants == null ? null : instants.get(eventTime);
        if (at == null || at.scenario == NOT_MEASURED) {
            return;
        }
        lifecycleSamples.computeIfAbsent(at.scenario, s -> new ArrayList<>()).add(visibleAt - at.lastSentAt);
    }

    /**
     * The latest send time of any tick seen in a reference price: once it passes a moment, the job
     * has caught up with what was sent before it.
     */
    public synchronized long lastEvaluatedSentAt() {
        return lastEvaluatedSentAt;
    }

    /** Ticks of the scenario not yet seen in any reference price. */
    public synchronized int unresolved(int scenario) {
        return unresolved.getOrDefault(scenario, 0);
    }

    public synchronized Percentiles ticks(int scenario) {
        return Percentiles.of(tickSamples.getOrDefault(scenario, List.of()));
    }

    public synchronized Percentiles lifecycle(int scenario) {
        return Percentiles.of(lifecycleSamples.getOrDefault(scenario, List.of()));
    }
}
