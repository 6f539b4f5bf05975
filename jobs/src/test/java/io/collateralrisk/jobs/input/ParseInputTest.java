package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ParseInputTest {

    private static final long READ_AT = 1_767_225_600_123L;

    @Test
    void aParsedPriceTickCarriesTheTimeItsSourceReadIt() throws Exception {
        String payload = "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"pair\":\"BTC-USD\","
                + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"61234.56\"}";
        try (OneInputStreamOperatorTestHarness<InputRecord, PriceTick> h =
                ProcessFunctionTestHarnesses.forProcessFunction(ParseInput.prices(RiskConfig.defaults()))) {
            h.processElement(new InputRecord("prices", "prices/0@7", 0L, payload, READ_AT), 0L);

            assertThat(h.extractOutputValues()).singleElement().satisfies(tick -> {
                assertThat(tick.price()).isEqualTo(new BigDecimal("61234.56"));
                assertThat(tick.ingestedAt()).isEqualTo(READ_AT);
            });
        }
    }
}
