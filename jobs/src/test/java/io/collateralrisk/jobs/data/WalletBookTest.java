package io.collateralrisk.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.PortfolioEvent;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.AssetConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated wallet book read back through the job's own parser and replayed into a plain
 * book here, valued with the spec's formula restated (not the generator's arithmetic): what a
 * demo run will be fed.
 */
class WalletBookTest {

    private static final long SEED = 20230310L;
    private static final RiskConfig CONFIG = WalletBook.config();
    private static final MathContext MC = MathContext.DECIMAL128;

    // BTC-USD as the bundled data has it (median close of the three venues).
    private static final BigDecimal INSTALL_LOW = new BigDecimal("21400"); // below anything until 17:30 on 9 March
    private static final BigDecimal INSTALL_HIGH = new BigDecimal("21850");
    private static final BigDecimal OPEN_LOW = new BigDecimal("21657.59"); // 00:00 to 06:00 on 9 March
    private static final BigDecimal OPEN_HIGH = new BigDecimal("21797.50");
    private static final BigDecimal DROP = new BigDecimal("19700"); // crossed on 10 March 10:43, low 19,594.56
    private static final BigDecimal RALLY = new BigDecimal("26000"); // crossed on 14 March 12:54, high 26,519.80
    private static final BigDecimal PEG = BigDecimal.ONE;

    private static WalletBook book;
    private static Replayed replayed;

    @BeforeAll
    static void generate() throws InvalidInputException {
        book = WalletBook.generate(SEED, WalletBookGenerator.DEFAULT_WALLETS);
        replayed = replay(book.events());
    }

    private record Live(int portfolio, PositionBalances balances, long version) {}

    /** The book as a portfolio manager keeps it, with what went wrong on the way. */
    private static final class Replayed {
        final Map<String, Map<String, Live>> wallets = new TreeMap<>();
        final Map<String, Long> lastVersion = new HashMap<>();
        final Map<String, Integer> refused = new TreeMap<>();
        final Map<String, Integer> types = new TreeMap<>();
        final Set<String> portfolios = new TreeSet<>();
        final Set<String> tokens = new TreeSet<>();
        int positions;
        int maxLive;
        int wronglyScaled;
        int actionsToInsolvency;
        long previousTime = Long.MIN_VALUE;
        boolean inOrder = true;

        Map<String, Live> wallet(String w) {
            return wallets.computeIfAbsent(w, k -> new TreeMap<>());
        }

        void refuse(String reason) {
            refused.merge(reason, 1, Integer::sum);
        }
    }

    private static Replayed replay(List<String> lines) throws InvalidInputException {
        InputParser parser = new InputParser(CONFIG);
        Replayed r = new Replayed();
        for (String line : lines) {
            PortfolioEvent e = parser.parsePortfolio(line);
            assertThat(WalletBook.key(line)).isEqualTo(e.wallet());
            r.inOrder &= e.eventTime() >= r.previousTime;
            r.previousTime = e.eventTime();
            String key = e.wallet() + "/" + e.position();
            assertThat(e.version()).as("versions of %s rise", key).isGreaterThan(r.lastVersion.getOrDefault(key, 0L));
            r.lastVersion.put(key, e.version());
            Map<String, Live> wallet = r.wallet(e.wallet());
            if (e instanceof PositionRecordRefused refused) {
                r.types.merge(refused.type(), 1, Integer::sum);
                r.refuse(refused.reason());
            } else if (e instanceof PositionInstalled i) {
                r.types.merge("POSITION_INSTALLED", 1, Integer::sum);
                assertThat(wallet).as("no second install of a live position").doesNotContainKey(i.position());
                int p = i.portfolio();
                Cross before = cross(wallet, p);
                wallet.put(i.position(), new Live(p, i.balances(), i.version()));
                r.actionsToInsolvency += wouldBeInsolvent(before, cross(wallet, p)) ? 1 : 0;
                r.positions++;
                r.portfolios.add(i.wallet() + "#" + p);
                r.maxLive = Math.max(r.maxLive, (int) wallet.values().stream().filter(l -> l.portfolio() == p).count());
                r.wronglyScaled += wronglyScaled(i.balances(), r.tokens);
            } else if (e instanceof PositionUpdated u) {
                r.types.merge("POSITION_UPDATED", 1, Integer::sum);
                if (!wallet.containsKey(u.position())) {
                    r.refuse("UNKNOWN_POSITION");
                } else {
                    assertThat(wallet.get(u.position()).portfolio()).isEqualTo(u.portfolio());
                    wallet.put(u.position(), new Live(u.portfolio(), u.balances(), u.version()));
                    r.wronglyScaled += wronglyScaled(u.balances(), r.tokens);
                }
            } else if (e instanceof PositionUninstalled u) {
                r.types.merge("POSITION_UNINSTALLED", 1, Integer::sum);
                if (!wallet.containsKey(u.position())) {
                    r.refuse("UNKNOWN_POSITION");
                } else {
                    Cross before = cross(wallet, u.portfolio());
                    wallet.remove(u.position());
                    r.actionsToInsolvency += wouldBeInsolvent(before, cross(wallet, u.portfolio())) ? 1 : 0;
                }
            }
        }
        return r;
    }

