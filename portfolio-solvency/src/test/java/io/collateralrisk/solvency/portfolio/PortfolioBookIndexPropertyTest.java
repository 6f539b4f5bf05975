package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The index against the plain way: two books fed the same seeded random history, one re-valuing
 * only the portfolios the index finds, the other every portfolio on every price; they must emit the
 * same records and hold the same states after every step.
 */
class PortfolioBookIndexPropertyTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              USDC: {scale: 6, varianceFactor: 1.02}
              SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}
              WBTC: {scale: 8, varianceFactor: 1.3, usdPair: BTC-USD}
            pairs: {ETH-USD: {}, USDC-USD: {}}
            """);
    private static final List<String> PAIRS = List.of("BTC-USD", "ETH-USD", "USDC-USD");
    private static final Map<String, BigDecimal> OPENING = Map.of(
            "BTC-USD", new BigDecimal("60000"), "ETH-USD", new BigDecimal("3000"), "USDC-USD", new BigDecimal("1"));
    private static final List<String> CREDIT_TOKENS = List.of("BTC", "ETH", "WBTC", "USD", "USDC");
    private static final List<String> DEBT_TOKENS = List.of("USDC", "USD", "ETH", "BTC");
    private static final int WALLETS = 60;
    private static final int STEPS = 1_500;

    private final PortfolioBook indexed = new PortfolioBook(CONFIG, "test");
    private final PortfolioBook plain = new PortfolioBook(CONFIG, "test");
    private final Map<String, BigDecimal> mid = new HashMap<>(OPENING);
    private final List<PositionInstalled> installed = new ArrayList<>();
    private final Map<String, Long> versions = new HashMap<>();
    private long t = 1_709_294_400_000L;
    private Random random;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void theIndexFindsEveryPortfolioAPriceMoveCanMove(long seed) {
        random = new Random(seed);
        for (String pair : PAIRS) {
            quote(pair, mid.get(pair), mid.get(pair));
        }
        for (int w = 0; w < WALLETS; w++) {
            for (int p = 0; p < 1 + random.nextInt(4); p++) {
                install("W-" + w, p);
            }
        }
        int transitions = 0;
        for (int step = 0; step < STEPS; step++) {
            t += 1_000;
            int dice = random.nextInt(100);
            String pair = PAIRS.get(random.nextInt(PAIRS.size()));
            if (dice < 82) {
                BigDecimal next = moved(mid.get(pair), 0.03);
                mid.put(pair, next);
                transitions += quote(pair, next, next);
            } else if (dice < 86) {
                // A divergence incident: credits at the low, debts at the high.
                BigDecimal low = moved(mid.get(pair), 0.01).min(mid.get(pair));
                BigDecimal high = moved(mid.get(pair), 0.01).max(mid.get(pair));
                transitions += quote(pair, low, high);
            } else if (dice < 89) {
                transitions += quote(pair, null, null);
            } else if (dice < 94) {
                update();
            } else if (dice < 97) {
                install("W-" + random.nextInt(WALLETS), random.nextInt(8));
            } else {
                uninstall();
            }
        }
        // The histories must have moved portfolios across thresholds, and the index must have saved work.
        assertThat(transitions).isGreaterThan(50);
        assertThat(indexed.revaluations()).isLessThan(plain.revaluations() / 3);
    }

    /** Sends one evaluation to both books; returns how many records it caused. */
    private int quote(String pair, BigDecimal credit, BigDecimal debt) {
        String evaluationId = EventIds.evaluationId(pair, t);
        PairQuote q = credit == null ? null : new PairQuote(pair, evaluationId, t, credit, debt);
        List<SolvencyEvent> fromIndex = indexed.onQuote(pair, q, t, evaluationId, false);
        List<SolvencyEvent> fromAll = plain.onQuote(pair, q, t, evaluationId, true);
        assertThat(fromIndex).as("records at %s on %s", t, pair).isEqualTo(fromAll);
        return fromAll.size();
    }

    private BigDecimal moved(BigDecimal price, double scale) {
        double r = (random.nextDouble() * 2 - 1) * scale;
        return price.multiply(BigDecimal.valueOf(1 + r)).setScale(8, RoundingMode.HALF_EVEN);
    }

    private void install(String wallet, int portfolio) {
        String position = "P-" + installed.size();
        long version = 1 + random.nextInt(3);
        PositionInstalled e = new PositionInstalled(t, wallet, portfolio, position, "amm", balances(), version);
        installed.add(e);
        if (apply(e)) {
            versions.put(wallet + "/" + position, version);
        }
    }

    private void update() {
        PositionInstalled i = installed.get(random.nextInt(installed.size()));
        Long version = versions.get(i.wallet() + "/" + i.position());
        if (version == null) {
            return;
        }
        version += 1;
        apply(new PositionUpdated(t, i.wallet(), i.portfolio(), i.position(), balances(), version));
        versions.put(i.wallet() + "/" + i.position(), version);
    }

    private void uninstall() {
        PositionInstalled i = installed.get(random.nextInt(installed.size()));
        Long version = versions.remove(i.wallet() + "/" + i.position());
        if (version != null) {
            apply(new PositionUninstalled(t, i.wallet(), i.portfolio(), i.position(), version + 1));
        }
    }

    private boolean apply(io.collateralrisk.model.PortfolioEvent e) {
        PortfolioOutcome a = indexed.apply(e, false);
        PortfolioOutcome b = plain.apply(e, false);
        assertThat(a).isEqualTo(b);
        return a.kind() == PortfolioOutcome.Kind.APPLIED;
    }

    /** Balances near the thresholds: credit in one or two tokens, debt sized to a utilization around 0.8 to 1.1. */
    private PositionBalances balances() {
        Map<String, BigDecimal> credits = new HashMap<>();
        Map<String, BigDecimal> debts = new HashMap<>();
        Map<String, BigDecimal> deltas = new HashMap<>();
        String creditToken = CREDIT_TOKENS.get(random.nextInt(CREDIT_TOKENS.size()));
        BigDecimal creditUsd = BigDecimal.valueOf(1_000 + random.nextInt(100_000));
        credits.put(creditToken, amountOf(creditToken, creditUsd));
        String debtToken = DEBT_TOKENS.get(random.nextInt(DEBT_TOKENS.size()));
        double target = 0.55 + random.nextDouble() * 0.3;
        BigDecimal debtUsd = creditUsd.multiply(BigDecimal.valueOf(target));
        debts.put(debtToken, amountOf(debtToken, debtUsd));
        if (random.nextInt(4) == 0) {
            deltas.put(debtToken, amountOf(debtToken, debtUsd.movePointLeft(2)));
        }
        if (random.nextInt(5) == 0) {
            credits.put("SOL", BigDecimal.valueOf(10 + random.nextInt(10)));
            debts.put("SOL", BigDecimal.valueOf(2 + random.nextInt(8)));
        }
        return new PositionBalances(credits, debts, deltas);
    }

    private BigDecimal amountOf(String token, BigDecimal usd) {
        String pair = CONFIG.asset(token).usdPair();
        BigDecimal price = token.equals("USD") ? BigDecimal.ONE : mid.get(pair);
        return usd.divide(price, 6, RoundingMode.DOWN);
    }
}
