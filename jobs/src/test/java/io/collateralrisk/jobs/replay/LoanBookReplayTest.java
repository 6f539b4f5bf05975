package io.collateralrisk.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.data.LoanBook;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoanBookReplayTest {

    @Test
    void smoke(@TempDir Path dir) throws Exception {
        List<String> ticks = BundledPrices.exchangeTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USD);
        ReplayFixtures.write(dir, Topics.PRICES, ticks.subList(0, 3000));
        LoanBook book = new LoanBook(42, 20, "BTC-USD", new BigDecimal("21700"), Times.parseIso("2023-03-09T00:00:00Z"),
                new BigDecimal("0.40"), new BigDecimal("0.95"));
        ReplayFixtures.write(dir, Topics.FACILITY_EVENTS, book.events());
        Replay.Result r = new Replay(RiskConfig.defaults(), 2).run(dir);
        r.topic(Topics.MARGIN_CALLS).forEach(o -> System.out.println("MC " + o.json().substring(0, Math.min(200, o.json().length()))));
        r.topic(Topics.LTV).stream().limit(3).forEach(o -> System.out.println("LT " + o.json()));
        System.out.println("LTV " + r.topic(Topics.LTV).size() + " MC " + r.topic(Topics.MARGIN_CALLS).size());
        assertThat(r.topic(Topics.MARGIN_CALLS)).isNotEmpty();
    }
}