    private static int wronglyScaled(PositionBalances b, Set<String> tokens) {
        int wrong = 0;
        for (Map<String, BigDecimal> amounts : List.of(b.credits(), b.debts(), b.deltas())) {
            for (Map.Entry<String, BigDecimal> e : amounts.entrySet()) {
                tokens.add(e.getKey());
                wrong += e.getValue().scale() == CONFIG.scale(e.getKey()) && e.getValue().signum() > 0 ? 0 : 1;
            }
        }
        return wrong;
    }

    /** A portfolio's summed balances per token: credits, and debts plus deltas. */
    private record Cross(Map<String, BigDecimal> credit, Map<String, BigDecimal> debt) {}

    private static Cross cross(Map<String, Live> wallet, int portfolio) {
        Map<String, BigDecimal> c = new TreeMap<>();
        Map<String, BigDecimal> d = new TreeMap<>();
        for (Live l : wallet.values()) {
            if (l.portfolio() == portfolio) {
                l.balances().credits().forEach((t, a) -> c.merge(t, a, BigDecimal::add));
                l.balances().debts().forEach((t, a) -> d.merge(t, a, BigDecimal::add));
                l.balances().deltas().forEach((t, a) -> d.merge(t, a, BigDecimal::add));
            }
        }
        return new Cross(c, d);
    }

    /**
     * The spec's utilization: {@code sum(VD x P) / sum(VC x P)} over cross-margined tokens, and
     * {@code VD / VC} of each tail token; the worst of them. Infinite as a null-free huge number.
     */
    private static BigDecimal utilization(Cross x, BigDecimal btc, BigDecimal usdc) {
        Map<String, BigDecimal> price = Map.of("BTC", btc, "USDC", usdc, "USD", BigDecimal.ONE);
        BigDecimal vd = BigDecimal.ZERO;
        BigDecimal vc = BigDecimal.ZERO;
        BigDecimal worst = BigDecimal.ZERO;
        Set<String> tokens = new TreeSet<>(x.credit().keySet());
        tokens.addAll(x.debt().keySet());
        for (String t : tokens) {
            AssetConfig a = CONFIG.asset(t);
            BigDecimal v = a.varianceFactor();
            BigDecimal tokenVc = x.credit().getOrDefault(t, BigDecimal.ZERO).divide(v, MC);
            BigDecimal tokenVd = x.debt().getOrDefault(t, BigDecimal.ZERO).multiply(v);
            if (a.crossMargin()) {
                vc = vc.add(tokenVc.multiply(price.get(t)));
                vd = vd.add(tokenVd.multiply(price.get(t)));
            } else {
                worst = worst.max(ratio(tokenVd, tokenVc));
            }
        }
        return worst.max(ratio(vd, vc));
    }

    private static BigDecimal ratio(BigDecimal debt, BigDecimal credit) {
        if (debt.signum() == 0) {
            return BigDecimal.ZERO;
        }
        return credit.signum() == 0 ? new BigDecimal("1E+9") : debt.divide(credit, MC);
    }

    /**
     * The highest utilization over BTC-USD and USDC-USD as they stood while the book was built:
     * a long's at the lowest BTC and highest USDC, a short's at the opposite corner (a portfolio
     * is one or the other, and a tail token needs no price).
     */
    private static BigDecimal worstWhileBuilt(Cross x) {
        return utilization(x, INSTALL_LOW, new BigDecimal("1.003")).max(utilization(x, INSTALL_HIGH, new BigDecimal("0.997")));
    }

