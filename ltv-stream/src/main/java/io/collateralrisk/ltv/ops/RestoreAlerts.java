package io.collateralrisk.ltv.ops;

import io.collateralrisk.model.OpsAlert;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by operator: waits for the restore report of each of the operator's subtasks, then emits
 * what they add up to ({@link RestoreFindings#alerts}) and forgets them. Each subtask reports once
 * per start, so the alerts go out once per restore.
 */
public class RestoreAlerts extends KeyedProcessFunction<String, RestoreReport, OpsAlert> {

    private final String configHash;
    private transient MapState<Integer, RestoreReport> reports;

    public RestoreAlerts(String configHash) {
        this.configHash = configHash;
    }

    @Override
    public void open(OpenContext openContext) {
        reports = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("restore-reports", Types.INT, TypeInformation.of(RestoreReport.class)));
    }

    @Override
    public void processElement(RestoreReport report, Context ctx, Collector<OpsAlert> out) throws Exception {
        reports.put(report.subtask(), report);
        List<RestoreReport> all = new ArrayList<>();
        for (RestoreReport r : reports.values()) {
            if (r.subtask() < report.parallelism()) {
                all.add(r); // a report of a subtask the operator no longer has (rescaled) is ignored
            }
        }
        if (all.size() < report.parallelism()) {
            return;
        }
        all.sort(Comparator.comparingInt(RestoreReport::subtask));
        RestoreFindings.alerts(all, configHash).forEach(out::collect);
        reports.clear();
    }
}
