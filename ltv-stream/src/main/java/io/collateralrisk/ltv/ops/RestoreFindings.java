package io.collateralrisk.ltv.ops;

import io.collateralrisk.model.OpsAlert;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules of a restore: what restored state lacks in the configuration, and the alerts an
 * operator's subtasks' reports add up to. Plain code, so that it is tested without Flink.
 */
public final class RestoreFindings {

    private RestoreFindings() {}

    /** Counts what a restored subtask's state names that the configuration lacks, facility by facility. */
    public static final class Inventory {

        private final RiskConfig config;
        /** "KIND|name" -> facilities; sorted, so reports and alerts come in one order. */
        private final Map<String, Long> missing = new TreeMap<>();
        private long clock;

        public Inventory(RiskConfig config) {
            this.config = config;
        }

        /** A facility: counted under its pair when that is missing, else under its policy when that is. */
        public void facility(String pair, String policy) {
            if (!config.pairs().containsKey(pair)) {
                missing.merge(OpsAlert.PAIR + '|' + pair, 1L, Long::sum);
            } else if (!config.policies().containsKey(policy)) {
                missing.merge(OpsAlert.POLICY + '|' + policy, 1L, Long::sum);
            }
        }

        /** A pair the state holds other than through facilities (the price evaluation's key). */
        public void pair(String pair) {
            if (!config.pairs().containsKey(pair)) {
                missing.putIfAbsent(OpsAlert.PAIR + '|' + pair, 0L);
            }
        }

        /** An event time found in the state. */
        public void time(long t) {
            clock = Math.max(clock, t);
        }

        public long clock() {
            return clock;
        }

        public List<RestoreReport.Missing> missing() {
            List<RestoreReport.Missing> list = new ArrayList<>();
            missing.forEach((k, n) -> {
                int bar = k.indexOf('|');
                list.add(new RestoreReport.Missing(k.substring(0, bar), k.substring(bar + 1), n));
            });
            return list;
        }
    }

    /**
     * The alerts of one operator's restore, from the reports of all its subtasks: one {@code
     * STATE_WITHOUT_CONFIG} per missing pair or policy with the facilities of every subtask added
     * up, and one {@code CONFIG_CHANGED} per other hash found; none when nothing was restored.
     */
    public static List<OpsAlert> alerts(List<RestoreReport> reports, String configHash) {
        if (reports.isEmpty() || reports.stream().noneMatch(RestoreReport::restored)) {
            return List.of();
        }
        RestoreReport first = reports.get(0);
        long clock = 0;
        TreeSet<String> previous = new TreeSet<>();
        Map<String, Long> missing = new TreeMap<>();
        for (RestoreReport r : reports) {
            clock = Math.max(clock, r.clock());
            previous.addAll(r.previousConfigHashes());
            for (RestoreReport.Missing m : r.missing()) {
                missing.merge(m.kind() + '|' + m.name(), m.facilities(), Long::sum);
            }
        }
        List<OpsAlert> alerts = new ArrayList<>();
        for (String hash : previous) {
            if (!hash.equals(configHash)) {
                alerts.add(OpsAlert.configChanged(first.topic(), first.operator(), clock, hash, configHash));
            }
        }
        for (Map.Entry<String, Long> m : missing.entrySet()) {
            int bar = m.getKey().indexOf('|');
            alerts.add(OpsAlert.stateWithoutConfig(first.topic(), first.operator(), clock,
                    m.getKey().substring(0, bar), m.getKey().substring(bar + 1), m.getValue(), configHash));
        }
        return alerts;
    }
}