    private static boolean wouldBeInsolvent(Cross before, Cross after) {
        BigDecimal u = worstWhileBuilt(after);
        return u.compareTo(BigDecimal.ONE) >= 0 && u.compareTo(worstWhileBuilt(before)) > 0;
    }

    @Test
    void everyRecordParsesAndOnlyTheDeliberateOnesAreRefused() {
        // Refused by the parser (UNKNOWN_TOKEN, LIMIT_EXCEEDED) or by the book (UNKNOWN_POSITION): one each, nothing else.
        assertThat(replayed.refused).isEqualTo(WalletBook.DELIBERATE_DEAD_LETTERS);
        assertThat(replayed.types).isEqualTo(book.summary().recordsByType());
        assertThat(book.events()).hasSize(book.summary().records());
    }

    @Test
    void theLimitsHoldAndAreReached() {
        Map<String, Integer> perWallet = new HashMap<>();
        replayed.portfolios.forEach(p -> perWallet.merge(p.substring(0, p.indexOf('#')), 1, Integer::sum));
        assertThat(perWallet).hasSize(WalletBookGenerator.DEFAULT_WALLETS);
        assertThat(perWallet.values()).allMatch(n -> n >= 1 && n <= 8).contains(1, 8);
        assertThat(replayed.maxLive).isEqualTo(CONFIG.solvency().maxPositionsPerPortfolio());
        assertThat(replayed.portfolios).hasSize(book.summary().portfolios());
        assertThat(replayed.positions).isEqualTo(book.summary().positions());
    }

    @Test
    void amountsAreExactAtEachTokensScaleOverBtcTheStablecoinAndTheTailToken() {
        assertThat(replayed.tokens).containsExactly("BTC", "TAIL", "USDC");
        assertThat(replayed.wronglyScaled).isZero();
        assertThat(CONFIG.asset("TAIL").crossMargin()).isFalse();
        assertThat(CONFIG.asset("USDC").crossMargin()).isTrue();
        assertThat(book.summary().positionsByToken().keySet()).containsExactly("BTC", "TAIL", "USDC");
    }

    @Test
    void eventTimesAreInOrderOnTheFirstBundledDayBeforeTheDrop() {
        assertThat(replayed.inOrder).isTrue();
        assertThat(book.summary().firstEventTime()).isGreaterThanOrEqualTo(Times.parseIso("2023-03-09T00:05:00Z"));
        // BTC-USD is still above 21,400 until 17:30; it starts its fall in the evening.
        assertThat(book.summary().lastEventTime()).isLessThan(Times.parseIso("2023-03-09T17:30:00Z"));
    }

    @Test
    void noInstallOrUninstallTakesAPortfolioToInsolvency() {
        assertThat(replayed.actionsToInsolvency).isZero();
    }

    @Test
    void theBundledPriceMovesTakeSomePortfoliosToAtRiskAndSomeToInsolvent() {
        int atRiskAtOpen = 0;
        int atRiskOnDrop = 0;
        int insolventOnDrop = 0;
        int atRiskOnRally = 0;
        int insolventOnRally = 0;
        int tailInsolvent = 0;
        for (String p : replayed.portfolios) {
            String wallet = p.substring(0, p.indexOf('#'));
            Cross all = cross(replayed.wallets.get(wallet), Integer.parseInt(p.substring(p.indexOf('#') + 1)));
            Cross x = without(all, "TAIL");
            BigDecimal open = utilization(x, OPEN_LOW, PEG).max(utilization(x, OPEN_HIGH, PEG));
            String atOpen = state(open);
            assertThat(atOpen).as("%s at the opening prices", p).isNotEqualTo("INSOLVENT");
            atRiskAtOpen += atOpen.equals("AT_RISK") ? 1 : 0;
            String drop = state(utilization(x, DROP, PEG));
            String rally = state(utilization(x, RALLY, PEG));
            atRiskOnDrop += atOpen.equals("SOLVENT") && drop.equals("AT_RISK") ? 1 : 0;
            insolventOnDrop += drop.equals("INSOLVENT") ? 1 : 0;
            atRiskOnRally += atOpen.equals("SOLVENT") && rally.equals("AT_RISK") ? 1 : 0;
            insolventOnRally += rally.equals("INSOLVENT") ? 1 : 0;
            BigDecimal tail = utilization(without(all, "BTC", "USDC"), BigDecimal.ONE, BigDecimal.ONE);
            tailInsolvent += tail.compareTo(BigDecimal.ONE) >= 0 ? 1 : 0;
        }
        // Exactly as planned, in the cross-margined set: the drop moves the longs, the rally the shorts.
        Map<WalletBook.Profile, Integer> planned = book.summary().portfoliosByProfile();
        assertThat(atRiskAtOpen).isEqualTo(planned.get(WalletBook.Profile.LONG_INSOLVENT));
        assertThat(atRiskOnDrop).isEqualTo(planned.get(WalletBook.Profile.LONG_AT_RISK)).isPositive();
        assertThat(insolventOnDrop).isEqualTo(planned.get(WalletBook.Profile.LONG_INSOLVENT)).isPositive();
        assertThat(atRiskOnRally).isEqualTo(planned.get(WalletBook.Profile.SHORT_AT_RISK)).isPositive();
        assertThat(insolventOnRally).isEqualTo(planned.get(WalletBook.Profile.SHORT_INSOLVENT)).isPositive();
        // Only accruing interest takes a tail token to 1, with no price move.
        assertThat(tailInsolvent).isEqualTo(book.summary().tailFailing()).isPositive();
    }

