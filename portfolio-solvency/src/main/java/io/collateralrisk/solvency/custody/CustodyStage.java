package io.collateralrisk.solvency.custody;

import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** Wires the custody pools: parsed snapshots in, keyed by custody; events and refusals out. */
public final class CustodyStage {

    public static final String UID = "custody-pools";

    private CustodyStage() {}

    /** What the stage emits. */
    public record Result(DataStream<CustodyEvent> events, DataStream<DeadLetter> refused) {}

    public static Result apply(DataStream<CustodyInput> snapshots, RiskConfig config, String codeVersion) {
        CustodyRules rules = new CustodyRules(config.custody().tradeBlockageUtilization(), config.configHash(), codeVersion);
        SingleOutputStreamOperator<CustodyEvent> events = snapshots
                .keyBy(CustodyInput::custody, Types.STRING)
                .process(new CustodyFunction(rules), TypeInformation.of(CustodyEvent.class))
                .uid(UID)
                .name("custody pools");
        return new Result(events, events.getSideOutput(CustodyFunction.REFUSED));
    }
}
