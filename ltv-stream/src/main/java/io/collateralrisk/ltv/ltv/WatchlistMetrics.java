package io.collateralrisk.ltv.ltv;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code risk_watchlist_ltv{pair, facility}}: the LTV of the {@value #SIZE} worst facilities of each
 * pair on this subtask, from the metrics sweep (a shard's worst are the last of its
 * {@link DebtPerCollateralTree}s; Prometheus takes the top {@value #SIZE} over the
 * subtasks). Facilities without debt are not at risk and never listed; collateral of zero under
 * debt is an infinite LTV, the worst there is.
 *
 * <p>The only metric labelled by facility, so its series must leave with the facility, and Flink's
 * metric groups cannot remove a single gauge. A pair's watchlist gauges therefore live in a group of
 * their own, which is closed (unregistering its gauges from every reporter) and registered anew
 * when the pair's list of facilities changes; between changes only the values move. Closing is
 * {@link AbstractMetricGroup#close()}, Flink's runtime class behind every operator's metric group;
 * a group of another kind (an unregistered one in some tests) gets no watchlist, which bounds the
 * series to {@value #SIZE} per pair and subtask whatever happens; {@code LiveMetricsTest} fails
 * should a Flink version stop handing operators such a group.
 */
final class WatchlistMetrics {

    static final int SIZE = 20;

    private static final Logger LOG = LoggerFactory.getLogger(WatchlistMetrics.class);

    /** A listed facility; {@code ltv} null for an infinite LTV. */
    record Entry(String facilityId, BigDecimal ltv) {
        double value() {
            return ltv == null ? Double.POSITIVE_INFINITY : ltv.doubleValue();
        }
    }

    /** Worst first: infinite, then the highest LTV; ties by facility id, so the list is the same in every run. */
    static final Comparator<Entry> WORST_FIRST = Comparator.<Entry, BigDecimal>comparing(
                    Entry::ltv, Comparator.nullsFirst(Comparator.<BigDecimal>reverseOrder()))
            .thenComparing(Entry::facilityId);

    /** The {@value #SIZE} worst of what one sweep offers, in a heap whose head is the least bad kept. */
    static final class Top {
        private final PriorityQueue<Entry> kept = new PriorityQueue<>(SIZE + 1, WORST_FIRST.reversed());

        void offer(String facilityId, BigDecimal ltv) {
            if (kept.size() < SIZE) {
                kept.add(new Entry(facilityId, ltv));
            } else if (worse(facilityId, ltv, kept.peek())) {
                kept.poll();
                kept.add(new Entry(facilityId, ltv));
            }
        }

        /** {@link #WORST_FIRST} without an entry made for every facility the sweep offers. */
        private static boolean worse(String facilityId, BigDecimal ltv, Entry kept) {
            if (ltv == null || kept.ltv() == null) {
                return ltv == null && (kept.ltv() != null || facilityId.compareTo(kept.facilityId()) < 0);
            }
            int c = ltv.compareTo(kept.ltv());
            return c > 0 || (c == 0 && facilityId.compareTo(kept.facilityId()) < 0);
        }

        List<Entry> entries() {
            return new ArrayList<>(kept);
        }
    }

    /** One pair's registered gauges and the values they read. */
    private static final class Listed {
        final MetricGroup group;
        final Set<String> facilities;
        volatile Map<String, Double> values;

        Listed(MetricGroup group, Map<String, Double> values) {
            this.group = group;
            this.facilities = values.keySet();
            this.values = values;
        }
    }

    private final MetricGroup operatorGroup;
    private final boolean removable;
    /** Shard key -> its worst facilities at its last sweep. */
    private final Map<String, List<Entry>> byShard = new HashMap<>();
    private final Map<String, Listed> byPair = new HashMap<>();

    WatchlistMetrics(MetricGroup operatorGroup) {
        this.operatorGroup = operatorGroup;
        this.removable = operatorGroup instanceof AbstractMetricGroup;
        if (!removable) {
            LOG.warn("No risk_watchlist_ltv from this operator: its metric group ({}) cannot remove series",
                    operatorGroup.getClass().getName());
        }
    }

    /** Replaces the shard's worst facilities and publishes its pair's watchlist on this subtask. */
    void update(String shardKey, String pair, List<Entry> shardWorst) {
        byShard.put(shardKey, shardWorst);
        List<Entry> all = new ArrayList<>();
        String prefix = pair + '#';
        for (Map.Entry<String, List<Entry>> shard : byShard.entrySet()) {
            if (shard.getKey().startsWith(prefix)) {
                all.addAll(shard.getValue());
            }
        }
        all.sort(WORST_FIRST);
        Map<String, Double> values = new LinkedHashMap<>();
        for (Entry e : all.subList(0, Math.min(SIZE, all.size()))) {
            values.put(e.facilityId(), e.value());
        }
        publish(pair, values);
    }

    /** The shard's worst facilities at its last sweep. */
    List<Entry> shardWorst(String shardKey) {
        return byShard.getOrDefault(shardKey, List.of());
    }

    /** The pair's listed facilities and their LTVs, worst first (what the gauges read now). */
    Map<String, Double> listed(String pair) {
        Listed l = byPair.get(pair);
        return l == null ? Map.of() : l.values;
    }

    private void publish(String pair, Map<String, Double> values) {
        if (!removable) {
            return;
        }
        Listed current = byPair.get(pair);
        if (current != null && current.facilities.equals(values.keySet())) {
            current.values = values;
            return;
        }
        if (current != null) {
            ((AbstractMetricGroup<?>) current.group).close();
        }
        // After the close, the same name gives a fresh group: the old one is gone from its parent.
        MetricGroup group = operatorGroup.addGroup("pair", pair).addGroup("watchlist");
        Listed listed = new Listed(group, values);
        for (String facility : values.keySet()) {
            group.addGroup("facility", facility)
                    .gauge("risk_watchlist_ltv", (Gauge<Double>) () -> listed.values.getOrDefault(facility, Double.NaN));
        }
        byPair.put(pair, listed);
    }
}
