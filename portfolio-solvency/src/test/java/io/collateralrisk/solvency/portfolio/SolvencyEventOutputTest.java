package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the portfolio book decides, written as output records: every type matches its published schema. */
class SolvencyEventOutputTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}
            """);
    /** 2024-03-01T12:00:00Z. */
    private static final long NOON = 1_709_294_400_000L;

    private final PortfolioBook book = new PortfolioBook(CONFIG, "dev");

    private List<SolvencyEvent> price(String price, long t) {
        PairQuote quote = price == null ? null
                : new PairQuote("BTC-USD", EventIds.evaluationId("BTC-USD", t), t, new BigDecimal(price), new BigDecimal(price));
        return book.onQuote("BTC-USD", quote, t, EventIds.evaluationId("BTC-USD", t), false);
    }

    private static PositionBalances balances(String btc, String usd, String sol) {
        return new PositionBalances(Map.of("BTC", new BigDecimal(btc), "SOL", new BigDecimal(sol)), Map.of("USD", new BigDecimal(usd)),
                Map.of());
    }

    @Test
    void everyTypeTheBookEmitsMatchesItsSchema() {
        List<SolvencyEvent> events = new ArrayList<>();
        events.addAll(price("10000", NOON));
        events.addAll(book.apply(new PositionInstalled(NOON + 1, "W-1", 3, "P-1", "amm", balances("1", "7000", "2"), 1), false).events());
        events.addAll(book.apply(new PositionUpdated(NOON + 2, "W-1", 3, "P-1", balances("1", "7500", "2"), 2), false).events());
        events.addAll(price("9000", NOON + 3));
        events.addAll(price(null, NOON + 4));
        events.addAll(price("20000", NOON + 5));
        events.addAll(book.apply(new PositionInstalled(NOON + 6, "W-1", 3, "P-2", "lending", balances("0", "20000", "0"), 1), true).events());

        assertThat(events).extracting(SolvencyEvent::type).containsExactly(
                "PORTFOLIO_AT_RISK", "PORTFOLIO_INSOLVENT", "PORTFOLIO_UNVALUED", "PORTFOLIO_SOLVENT", "PORTFOLIO_INSOLVENT",
                SolvencyEvent.ACTION_WOULD_BE_INSOLVENT);
        for (SolvencyEvent e : events) {
            OutputRecord r = OutputRecord.of(e);
            OutputContract.assertValid(r.json());
            assertThat(r.topic()).isEqualTo(Topics.SOLVENCY);
            assertThat(r.key()).isEqualTo("W-1");
        }
        SolvencyEvent unvalued = events.get(2);
        assertThat(unvalued.unvaluedTokens()).containsExactly("BTC:PRICE_UNAVAILABLE");
        SolvencyEvent action = events.get(5);
        assertThat(action.appliedLate()).isTrue();
        assertThat(action.eventId()).isEqualTo(EventIds.of(SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, "W-1/3", NOON + 6, "P-2@1"));
    }
}
