package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.Topics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Custody pools, keyed by {@code custody}: loads the custody's {@link CustodyPoolState}, applies
 * one snapshot with {@link CustodyRules#onSnapshot}, stores the state and emits the events.
 *
 * <pre>
 * CustodyInput [custody] --&gt; CustodyRules.onSnapshot(state, snapshot)
 *                              APPLIED       --&gt; CustodyEvents (risk.solvency), state stored
 *                              STALE_SLOT    --&gt; counted (risk_custody_snapshots_stale), nothing else
 *                              MINT_MISMATCH --&gt; DEAD_LETTER INVALID_FIELD:mint ({@link #REFUSED})
 *
 * keyed state: custody-pool (ValueState of CustodyPoolState)
 * </pre>
 *
 * Snapshots are ordered by slot alone, so they are applied as they arrive: no timer, no clock. A
 * snapshot that cannot be parsed never gets here; it is dead-lettered where it is parsed, with the
 * parser's reason.
 */
public class CustodyFunction extends KeyedProcessFunction<String, CustodyInput, CustodyEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> REFUSED = new OutputTag<>("custody-refused", TypeInformation.of(DeadLetter.class));
    /** Snapshots not newer than their custody's last applied slot: counted no-ops. */
    public static final String STALE_METRIC = "risk_custody_snapshots_stale";

    private final CustodyRules rules;

    private transient ValueState<CustodyPoolState> pools;
    private transient Counter stale;

    public CustodyFunction(CustodyRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        pools = getRuntimeContext().getState(new ValueStateDescriptor<>("custody-pool", TypeInformation.of(CustodyPoolState.class)));
        stale = getRuntimeContext().getMetricGroup().counter(STALE_METRIC);
    }

    @Override
    public void processElement(CustodyInput in, Context ctx, Collector<CustodyEvent> out) throws Exception {
        CustodyPoolState state = pools.value();
        if (state == null) {
            state = new CustodyPoolState();
        }
        CustodyOutcome outcome = rules.onSnapshot(state, in.snapshot());
        switch (outcome.status()) {
            case APPLIED -> {
                pools.update(state);
                outcome.events().forEach(out::collect);
            }
            case STALE_SLOT -> stale.inc();
            case MINT_MISMATCH -> ctx.output(REFUSED, DeadLetter.of(in.eventTime(), Topics.CUSTODY_SNAPSHOTS, in.location(),
                    CustodyOutcome.MINT_MISMATCH_REASON, outcome.detail(), in.payload()));
        }
    }

    /** Stale snapshots counted by this subtask so far. */
    long staleSnapshots() {
        return stale.getCount();
    }
}
