package io.collateralrisk.ltv.ops;

import io.collateralrisk.model.config.RiskConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * What a stateful operator checks when it starts: it keeps the configuration hash in its operator
 * state, and after a restore it scans its keyed state once for what names a pair or policy the
 * configuration lacks ({@link Scan}). The result leaves as one {@link RestoreReport} per subtask on
 * {@link #REPORTS}, with the operator's first input or watermark (an operator emits nothing before
 * it runs); {@link RestoreAlerts} adds the subtasks' reports up.
 */
public final class RestoreCheck implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<RestoreReport> REPORTS =
            new OutputTag<>("restore-reports", TypeInformation.of(RestoreReport.class));

    /** Walks a restored subtask's keyed state into an inventory. */
    @FunctionalInterface
    public interface Scan extends Serializable {
        void scan(KeyedStateBackend<String> state, RestoreFindings.Inventory inventory) throws Exception;
    }

    private final String operator;
    private final String topic;
    private final RiskConfig config;
    private final boolean checksConfigHash;
    private final Scan scan;

    private transient ListState<String> hashes;
    private transient boolean restored;
    private transient List<String> previous;
    private transient RestoreReport pending;

    /**
     * @param operator the operator's uid, named in the alerts
     * @param topic the input its state comes from: the alerts' key
     * @param checksConfigHash whether this operator keeps the configuration hash and reports a
     *     change (one operator of the job does, so that a change is said once)
     */
    public RestoreCheck(String operator, String topic, RiskConfig config, boolean checksConfigHash, Scan scan) {
        this.operator = operator;
        this.topic = topic;
        this.config = config;
        this.checksConfigHash = checksConfigHash;
        this.scan = scan;
    }

    /** From the operator's {@code initializeState}: reads the hashes the state was taken under. */
    public void initializeState(StateInitializationContext context) throws Exception {
        restored = context.isRestored();
        previous = List.of();
        if (!checksConfigHash) {
            return;
        }
        // Union state: every subtask sees every hash, whatever the parallelism was.
        hashes = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("config-hash", Types.STRING));
        TreeSet<String> found = new TreeSet<>();
        if (restored) {
            for (String h : hashes.get()) {
                found.add(h);
            }
        }
        previous = new ArrayList<>(found);
        hashes.update(List.of(config.configHash()));
    }

    /** From the operator's {@code open}, after its function opened: scans a restored subtask's keyed state. */
    public void open(KeyedStateBackend<String> state, int subtask, int parallelism) throws Exception {
        RestoreFindings.Inventory inventory = new RestoreFindings.Inventory(config);
        if (restored) {
            scan.scan(state, inventory);
        }
        pending = new RestoreReport(operator, topic, subtask, parallelism, restored, previous, inventory.missing(), inventory.clock());
    }

    /** Sends the report, the first time only. */
    public void flush(Output<?> output) {
        if (pending != null) {
            output.collect(REPORTS, new StreamRecord<>(pending));
            pending = null;
        }
    }
}
