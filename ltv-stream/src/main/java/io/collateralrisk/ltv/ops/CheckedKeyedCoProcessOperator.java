package io.collateralrisk.ltv.ops;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** A keyed two-input process operator that runs a {@link RestoreCheck} when it starts. */
public class CheckedKeyedCoProcessOperator<IN1, IN2, OUT> extends KeyedCoProcessOperator<String, IN1, IN2, OUT> {

    private static final long serialVersionUID = 1L;

    private final RestoreCheck check;

    public CheckedKeyedCoProcessOperator(KeyedCoProcessFunction<String, IN1, IN2, OUT> function, RestoreCheck check) {
        super(function);
        this.check = check;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        check.initializeState(context);
    }

    @Override
    public void open() throws Exception {
        super.open();
        check.open(getKeyedStateBackend(), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        check.flush(output);
        super.processElement1(element);
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        check.flush(output);
        super.processElement2(element);
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        check.flush(output);
        super.processWatermark1(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        check.flush(output);
        super.processWatermark2(mark);
    }
}