    private static String state(BigDecimal u) {
        return u.compareTo(BigDecimal.ONE) >= 0 ? "INSOLVENT" : u.compareTo(new BigDecimal("0.90")) >= 0 ? "AT_RISK" : "SOLVENT";
    }

    private static Cross without(Cross x, String... tokens) {
        Map<String, BigDecimal> c = new TreeMap<>(x.credit());
        Map<String, BigDecimal> d = new TreeMap<>(x.debt());
        for (String t : tokens) {
            c.remove(t);
            d.remove(t);
        }
        return new Cross(c, d);
    }

    @Test
    void theSummaryNamesWhatWasGenerated() {
        WalletBook.Summary s = book.summary();
        assertThat(s.wallets()).isEqualTo(2_000);
        assertThat(s.portfoliosByProfile().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(s.portfolios());
        String text = s.render();
        assertThat(text).contains(String.format(java.util.Locale.ROOT, "%,d wallets, %,d portfolios, %,d positions (seed %d)", 2_000, s.portfolios(), s.positions(), SEED))
                .contains("TAIL is a tail token").contains("UNKNOWN_POSITION 1");
        assertThat(text.lines()).allMatch(l -> l.length() <= 120, "lines of a terminal's width");
    }

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOtherOnes(@TempDir Path tmp) throws IOException {
        WalletBookGenerator.Written a = WalletBookGenerator.write(tmp.resolve("a"), SEED, 200);
        WalletBookGenerator.Written b = WalletBookGenerator.write(tmp.resolve("b"), SEED, 200);
        WalletBookGenerator.Written c = WalletBookGenerator.write(tmp.resolve("c"), SEED + 1, 200);
        assertThat(a.portfolioEvents().getFileName().toString()).isEqualTo("portfolio-events.jsonl");
        assertThat(a.custodySnapshots().getFileName().toString()).isEqualTo("custody-snapshots.jsonl");
        assertThat(Files.mismatch(a.portfolioEvents(), b.portfolioEvents())).isEqualTo(-1L);
        assertThat(Files.mismatch(a.custodySnapshots(), b.custodySnapshots())).isEqualTo(-1L);
        assertThat(Files.mismatch(a.portfolioEvents(), c.portfolioEvents())).isNotEqualTo(-1L);
        assertThat(Files.mismatch(a.custodySnapshots(), c.custodySnapshots())).isNotEqualTo(-1L);
        assertThat(Files.readAllLines(a.portfolioEvents())).isEqualTo(a.book().events());
        assertThat(a.summary()).contains("Wallet book: 200 wallets").contains("Custody snapshots:");
    }

    @Test
    void aSmallBookStillCarriesEveryDeliberateRecord() throws InvalidInputException {
        Replayed small = replay(WalletBook.generate(7, 3).events());
        assertThat(small.refused).isEqualTo(WalletBook.DELIBERATE_DEAD_LETTERS);
        assertThat(new ArrayList<>(small.wallets.keySet())).containsExactly("W-000001", "W-000002", "W-000003");
    }
}
