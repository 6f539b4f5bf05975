package io.collateralrisk.ltv.ops;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** A keyed process operator that runs a {@link RestoreCheck} when it starts. */
public class CheckedKeyedProcessOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {

    private static final long serialVersionUID = 1L;

    private final RestoreCheck check;

    public CheckedKeyedProcessOperator(KeyedProcessFunction<String, IN, OUT> function, RestoreCheck check) {
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
    public void processElement(StreamRecord<IN> element) throws Exception {
        check.flush(output);
        super.processElement(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        check.flush(output);
        super.processWatermark(mark);
    }
}
