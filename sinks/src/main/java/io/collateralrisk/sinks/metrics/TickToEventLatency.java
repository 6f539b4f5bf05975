package io.collateralrisk.sinks.metrics;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * {@code risk_tick_to_event_seconds{type}}: the wall clock from a source's read of a price tick to
 * the event it caused being handed to the sinks, observed by the functions that turn events into
 * output records (readers of an exactly-once topic see the event at the next checkpoint's commit). It is measured from the read time the tick carries ({@code ingestedAt}), not with
 * Flink's latency markers, which cost in production and skip the operators' own buffering. An
 * event no tick caused (a facility command's, a timer's) carries 0 and is not observed.
 *
 * <p>Each type's histogram holds the last {@value #WINDOW} latencies of this subtask (see {@link
 * LatencyHistogram}). The read time and the observation may be stamped on different machines; a
 * clock behind the source's counts as no latency rather than a negative one.
 */
final class TickToEventLatency {

    static final String METRIC = "risk_tick_to_event_seconds";
    /** Latencies per type and subtask that the quantiles are computed over. */
    static final int WINDOW = 1024;

    private final MetricGroup group;
    private final Map<String, LatencyHistogram> byType = new HashMap<>();

    private TickToEventLatency(MetricGroup group) {
        this.group = group;
    }

    /** Registers a histogram for each of {@code types}, so that their series exist before the first event. */
    static TickToEventLatency register(MetricGroup group, Collection<String> types) {
        TickToEventLatency latency = new TickToEventLatency(group);
        types.forEach(latency::histogram);
        return latency;
    }

    /** @param ingestedAt when the source read the tick behind the event; 0 when no tick caused it */
    void observe(String type, long ingestedAt) {
        observe(type, ingestedAt, System.currentTimeMillis());
    }

    void observe(String type, long ingestedAt, long now) {
        if (ingestedAt > 0) {
            histogram(type).update(Math.max(0, now - ingestedAt));
        }
    }

    private LatencyHistogram histogram(String type) {
        return byType.computeIfAbsent(type, t -> group.addGroup("type", t).histogram(METRIC, new LatencyHistogram(WINDOW)));
    }
}
