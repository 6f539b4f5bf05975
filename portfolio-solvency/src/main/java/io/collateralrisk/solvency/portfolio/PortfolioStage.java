package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.config.RiskConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires portfolio solvency: reference prices broadcast to every subtask, portfolio events to their
 * wallet's shard ({@link PortfolioOperator}). A wallet shard per key group, so wallets spread over
 * every subtask at any parallelism up to the maxParallelism and a rescale moves whole shards.
 */
public final class PortfolioStage {

    public static final String UID = "portfolio-solvency";

    private PortfolioStage() {}

    /** What the stage emits. */
    public record Result(DataStream<SolvencyEvent> events, DataStream<DeadLetter> refused) {}

    public static Result apply(DataStream<ReferencePrice> prices, DataStream<PortfolioInput> events, RiskConfig config, String codeVersion) {
        DataStream<QuoteUpdate> quotes = prices
                .map(QuoteUpdate::of)
                .returns(TypeInformation.of(QuoteUpdate.class))
                .uid("portfolio-price-fan-out")
                .name("prices to portfolio subtasks");
        SingleOutputStreamOperator<SolvencyEvent> out = quotes
                .broadcast()
                .connect(events.keyBy(PortfolioInput::shardKey, Types.STRING))
                .transform("portfolio solvency", TypeInformation.of(SolvencyEvent.class), new PortfolioOperator(config, codeVersion))
                .uid(UID);
        return new Result(out, out.getSideOutput(PortfolioOperator.REFUSED));
    }
}
