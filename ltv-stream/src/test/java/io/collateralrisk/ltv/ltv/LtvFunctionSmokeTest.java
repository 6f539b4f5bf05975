package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class LtvFunctionSmokeTest {

    @Test
    void smoke() throws Exception {
        var harness = new KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent>(
                new KeyedCoProcessOperator<>(new LtvFunction(RiskConfig.defaults(), "test", Long.MAX_VALUE)),
                PriceUpdate::shardKey, c -> LtvStage.shardOf(c.pair(), c.facilityId()), Types.STRING);
        harness.open();
        String key = LtvStage.shardOf("BTC-USD", "F-1");
        harness.processElement2(new StreamRecord<>(new FacilityCommand("UPSERT", 0, "F-1", "B", "c", "BTC-USD", "standard",
                new BigDecimal("1"), 1, new BigDecimal("85000"), 1, false, null, false, "x"), 0));
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(0));
        harness.processElement1(new StreamRecord<>(new PriceUpdate(key, "BTC-USD", 1000, "e1", new BigDecimal("100000"), true, false), 1000));
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(1000));
        System.out.println("OUT " + harness.extractOutputValues());
        assertThat(harness.extractOutputValues()).isNotEmpty();
    }
}
