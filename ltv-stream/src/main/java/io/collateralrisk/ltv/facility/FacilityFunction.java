package io.collateralrisk.ltv.facility;

import io.collateralrisk.model.CollateralUpdated;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DebtUpdated;
import io.collateralrisk.model.FacilityOpened;
import io.collateralrisk.model.LiquidationExecuted;
import io.collateralrisk.model.LiquidationFailed;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The facility stage, keyed by facility id: applies {@code facility-events} to the facility's
 * record and tells the LTV stage what changed.
 *
 * <pre>
 * FACILITY_OPENED ---------&gt; record (policy must exist)            --&gt; UPSERT
 * COLLATERAL/DEBT_UPDATED --&gt; newer version? apply : counted no-op   --&gt; UPSERT
 * LIQUIDATION_EXECUTED/FAILED (custodian)                             --&gt; EXECUTED / FAILED
 * FACILITY_CLOSED ---------&gt; record cleared, closed marker kept       --&gt; CLOSE
 *                            marker removed after closedRetention (event-time timer)
 * never opened / closed / unknown policy / opened twice ---------------&gt; DEAD_LETTER
 * </pre>
 *
 * Facility events are never dropped for lateness: one whose time the price clock (the stage's
 * watermark) has passed is applied and marked {@code appliedLate}. The watermark is kept in operator state as well: a
 * restored operator's watermark starts again from nothing, and an event it had already passed is
 * still late.
 */
public class FacilityFunction extends KeyedCoProcessFunction<String, FacilityInput, PriceTick, FacilityCommand> implements CheckpointedFunction {

    public static final OutputTag<DeadLetter> REFUSED = new OutputTag<>("facility-refused", TypeInformation.of(DeadLetter.class));
    /** Every event taken (applied or a stale version), for the audit trail. */
    public static final OutputTag<AcceptedFacilityEvent> ACCEPTED =
            new OutputTag<>("facility-accepted", TypeInformation.of(AcceptedFacilityEvent.class));

    private final RiskConfig config;
    private final long eventTimeHorizon;

    private transient ValueState<FacilityRecord> record;
    private transient Counter staleVersions;
    /**
     * The highest price-clock watermark the operator processed ({@link Operator}), and the one of
     * the state restored (the lowest of its subtasks').
     */
    private transient long watermarkSeen = Long.MIN_VALUE;
    private transient long restoredWatermark = Long.MIN_VALUE;
    private transient ListState<Long> watermarks;

    public FacilityFunction(RiskConfig config, long eventTimeHorizon) {
        this.config = config;
        this.eventTimeHorizon = eventTimeHorizon;
    }

    @Override
    public void open(OpenContext openContext) {
        record = getRuntimeContext().getState(new ValueStateDescriptor<>("facility", TypeInformation.of(FacilityRecord.class)));
        staleVersions = getRuntimeContext().getMetricGroup().counter("risk_facility_stale_versions");
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watermarkSeen = Long.MIN_VALUE;
        restoredWatermark = Long.MIN_VALUE;
        watermarks = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("watermark", Types.LONG));
        if (context.isRestored()) {
            long lowest = Long.MAX_VALUE;
            for (Long w : watermarks.get()) {
                lowest = Math.min(lowest, w);
            }
            restoredWatermark = lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watermarks.update(List.of(Math.max(watermarkSeen, restoredWatermark)));
    }

    /** The price clock's input carries watermarks only. */
    @Override
    public void processElement2(PriceTick none, Context ctx, Collector<FacilityCommand> out) {}

