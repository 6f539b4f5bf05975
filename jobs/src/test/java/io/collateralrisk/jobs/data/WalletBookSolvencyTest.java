package io.collateralrisk.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import io.collateralrisk.solvency.portfolio.PortfolioBook;
import io.collateralrisk.solvency.portfolio.PortfolioOutcome;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The generated wallet book through the project's own portfolio rules ({@link PortfolioBook}), at
 * BTC-USD prices the bundled days cross: what the demo's {@code risk.solvency} and dead letters
 * will show.
 */
class WalletBookSolvencyTest {

    private static final RiskConfig CONFIG = WalletBook.config();

    private final PortfolioBook book = new PortfolioBook(CONFIG, "test");

    private List<SolvencyEvent> price(String pair, String price, String time) {
        long t = Times.parseIso(time);
        BigDecimal p = new BigDecimal(price);
        String evaluationId = EventIds.evaluationId(pair, t);
        return book.onPrice(new ReferencePrice(
                "ref-" + pair + "-" + t, evaluationId, t, pair, PriceStatus.OK, p, p, p, p, false, List.of(), List.of(), CONFIG.configHash()));
    }

    private static Map<String, Integer> types(List<SolvencyEvent> events) {
        Map<String, Integer> types = new TreeMap<>();
        events.forEach(e -> types.merge(e.type(), 1, Integer::sum));
        return types;
    }

    @Test
    void theDropAndTheRallyMovePortfoliosAndOnlyTheDeliberateRecordsAreRefused() throws InvalidInputException {
        WalletBook generated = WalletBook.generate(20230310L, WalletBookGenerator.DEFAULT_WALLETS);
        WalletBook.Summary summary = generated.summary();
        Map<WalletBook.Profile, Integer> planned = summary.portfoliosByProfile();
        int tailFailing = summary.tailFailing();

        price("BTC-USD", "21700", "2023-03-09T00:04:00Z");
        price("USDC-USD", "1.00000000", "2023-03-09T00:04:00Z");
        InputParser parser = new InputParser(CONFIG);
        Map<String, Integer> refused = new TreeMap<>();
        Map<PortfolioOutcome.Kind, Integer> kinds = new TreeMap<>();
        List<SolvencyEvent> built = new java.util.ArrayList<>();
        for (String line : generated.events()) {
            PortfolioOutcome outcome = book.apply(parser.parsePortfolio(line), false);
            kinds.merge(outcome.kind(), 1, Integer::sum);
            if (outcome.kind() == PortfolioOutcome.Kind.REFUSED) {
                refused.merge(outcome.reason(), 1, Integer::sum);
            }
            built.addAll(outcome.events());
        }
        assertThat(refused).isEqualTo(WalletBook.DELIBERATE_DEAD_LETTERS);
        assertThat(kinds).doesNotContainKey(PortfolioOutcome.Kind.STALE);
        // While the book is built only the longs planned near insolvency and the failing tail positions leave SOLVENT,
        // and only accruing interest makes a portfolio insolvent; no install or uninstall does.
        Map<String, Integer> whileBuilt = types(built);
        assertThat(whileBuilt).doesNotContainKey("ACTION_WOULD_BE_INSOLVENT").containsEntry("PORTFOLIO_INSOLVENT", tailFailing);
        assertThat(whileBuilt.get("PORTFOLIO_AT_RISK")).isBetween(planned.get(WalletBook.Profile.LONG_INSOLVENT),
                planned.get(WalletBook.Profile.LONG_INSOLVENT) + tailFailing);

        // 10 March: BTC-USD below 19,700.
        Map<String, Integer> drop = types(price("BTC-USD", "19700", "2023-03-10T10:43:00Z"));
        assertThat(drop.get("PORTFOLIO_AT_RISK")).isBetween(planned.get(WalletBook.Profile.LONG_AT_RISK) - tailFailing,
                planned.get(WalletBook.Profile.LONG_AT_RISK));
        assertThat(drop.get("PORTFOLIO_INSOLVENT")).isBetween(planned.get(WalletBook.Profile.LONG_INSOLVENT) - tailFailing,
                planned.get(WalletBook.Profile.LONG_INSOLVENT));

        // 14 March: back up and beyond 26,000; the longs recover, the shorts do not.
        price("BTC-USD", "21700", "2023-03-13T00:00:00Z");
        Map<String, Integer> rally = types(price("BTC-USD", "26000", "2023-03-14T12:54:00Z"));
        assertThat(rally.get("PORTFOLIO_AT_RISK")).isBetween(planned.get(WalletBook.Profile.SHORT_AT_RISK) - tailFailing,
                planned.get(WalletBook.Profile.SHORT_AT_RISK));
        assertThat(rally.get("PORTFOLIO_INSOLVENT")).isBetween(planned.get(WalletBook.Profile.SHORT_INSOLVENT) - tailFailing,
                planned.get(WalletBook.Profile.SHORT_INSOLVENT));
        assertThat(rally).doesNotContainKey("ACTION_WOULD_BE_INSOLVENT");
    }
}
