package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several pairs moving at one instant ({@link PortfolioBook#onQuotes}): the index against
 * re-valuing every portfolio once at all of the instant's quotes. The records may name another of
 * the instant's evaluations as their cause, but the transitions and every state must be the same.
 */
class PortfolioBookInstantPropertyTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              USDC: {scale: 6, varianceFactor: 1.02}
            pairs: {ETH-USD: {}, USDC-USD: {}}
            """);
    private static final List<String> PAIRS = List.of("BTC-USD", "ETH-USD", "USDC-USD");
    private static final List<String> TOKENS = List.of("BTC", "ETH", "USDC", "USD");
    private static final int WALLETS = 80;
    private static final int STEPS = 600;

    private final PortfolioBook indexed = new PortfolioBook(CONFIG, "test");
    private final PortfolioBook plain = new PortfolioBook(CONFIG, "test");
    private final Map<String, BigDecimal> mid = new HashMap<>(Map.of(
            "BTC-USD", new BigDecimal("60000"), "ETH-USD", new BigDecimal("3000"), "USDC-USD", new BigDecimal("1")));
    private long t = 1_709_294_400_000L;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 99, 2026})
    void pairsMovingTogetherMoveEveryPortfolioTheyCanAndNoOther(long seed) {
        Random random = new Random(seed);
        instant(PAIRS.stream().map(p -> quote(p, mid.get(p))).toList());
        List<PortfolioId> portfolios = new ArrayList<>();
        for (int w = 0; w < WALLETS; w++) {
            PortfolioId id = new PortfolioId("W-" + w, random.nextInt(8));
            portfolios.add(id);
            PositionInstalled e = new PositionInstalled(t, id.wallet(), id.portfolio(), "P-" + w, "amm", balances(random), 1);
            assertThat(indexed.apply(e, false)).isEqualTo(plain.apply(e, false));
        }
        int transitions = 0;
        for (int step = 0; step < STEPS; step++) {
            t += 1_000;
            List<String> moving = new ArrayList<>(PAIRS);
            Collections.shuffle(moving, random);
            List<QuoteUpdate> quotes = new ArrayList<>();
            for (String pair : moving.subList(0, 1 + random.nextInt(PAIRS.size()))) {
                if (random.nextInt(30) == 0) {
                    quotes.add(new QuoteUpdate(pair, t, EventIds.evaluationId(pair, t), null));
                    continue;
                }
                double r = (random.nextDouble() * 2 - 1) * 0.03;
                mid.put(pair, mid.get(pair).multiply(BigDecimal.valueOf(1 + r)).setScale(8, RoundingMode.HALF_EVEN));
                quotes.add(quote(pair, mid.get(pair)));
            }
            transitions += instant(quotes);
            for (PortfolioId id : portfolios) {
                assertThat(indexed.state(id)).as("%s at %s", id, t).isEqualTo(plain.state(id));
            }
        }
        assertThat(transitions).isGreaterThan(20);
        assertThat(indexed.revaluations()).isLessThan(plain.revaluations() / 3);
    }

    private int instant(List<QuoteUpdate> quotes) {
        List<SolvencyEvent> fromIndex = indexed.onQuotes(quotes);
        List<SolvencyEvent> fromAll = plain.onQuotes(quotes, true);
        assertThat(fromIndex.stream().map(PortfolioBookInstantPropertyTest::transition).sorted().toList())
                .as("transitions at %s", t)
                .isEqualTo(fromAll.stream().map(PortfolioBookInstantPropertyTest::transition).sorted().toList());
        return fromAll.size();
    }

    private static String transition(SolvencyEvent e) {
        return e.wallet() + "/" + e.portfolio() + ":" + e.previousState() + "->" + e.state() + "@" + e.utilization();
    }

    private QuoteUpdate quote(String pair, BigDecimal price) {
        String evaluationId = EventIds.evaluationId(pair, t);
        return new QuoteUpdate(pair, t, evaluationId, new PairQuote(pair, evaluationId, t, price, price));
    }

    /** Credit in one token, debt in another, sized to a utilization around 0.55 to 0.95 at the opening prices. */
    private PositionBalances balances(Random random) {
        String credit = TOKENS.get(random.nextInt(TOKENS.size()));
        String debt = TOKENS.get(random.nextInt(TOKENS.size()));
        BigDecimal creditUsd = BigDecimal.valueOf(1_000 + random.nextInt(100_000));
        BigDecimal debtUsd = creditUsd.multiply(BigDecimal.valueOf(0.55 + random.nextDouble() * 0.4));
        return new PositionBalances(Map.of(credit, amountOf(credit, creditUsd)), Map.of(debt, amountOf(debt, debtUsd)), Map.of());
    }

    private BigDecimal amountOf(String token, BigDecimal usd) {
        if (token.equals("USD")) {
            return usd.setScale(2, RoundingMode.DOWN);
        }
        BigDecimal price = mid.get(CONFIG.asset(token).usdPair());
        return usd.divide(price, 8, RoundingMode.DOWN);
    }
}