    @Override
    public void processElement1(FacilityInput input, Context ctx, Collector<FacilityCommand> out) throws Exception {
        FacilityRecord r = record.value();
        long t = input.eventTime();
        boolean late = t <= Math.max(ctx.timerService().currentWatermark(), restoredWatermark);

        if (input.opened() != null) {
            open(input, input.opened(), r, late, ctx, out);
            return;
        }
        if (r == null) {
            refuse(ctx, input, "UNKNOWN_FACILITY", "facility " + input.facilityId() + " was never opened");
            return;
        }
        if (r.closed()) {
            refuse(ctx, input, "FACILITY_CLOSED", "facility " + input.facilityId() + " is closed");
            return;
        }
        if (input.collateral() == null && input.debt() == null) {
            ctx.output(ACCEPTED, new AcceptedFacilityEvent(input, AcceptedFacilityEvent.APPLIED, late));
        }
        if (input.collateral() != null) {
            CollateralUpdated e = input.collateral();
            if (e.version() <= r.collateralVersion) {
                staleVersions.inc();
                ctx.output(ACCEPTED, new AcceptedFacilityEvent(input, AcceptedFacilityEvent.STALE_VERSION, late));
                return;
            }
            boolean riskIncreased = r.collateral != null && e.collateral().compareTo(r.collateral) < 0;
            r.collateral = e.collateral();
            r.collateralVersion = e.version();
            record.update(r);
            ctx.output(ACCEPTED, new AcceptedFacilityEvent(input, AcceptedFacilityEvent.APPLIED, late));
            out.collect(command(FacilityCommand.UPSERT, t, r, riskIncreased, null, late, "COLLATERAL|" + e.version()));
        } else if (input.debt() != null) {
            DebtUpdated e = input.debt();
            if (e.version() <= r.debtVersion) {
                staleVersions.inc();
                ctx.output(ACCEPTED, new AcceptedFacilityEvent(input, AcceptedFacilityEvent.STALE_VERSION, late));
                return;
            }
            boolean riskIncreased = r.outstanding != null && e.outstanding().compareTo(r.outstanding) > 0;
            r.outstanding = e.outstanding();
            r.debtVersion = e.version();
            record.update(r);
            ctx.output(ACCEPTED, new AcceptedFacilityEvent(input, AcceptedFacilityEvent.APPLIED, late));
            out.collect(command(FacilityCommand.UPSERT, t, r, riskIncreased, null, late, "DEBT|" + e.version()));
        } else if (input.executed() != null) {
            LiquidationExecuted e = input.executed();
            out.collect(command(FacilityCommand.EXECUTED, t, r, false, e.liquidationId(), late, "EXECUTED|" + e.liquidationId()));
        } else if (input.failed() != null) {
            LiquidationFailed e = input.failed();
            out.collect(command(FacilityCommand.FAILED, t, r, false, e.liquidationId(), late, "FAILED|" + e.liquidationId()));
        } else {
            out.collect(command(FacilityCommand.CLOSE, t, r, false, null, late, "CLOSED"));
            FacilityRecord marker = new FacilityRecord();
            marker.facilityId = r.facilityId;
            marker.closedAt = t;
            record.update(marker);
            long expiry = t + config.lifecycle().closedRetentionMs();
            if (expiry <= eventTimeHorizon) {
                ctx.timerService().registerEventTimeTimer(expiry);
            }
        }
    }

    private void open(FacilityInput input, FacilityOpened e, FacilityRecord r, boolean late, Context ctx, Collector<FacilityCommand> out)
            throws Exception {
        if (r != null) {
            refuse(ctx, input, r.closed() ? "FACILITY_CLOSED" : "ALREADY_OPEN", "facility " + e.facilityId() + (r.closed() ? " is closed" : " is already open"));
            return;
        }
        if (!config.policies().containsKey(e.policy())) {
            refuse(ctx, input, "UNKNOWN_POLICY", "policy '" + e.policy() + "' is not configured");
            return;
        }
        FacilityRecord created = new FacilityRecord();
        created.facilityId = e.facilityId();
        created.borrowerId = e.borrowerId();
        created.custodian = e.custodian();
        created.pair = e.pair();
        created.policy = e.policy();
        record.update(created);
        ctx.output(ACCEPTED, new AcceptedFacilityEvent(input, AcceptedFacilityEvent.APPLIED, late));
        out.collect(command(FacilityCommand.UPSERT, e.eventTime(), created, false, null, late, "OPENED"));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FacilityCommand> out) throws Exception {
        FacilityRecord r = record.value();
        if (r != null && r.closed() && r.closedAt + config.lifecycle().closedRetentionMs() <= timestamp) {
            record.clear();
        }
    }

    private static FacilityCommand command(String kind, long t, FacilityRecord r, boolean riskIncreased, String liquidationId, boolean late, String cause) {
        return new FacilityCommand(kind, t, r.facilityId, r.borrowerId, r.custodian, r.pair, r.policy, r.collateral,
                r.collateralVersion, r.outstanding, r.debtVersion, riskIncreased, liquidationId, late, cause);
    }

    private static void refuse(Context ctx, FacilityInput input, String reason, String detail) {
        ctx.output(REFUSED, DeadLetter.of(input.eventTime(), Topics.FACILITY_EVENTS, input.location(), reason, detail, input.payload()));
    }

    /**
     * Runs the function and tells it every price-clock watermark as it arrives: the clock moves
     * without any facility event (its input carries no records), and a snapshot must still keep
     * how far it went.
     */
    public static final class Operator extends KeyedCoProcessOperator<String, FacilityInput, PriceTick, FacilityCommand> {

        private static final long serialVersionUID = 1L;

        public Operator(FacilityFunction function) {
            super(function);
        }

        @Override
        public void processWatermark(Watermark mark) throws Exception {
            FacilityFunction function = (FacilityFunction) getUserFunction();
            function.watermarkSeen = Math.max(function.watermarkSeen, mark.getTimestamp());
            super.processWatermark(mark);
        }
    }
}
