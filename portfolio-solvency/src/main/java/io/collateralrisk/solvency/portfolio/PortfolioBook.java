package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.PortfolioEvent;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The portfolios of a set of wallets and the latest USD prices, without Flink: a thin operator
 * ({@link PortfolioOperator}, one book per wallet shard) calls {@link #apply} per
 * {@code portfolio-events} record and {@link #onQuotes} per instant of the price clock, keeps what
 * {@link #exportWallet} gives in its durable state, and emits what they return.
 *
 * <pre>
 * portfolio event --version check--&gt; stale (counted) | refused (dead letter) | applied
 *                                       applied: re-value the portfolio, transition, maybe ACTION_WOULD_BE_INSOLVENT
 * reference price --&gt; pair gains or loses its price: re-value every holder of the pair
 *                  --&gt; otherwise: re-value only the portfolios whose band the move reaches ({@link PriceBandIndex})
 * </pre>
 *
 * Per position, the version is checked first: a record not newer than the last applied version is
 * a no-op whatever else is wrong with it. Then, in order: a refused record's own reason; an
 * install of a live position ({@code ALREADY_INSTALLED}) or into a full portfolio
 * ({@code LIMIT_EXCEEDED}); an update or uninstall of a position not live
 * ({@code UNKNOWN_POSITION}) or naming another portfolio than the one it lives in
 * ({@code PORTFOLIO_MISMATCH}). A portfolio starts {@code SOLVENT} with its first install and is
 * forgotten when its last position is uninstalled (after its transition, if any, is emitted); the
 * last version of every position id is kept so that an old record cannot resurrect it.
 */
public final class PortfolioBook implements PriceLookup {

    private final RiskConfig config;
    private final String codeVersion;
    private final PortfolioValuer valuer;
    private final SolvencyRules rules;

    private final Map<String, Wallet> wallets = new HashMap<>();
    private final Map<String, PairQuote> quotes = new HashMap<>();
    private final Set<String> evaluated = new HashSet<>();
    private final PriceBandIndex<PortfolioId> index = new PriceBandIndex<>();
    /** Portfolios re-valued so far: the work prices and events cost. */
    private long revaluations;

    public PortfolioBook(RiskConfig config, String codeVersion) {
        this.config = config;
        this.codeVersion = codeVersion;
        this.valuer = new PortfolioValuer(config);
        this.rules = new SolvencyRules(config.solvency());
    }

    /** The positions of one wallet. */
    private static final class Wallet {
        /** Last applied version of every position id ever applied, live or uninstalled. */
        final Map<String, Long> versions = new HashMap<>();
        /** Live position to the portfolio it lives in. */
        final Map<String, Integer> live = new HashMap<>();
        final Map<Integer, Portfolio> portfolios = new TreeMap<>();
    }

    /** One portfolio's live positions and state. */
    private static final class Portfolio {
        final TreeMap<String, Position> positions = new TreeMap<>();
        SolvencyState state = SolvencyState.SOLVENT;
    }

    private record Position(long version, PositionBalances balances) {}

    // ---------------------------------------------------------------- portfolio events

    /** Applies one record; {@code appliedLate} when the price clock had already passed its event time. */
    public PortfolioOutcome apply(PortfolioEvent event, boolean appliedLate) {
        Wallet wallet = wallets.get(event.wallet());
        Long last = wallet == null ? null : wallet.versions.get(event.position());
        if (last != null && event.version() <= last) {
            return PortfolioOutcome.stale();
        }
        if (event instanceof PositionRecordRefused r) {
            return PortfolioOutcome.refused(r.reason(), r.detail());
        }
        if (event instanceof PositionInstalled i) {
            return install(wallet, i, appliedLate);
        }
        if (event instanceof PositionUpdated u) {
            return update(wallet, u, appliedLate);
        }
        return uninstall(wallet, (PositionUninstalled) event, appliedLate);
    }

    private PortfolioOutcome install(Wallet wallet, PositionInstalled e, boolean appliedLate) {
        if (wallet != null && wallet.live.containsKey(e.position())) {
            return PortfolioOutcome.refused(
                    "ALREADY_INSTALLED", "position " + e.position() + " is live in portfolio " + wallet.live.get(e.position()));
        }
        Portfolio portfolio = wallet == null ? null : wallet.portfolios.get(e.portfolio());
        int limit = config.solvency().maxPositionsPerPortfolio();
        if (portfolio != null && portfolio.positions.size() >= limit) {
            return PortfolioOutcome.refused(
                    "LIMIT_EXCEEDED", "portfolio " + e.portfolio() + " already holds " + limit + " positions");
        }
        if (wallet == null) {
            wallet = new Wallet();
            wallets.put(e.wallet(), wallet);
        }
        if (portfolio == null) {
            portfolio = new Portfolio();
            wallet.portfolios.put(e.portfolio(), portfolio);
        }
        PortfolioValuation before = value(portfolio);
        portfolio.positions.put(e.position(), new Position(e.version(), e.balances()));
        wallet.versions.put(e.position(), e.version());
        wallet.live.put(e.position(), e.portfolio());
        return PortfolioOutcome.applied(afterAction(
                new PortfolioId(e.wallet(), e.portfolio()), portfolio, before, "INSTALL", e.position(), e.eventTime(),
                cause(e), appliedLate));
    }

    private PortfolioOutcome update(Wallet wallet, PositionUpdated e, boolean appliedLate) {
        String refusal = liveIn(wallet, e.position(), e.portfolio());
        if (refusal != null) {
            return refused(refusal, e.position(), e.portfolio(), wallet);
        }
        Portfolio portfolio = wallet.portfolios.get(e.portfolio());
        portfolio.positions.put(e.position(), new Position(e.version(), e.balances()));
        wallet.versions.put(e.position(), e.version());
        PortfolioId id = new PortfolioId(e.wallet(), e.portfolio());
        List<SolvencyEvent> events = new ArrayList<>();
        revalue(id, portfolio, e.eventTime(), cause(e), appliedLate, events);
        return PortfolioOutcome.applied(events);
    }

    private PortfolioOutcome uninstall(Wallet wallet, PositionUninstalled e, boolean appliedLate) {
        String refusal = liveIn(wallet, e.position(), e.portfolio());
        if (refusal != null) {
            return refused(refusal, e.position(), e.portfolio(), wallet);
        }
        Portfolio portfolio = wallet.portfolios.get(e.portfolio());
        PortfolioValuation before = value(portfolio);
        portfolio.positions.remove(e.position());
        wallet.versions.put(e.position(), e.version());
        wallet.live.remove(e.position());
        PortfolioId id = new PortfolioId(e.wallet(), e.portfolio());
        List<SolvencyEvent> events = afterAction(id, portfolio, before, "UNINSTALL", e.position(), e.eventTime(), cause(e), appliedLate);
        if (portfolio.positions.isEmpty()) {
            wallet.portfolios.remove(e.portfolio());
            index.remove(id);
        }
        return PortfolioOutcome.applied(events);
    }

    /** Null when the position is live in {@code portfolio}; otherwise the refusal reason. */
    private static String liveIn(Wallet wallet, String position, int portfolio) {
        Integer home = wallet == null ? null : wallet.live.get(position);
        if (home == null) {
            return "UNKNOWN_POSITION";
        }
        return home == portfolio ? null : "PORTFOLIO_MISMATCH";
    }

    private static PortfolioOutcome refused(String reason, String position, int portfolio, Wallet wallet) {
        String detail = "UNKNOWN_POSITION".equals(reason)
                ? "position " + position + " is not installed"
                : "position " + position + " lives in portfolio " + wallet.live.get(position) + ", not " + portfolio;
        return PortfolioOutcome.refused(reason, detail);
    }

    private List<SolvencyEvent> afterAction(
            PortfolioId id, Portfolio portfolio, PortfolioValuation before, String action, String position, long t, String cause,
            boolean appliedLate) {
        List<SolvencyEvent> events = new ArrayList<>();
        PortfolioValuation after = revalue(id, portfolio, t, cause, appliedLate, events);
        SolvencyRules.ActionCheck check = rules.checkAction(before, after);
        if (check != SolvencyRules.ActionCheck.ALLOWED) {
            events.add(event(
                    SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, id, portfolio, portfolio.state, portfolio.state, after, t, cause, appliedLate,
                    new Action(action, position, before, check == SolvencyRules.ActionCheck.RISE_UNPROVEN)));
        }
        return events;
    }

    private static String cause(PortfolioEvent e) {
        return e.position() + "@" + e.version();
    }

    // ---------------------------------------------------------------- prices

    /** Takes one evaluation of a pair and returns the transitions it causes, in portfolio order. */
    public List<SolvencyEvent> onPrice(ReferencePrice price) {
        return onQuote(price.pair(), PairQuote.of(price), price.eventTime(), price.evaluationId(), false);
    }

    /**
     * {@code quote} is null while the pair is {@code UNAVAILABLE}. With {@code everyPortfolio},
     * every portfolio is re-valued instead of those the index finds: the plain reference the index
     * must agree with.
     */
    List<SolvencyEvent> onQuote(String pair, PairQuote quote, long t, String evaluationId, boolean everyPortfolio) {
        PairQuote previous = quotes.get(pair);
        evaluated.add(pair);
        if (quote == null) {
            quotes.remove(pair);
        } else {
            quotes.put(pair, quote);
        }
        Collection<PortfolioId> affected = everyPortfolio ? allPortfolios() : reachedBy(pair, previous, quote);
        List<SolvencyEvent> events = new ArrayList<>();
        for (PortfolioId id : affected) {
            revalue(id, wallets.get(id.wallet()).portfolios.get(id.portfolio()), t, evaluationId, false, events);
        }
        return events;
    }

    /**
     * Evaluations of several pairs at one instant. Every quote is taken first, so a portfolio
     * re-valued at the instant is valued at all of them; then, pair by pair in name order, the
     * portfolios each move reaches are re-valued once, named by the first pair whose move reached
     * them. The result does not depend on the order the evaluations arrived in.
     */
    public List<SolvencyEvent> onQuotes(Collection<QuoteUpdate> atOneInstant) {
        return onQuotes(atOneInstant, false);
    }

    /** With {@code everyPortfolio}, every portfolio is re-valued, named by the first pair: the plain reference. */
    List<SolvencyEvent> onQuotes(Collection<QuoteUpdate> atOneInstant, boolean everyPortfolio) {
        List<QuoteUpdate> sorted = new ArrayList<>(atOneInstant);
        sorted.sort(java.util.Comparator.comparing(QuoteUpdate::pair));
        Map<String, PairQuote> previous = new HashMap<>();
        for (QuoteUpdate q : sorted) {
            previous.put(q.pair(), quotes.get(q.pair()));
            restoreQuote(q.pair(), q.quote());
        }
        List<SolvencyEvent> events = new ArrayList<>();
        Set<PortfolioId> revalued = new HashSet<>();
        for (QuoteUpdate q : sorted) {
            Collection<PortfolioId> reached = everyPortfolio ? allPortfolios() : reachedBy(q.pair(), previous.get(q.pair()), q.quote());
            for (PortfolioId id : reached) {
                if (revalued.add(id)) {
                    revalue(id, wallets.get(id.wallet()).portfolios.get(id.portfolio()), q.eventTime(), q.evaluationId(), false, events);
                }
            }
        }
        return events;
    }

    /**
     * The portfolios a pair's move from {@code previous} to {@code quote} (null: unavailable) can
     * move across a threshold: every holder when the pair gains or loses its price, otherwise those
     * whose band the move leaves.
     */
    private Collection<PortfolioId> reachedBy(String pair, PairQuote previous, PairQuote quote) {
        if ((previous == null) != (quote == null)) {
            return index.holders(pair);
        }
        return quote == null ? List.of() : index.moved(pair, quote.creditPrice(), quote.debtPrice());
    }

    private SortedSet<PortfolioId> allPortfolios() {
        SortedSet<PortfolioId> all = new TreeSet<>();
        wallets.forEach((w, wallet) -> wallet.portfolios.keySet().forEach(p -> all.add(new PortfolioId(w, p))));
        return all;
    }

    @Override
    public PairQuote quote(String pair) {
        return quotes.get(pair);
    }

    @Override
    public boolean evaluated(String pair) {
        return evaluated.contains(pair);
    }

    // ---------------------------------------------------------------- valuation and transitions

    private PortfolioValuation value(Portfolio portfolio) {
        Map<String, TokenTotal> totals = new TreeMap<>();
        for (Position p : portfolio.positions.values()) {
            p.balances().credits().forEach((token, amount) -> totals.merge(token, new TokenTotal(amount, BigDecimal.ZERO), TokenTotal::sum));
            p.balances().debts().forEach((token, amount) -> totals.merge(token, new TokenTotal(BigDecimal.ZERO, amount), TokenTotal::sum));
            p.balances().deltas().forEach((token, amount) -> totals.merge(token, new TokenTotal(BigDecimal.ZERO, amount), TokenTotal::sum));
        }
        return valuer.value(totals, this);
    }

    /** Re-values, emits a transition if the state changes, and files the portfolio again in the index. */
    private PortfolioValuation revalue(
            PortfolioId id, Portfolio portfolio, long t, String cause, boolean appliedLate, List<SolvencyEvent> events) {
        revaluations++;
        PortfolioValuation valuation = value(portfolio);
        SolvencyState next = rules.next(portfolio.state, valuation);
        if (next != portfolio.state) {
            events.add(event(next.eventType(), id, portfolio, next, portfolio.state, valuation, t, cause, appliedLate, null));
            portfolio.state = next;
        }
        index.put(id, valuation, rules.safeRelativeMove(next, valuation));
        return valuation;
    }

    /** The action behind an {@code ACTION_WOULD_BE_INSOLVENT}. */
    private record Action(String type, String position, PortfolioValuation before, boolean riseUnproven) {}

    private SolvencyEvent event(
            String type, PortfolioId id, Portfolio portfolio, SolvencyState state, SolvencyState previous, PortfolioValuation v, long t,
            String cause, boolean appliedLate, Action action) {
        Ratio utilization = v.utilization();
        Ratio cross = v.cross();
        Ratio before = action == null ? null : action.before().utilization();
        List<SolvencyEvent.PositionVersion> positions = new ArrayList<>();
        portfolio.positions.forEach((position, p) -> positions.add(new SolvencyEvent.PositionVersion(position, p.version())));
        return new SolvencyEvent(
                SolvencyEvent.eventId(type, id.wallet(), id.portfolio(), t, cause),
                type,
                t,
                id.wallet(),
                id.portfolio(),
                state.name(),
                previous.name(),
                printed(utilization),
                isInfinite(utilization),
                printed(cross),
                isInfinite(cross),
                tokens(v),
                v.unvalued(),
                List.copyOf(positions),
                action == null ? null : action.type(),
                action == null ? null : action.position(),
                printed(before),
                isInfinite(before),
                action != null && action.riseUnproven(),
                cause,
                appliedLate,
                config.configHash(),
                codeVersion);
    }

    private List<SolvencyEvent.TokenBalance> tokens(PortfolioValuation v) {
        List<SolvencyEvent.TokenBalance> tokens = new ArrayList<>();
        v.totals().forEach((token, total) -> {
            var asset = config.asset(token);
            if (asset == null || !asset.portfolioEligible()) {
                tokens.add(new SolvencyEvent.TokenBalance(
                        token, false, null, total.credit(), total.debt(), null, null, null, null, null, null, false));
                return;
            }
            BigDecimal factor = asset.varianceFactor();
            PairQuote quote = v.quotes().get(token);
            boolean usd = asset.crossMargin() && io.collateralrisk.model.config.AssetConfig.QUOTE_CURRENCY.equals(token);
            Ratio tail = v.tails().get(token);
            tokens.add(new SolvencyEvent.TokenBalance(
                    token,
                    asset.crossMargin(),
                    factor,
                    total.credit(),
                    total.debt(),
                    total.credit().divide(factor, asset.scale(), RoundingMode.DOWN),
                    total.debt().multiply(factor),
                    usd ? BigDecimal.ONE : quote == null ? null : quote.creditPrice(),
                    usd ? BigDecimal.ONE : quote == null ? null : quote.debtPrice(),
                    quote == null ? null : quote.evaluationId(),
                    printed(tail),
                    isInfinite(tail)));
        });
        return List.copyOf(tokens);
    }

    private static BigDecimal printed(Ratio r) {
        return r == null ? null : r.toDecimal(SolvencyEvent.UTILIZATION_SCALE, RoundingMode.HALF_EVEN);
    }

    private static boolean isInfinite(Ratio r) {
        return r != null && r.isInfinite();
    }

    // ---------------------------------------------------------------- durable state

    /**
     * What durable state keeps of {@code wallet} (see {@link StoredWallet}), or null when the book
     * has never applied a record of it. An operator stores it after every applied record of the
     * wallet and after every transition of one of its portfolios; nothing else changes it.
     */
    public StoredWallet exportWallet(String wallet) {
        Wallet w = wallets.get(wallet);
        if (w == null) {
            return null;
        }
        List<StoredWallet.Position> positions = new ArrayList<>();
        new TreeMap<>(w.versions).forEach((id, version) -> {
            Integer home = w.live.get(id);
            Position p = home == null ? null : w.portfolios.get(home).positions.get(id);
            positions.add(new StoredWallet.Position(id, version, home, p == null ? null : p.balances()));
        });
        List<StoredWallet.Portfolio> portfolios = new ArrayList<>();
        w.portfolios.forEach((index, p) -> portfolios.add(new StoredWallet.Portfolio(index, p.state.name())));
        return new StoredWallet(List.copyOf(positions), List.copyOf(portfolios));
    }

    /**
     * Takes back a wallet exported by {@link #exportWallet}, without valuing it: call
     * {@link #reindex} once every wallet and quote is back.
     */
    public void restoreWallet(String wallet, StoredWallet stored) {
        Wallet w = new Wallet();
        for (StoredWallet.Portfolio p : stored.portfolios()) {
            Portfolio portfolio = new Portfolio();
            portfolio.state = SolvencyState.valueOf(p.state());
            w.portfolios.put(p.portfolio(), portfolio);
        }
        for (StoredWallet.Position p : stored.positions()) {
            w.versions.put(p.position(), p.version());
            if (p.live()) {
                w.live.put(p.position(), p.portfolio());
                w.portfolios.get(p.portfolio()).positions.put(p.position(), new Position(p.version(), p.balances()));
            }
        }
        wallets.put(wallet, w);
    }

    /** Takes back the latest evaluation of a pair: {@code quote} null while it is {@code UNAVAILABLE}. */
    public void restoreQuote(String pair, PairQuote quote) {
        evaluated.add(pair);
        if (quote == null) {
            quotes.remove(pair);
        } else {
            quotes.put(pair, quote);
        }
    }

    /**
     * Values every portfolio at the quotes held and files it in the price-band index, keeping its
     * state and emitting nothing: the index after a restore. Where a state machine depends only on
     * its state and valuation, a portfolio filed at today's quotes rather than at those it was last
     * valued at moves on the next price exactly as it would have.
     */
    public void reindex() {
        for (PortfolioId id : allPortfolios()) {
            Portfolio portfolio = wallets.get(id.wallet()).portfolios.get(id.portfolio());
            revaluations++;
            PortfolioValuation valuation = value(portfolio);
            index.put(id, valuation, rules.safeRelativeMove(portfolio.state, valuation));
        }
    }

    // ---------------------------------------------------------------- views for tests and metrics

    /** The state of a portfolio, or null when it does not exist. */
    public SolvencyState state(PortfolioId id) {
        Wallet wallet = wallets.get(id.wallet());
        Portfolio portfolio = wallet == null ? null : wallet.portfolios.get(id.portfolio());
        return portfolio == null ? null : portfolio.state;
    }

    /** Portfolios re-valued so far. */
    public long revaluations() {
        return revaluations;
    }

    /** The bands a portfolio is filed under in the index. */
    List<PriceBandIndex.Band> bandsOf(PortfolioId id) {
        return index.bandsOf(id);
    }
}
