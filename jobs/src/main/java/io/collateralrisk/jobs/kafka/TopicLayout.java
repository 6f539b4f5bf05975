package io.collateralrisk.jobs.kafka;

import io.collateralrisk.model.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every topic the job reads or writes: partitions sized by how many keys share it, and retention
 * by who reads it how late. Records are keyed by entity, so per-key order holds whatever the
 * partition count; more partitions only spread keys.
 *
 * <ul>
 *   <li>Inputs keep 7 days: enough to rebuild a job from an old savepoint or replay an incident;
 *       older history is in the audit tables.
 *   <li>Alert topics keep 30 days, for downstream systems that were down or are re-consuming.
 *   <li>{@code risk.reference-prices} (every evaluation: the highest volume) keeps 7 days.
 *   <li>{@code risk.ltv} is compacted: the latest LTV per facility forever, a tombstone removing a
 *       closed facility after a day.
 *   <li>Input topics take the broker's clock ({@code message.timestamp.type=LogAppendTime}): the
 *       Kafka timestamp is each input record's reference clock, which its event time may not run
 *       more than {@code lateness.maxAhead} ahead of (the clock guards), so a producer's broken
 *       clock cannot set it.
 * </ul>
 */
public final class TopicLayout {

    /** One topic: its name, partitions and the topic-level settings it must have. */
    public record TopicSpec(String name, int partitions, Map<String, String> configs) {}

    private static final String DAYS_7 = Long.toString(7L * 86_400_000);
    private static final String DAYS_30 = Long.toString(30L * 86_400_000);

    public static final List<TopicSpec> ALL = List.of(
            // Keyed by pair: a handful of keys.
            input(deleteAfter(Topics.PRICES, 3, DAYS_7)),
            // Keyed by facility: thousands of keys.
            input(deleteAfter(Topics.FACILITY_EVENTS, 12, DAYS_7)),
            input(deleteAfter(Topics.RISK_CONTROL, 1, DAYS_30)),
            // Keyed by wallet: thousands of keys.
            input(deleteAfter(Topics.PORTFOLIO_EVENTS, 12, DAYS_7)),
            // Keyed by custody: one per pool and token.
            input(deleteAfter(Topics.CUSTODY_SNAPSHOTS, 3, DAYS_7)),
            deleteAfter(Topics.REFERENCE_PRICES, 3, DAYS_7),
            deleteAfter(Topics.PRICE_ALERTS, 3, DAYS_30),
            deleteAfter(Topics.DIVERGENCE, 3, DAYS_30),
            deleteAfter(Topics.MARGIN_CALLS, 12, DAYS_30),
            deleteAfter(Topics.SOLVENCY, 6, DAYS_30),
            deleteAfter(Topics.DEAD_LETTER, 3, DAYS_30),
            deleteAfter(Topics.OPS_ALERTS, 1, DAYS_30),
            new TopicSpec(Topics.LTV, 12, Map.of(
                    "cleanup.policy", "compact",
                    "delete.retention.ms", Long.toString(86_400_000L),
                    "min.compaction.lag.ms", Long.toString(3_600_000L))));

    private TopicLayout() {}

    public static final String TIMESTAMP_TYPE = "message.timestamp.type";

    private static TopicSpec input(TopicSpec spec) {
        Map<String, String> configs = new LinkedHashMap<>(spec.configs());
        configs.put(TIMESTAMP_TYPE, "LogAppendTime");
        return new TopicSpec(spec.name(), spec.partitions(), Map.copyOf(configs));
    }

    private static TopicSpec deleteAfter(String name, int partitions, String retentionMs) {
        return new TopicSpec(name, partitions, Map.of("cleanup.policy", "delete", "retention.ms", retentionMs));
    }

    public static Map<String, Integer> partitions() {
        Map<String, Integer> partitions = new LinkedHashMap<>();
        ALL.forEach(t -> partitions.put(t.name(), t.partitions()));
        return partitions;
    }

    public static Map<String, Map<String, String>> configs() {
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        ALL.forEach(t -> configs.put(t.name(), t.configs()));
        return configs;
    }

    /**
     * The settings for a local broker fed historical data (the demo, tests): records carry their
     * event time as timestamp, years old, which time-based retention would delete at once. Its
     * input topics keep the producer's timestamp ({@code CreateTime}): the broker's clock reads
     * today, years ahead of the history being published, so it could not stand for the time the
     * broker would have given each record then; the publisher stamps that time instead. For the same
     * reason {@code risk.ltv} keeps its compaction policy but not its one-hour compaction lag: measured
     * from timestamps years old, the lag has always passed, and the cleaner would drop a facility's
     * superseded lines while the run that wrote them is still being read.
     */
    public static Map<String, Map<String, String>> configsKeepingHistory() {
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        ALL.forEach(t -> {
            Map<String, String> c = new LinkedHashMap<>(t.configs());
            c.computeIfPresent("retention.ms", (k, v) -> "-1");
            c.computeIfPresent("min.compaction.lag.ms", (k, v) -> Long.toString(Long.MAX_VALUE));
            c.computeIfPresent(TIMESTAMP_TYPE, (k, v) -> "CreateTime");
            configs.put(t.name(), c);
        });
        return configs;
    }
}
