package io.collateralrisk.jobs.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A seeded, generated book of cross-margined wallets, as {@code portfolio-events} JSONL for the
 * bundled March 2023 prices (9 to 14 March: BTC-USD from about 21,700 down to 19,600 on the 10th,
 * then up to 26,500 on the 14th). Each wallet holds 1 to 8 portfolios (random indices of 0 to 7),
 * each of 1 to 16 positions over {@code BTC}, {@code USDC} and the tail token {@code TAIL}
 * ({@code crossMargin: false}; {@link #config()} adds both tokens to the defaults).
 *
 * <p>Every portfolio is given a profile and a target utilization at the prices of its install
 * window, so that the price moves of the bundled days, not the installs, move it:
 *
 * <pre>
 * profile           positions                     utilization at install   then
 * LONG_CALM         BTC credit, USDC debt          0.10 to 0.75           stays SOLVENT on the drop
 * LONG_AT_RISK      BTC credit, USDC debt          0.83 to 0.88           AT_RISK on the 10 March drop
 * LONG_INSOLVENT    BTC credit, USDC debt          0.93 to 0.97           AT_RISK, INSOLVENT on the drop
 * SHORT_CALM        USDC credit, BTC debt          0.10 to 0.70           stays SOLVENT on the rally
 * SHORT_AT_RISK     USDC credit, BTC debt          0.77 to 0.82           AT_RISK on the 14 March rally
 * SHORT_INSOLVENT   USDC credit, BTC debt          0.86 to 0.89           INSOLVENT on the rally
 * </pre>
 *
 * A fifth of the portfolios also hold one or two {@code TAIL} positions (tail utilization 0.20 to
 * 0.80); one in forty of those starts at 0.985 to 0.995 and is pushed to 1 or above by an
 * interest update: the legitimate way into insolvency that needs no price. Every position of a
 * portfolio is built at its target, so no install or uninstall order ever takes a portfolio to 1
 * (no {@code ACTION_WOULD_BE_INSOLVENT}). With USDC priced as the bundled data implies
 * ({@link BundledPrices#impliedUsdcTicks}), the de-peg of 11 March (USDC at 0.875, BTC-USD near
 * 20,100) also takes the shorts planned insolvent to {@code AT_RISK} for a while, their USDC credit
 * being worth less; without a USDC-USD price every portfolio holding USDC stays {@code UNVALUED}.
 *
 * <p>Event times, all on 9 March 2023 before BTC starts falling in the evening: installs from
 * 00:05 to 06:00 (BTC-USD 21,657 to 21,798), interest updates ({@code POSITION_UPDATED}, debts up
 * 0.05% to 0.30%, or 2% for the tail positions meant to fail) from 12:00 to 16:00, a few
 * {@code POSITION_UNINSTALLED} from 16:00 to 17:30. Three records are wrong on purpose, one of
 * each: {@code UNKNOWN_TOKEN} (credits in {@code DOGE}), {@code LIMIT_EXCEEDED} (portfolio 8, a
 * ninth) and {@code UNKNOWN_POSITION} (an update of a position never installed).
 *
 * <p>Amounts are exact decimals at each token's scale; debts are rounded down, so a position's
 * utilization is at most its target. Lines are in event-time order (ties in generation order),
 * and the same seed and wallet count give the same lines.
 */
public final class WalletBook {

    public static final String BTC = "BTC";
    public static final String STABLECOIN = "USDC";
    public static final String TAIL = "TAIL";
    /** A token no configuration here knows: its record is dead-lettered as {@code UNKNOWN_TOKEN}. */
    public static final String UNKNOWN_TOKEN = "DOGE";

    /** The records that are wrong on purpose, by the dead-letter reason each one must get. */
    public static final SortedMap<String, Integer> DELIBERATE_DEAD_LETTERS = Collections.unmodifiableSortedMap(
            new TreeMap<>(Map.of("UNKNOWN_TOKEN", 1, "LIMIT_EXCEEDED", 1, "UNKNOWN_POSITION", 1)));

    /** Installs, from 00:05; BTC-USD's median close stays within 21,657.59 to 21,797.50 until 06:00. */
    public static final long INSTALLS_FROM = Times.parseIso("2023-03-09T00:05:00Z");
    public static final long INSTALLS_UNTIL = Times.parseIso("2023-03-09T06:00:00Z");
    public static final long UPDATES_FROM = Times.parseIso("2023-03-09T12:00:00Z");
    public static final long UPDATES_UNTIL = Times.parseIso("2023-03-09T16:00:00Z");
    public static final long UNINSTALLS_FROM = UPDATES_UNTIL;
    public static final long UNINSTALLS_UNTIL = Times.parseIso("2023-03-09T17:30:00Z");

    /**
     * The BTC-USD prices the longs are planned at (the lowest of the install window, where their
     * utilization is highest) and the shorts (the highest). USDC is planned at 1: it stayed within
     * 0.998 to 1.002 USD until the evening of 10 March.
     */
    public static final BigDecimal LONG_PLANNING_PRICE = new BigDecimal("21650");
    public static final BigDecimal SHORT_PLANNING_PRICE = new BigDecimal("21800");

    /** A portfolio's direction and where its utilization starts; see the class comment. */
    public enum Profile {
        LONG_CALM(true, "0.100", "0.750", 45),
        LONG_AT_RISK(true, "0.830", "0.880", 12),
        LONG_INSOLVENT(true, "0.930", "0.970", 6),
        SHORT_CALM(false, "0.100", "0.700", 22),
        SHORT_AT_RISK(false, "0.770", "0.820", 8),
        SHORT_INSOLVENT(false, "0.860", "0.890", 7);

        /** BTC credit and USDC debt; otherwise USDC credit and BTC debt. */
        public final boolean btcCredit;
        public final BigDecimal from;
        public final BigDecimal until;
        /** Out of 100 portfolios. */
        final int weight;

        Profile(boolean btcCredit, String from, String until, int weight) {
            this.btcCredit = btcCredit;
            this.from = new BigDecimal(from);
            this.until = new BigDecimal(until);
            this.weight = weight;
        }

        static Profile draw(Random random) {
            int r = random.nextInt(100);
            for (Profile p : values()) {
                r -= p.weight;
                if (r < 0) {
                    return p;
                }
            }
            throw new AssertionError("weights add up to 100");
        }
    }

    private static final BigDecimal TAIL_FROM = new BigDecimal("0.200");
    private static final BigDecimal TAIL_UNTIL = new BigDecimal("0.800");
    private static final BigDecimal TAIL_FAILING_FROM = new BigDecimal("0.985");
    private static final BigDecimal TAIL_FAILING_UNTIL = new BigDecimal("0.995");
    /** 2% interest takes a tail utilization of 0.985 or more to 1.0047 or more. */
    private static final BigDecimal TAIL_FAILING_INTEREST = new BigDecimal("0.02");
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private final long seed;
    private final int wallets;
    private final RiskConfig config;
    private final List<String> events;
    private final Summary summary;

    private WalletBook(long seed, int wallets) {
        if (wallets < 3) {
            // The three deliberate bad records go to three different wallets.
            throw new IllegalArgumentException("a wallet book needs at least 3 wallets, not " + wallets);
        }
        this.seed = seed;
        this.wallets = wallets;
        this.config = config();
        Generation g = new Generation(new Random(seed));
        for (int w = 1; w <= wallets; w++) {
            g.wallet(String.format(Locale.ROOT, "W-%06d", w));
        }
        g.deliberatelyBad();
        g.lines.sort(Comparator.comparingLong(Line::time).thenComparingInt(Line::sequence));
        this.events = g.lines.stream().map(Line::json).toList();
        this.summary = g.summary();
    }

    /** The book of {@code wallets} wallets drawn with {@code seed}. */
    public static WalletBook generate(long seed, int wallets) {
        return new WalletBook(seed, wallets);
    }

    public long seed() {
        return seed;
    }

    public int wallets() {
        return wallets;
    }

    /** The {@code portfolio-events} lines, in event-time order. */
    public List<String> events() {
        return events;
    }

    public Summary summary() {
        return summary;
    }

    /** The Kafka key of a line of {@link #events()}: its {@code wallet}. */
    public static String key(String line) {
        return field(line, "wallet");
    }

    /** A text field of a line this package wrote, read without a JSON parse. */
    static String field(String line, String name) {
        String start = "\"" + name + "\":\"";
        int from = line.indexOf(start) + start.length();
        return line.substring(from, line.indexOf('"', from));
    }

    /** The built-in defaults with the book's tokens added ({@code wallet-book.yaml}): the configuration to run the book under. */
    public static RiskConfig config() {
        return ConfigLoader.parse(configYaml());
    }

    /** The YAML merged over the defaults by {@link #config()}, for a job started with {@code --config}. */
    public static String configYaml() {
        try (InputStream in = WalletBook.class.getResourceAsStream("wallet-book.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What was generated, for the demo to print.
     *
     * @param portfoliosByProfile cross-margined direction and starting utilization, see {@link Profile}
     * @param tailPortfolios portfolios holding {@code TAIL}
     * @param tailFailing tail portfolios an interest update takes to a tail utilization of 1 or more
     * @param positionsByToken positions holding a balance in each token
     * @param recordsByType lines by {@code type}, the deliberate bad ones included
     */
    public record Summary(
            long seed,
            int wallets,
            int portfolios,
            int positions,
            Map<Profile, Integer> portfoliosByProfile,
            int tailPortfolios,
            int tailFailing,
            SortedMap<String, Integer> positionsByToken,
            SortedMap<String, Integer> recordsByType,
            SortedMap<String, Integer> deadLetters,
            long firstEventTime,
            long lastEventTime) {

        public int records() {
            return recordsByType.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** A few lines for a terminal, none wider than 120 characters. */
        public String render() {
            String indent = " ".repeat("Wallet book: ".length());
            String nl = System.lineSeparator();
            Map<Profile, Integer> p = portfoliosByProfile;
            return String.format(Locale.ROOT, "Wallet book: %,d wallets, %,d portfolios, %,d positions (seed %d)", wallets, portfolios, positions, seed) + nl
                    + indent + String.format(Locale.ROOT, "%,d portfolio events from %s to %s", records(), Times.format(firstEventTime),
                            Times.format(lastEventTime)) + nl
                    + indent + "positions by token: " + counts(positionsByToken) + " (" + TAIL + " is a tail token: only its own credits cover it)" + nl
                    + indent + String.format(Locale.ROOT, "longs (BTC against USDC): %d calm, %d at risk and %d insolvent on the 10 March drop",
                            p.get(Profile.LONG_CALM), p.get(Profile.LONG_AT_RISK), p.get(Profile.LONG_INSOLVENT)) + nl
                    + indent + String.format(Locale.ROOT, "shorts (USDC against BTC): %d calm, %d at risk and %d insolvent on the 14 March rally",
                            p.get(Profile.SHORT_CALM), p.get(Profile.SHORT_AT_RISK), p.get(Profile.SHORT_INSOLVENT)) + nl
                    + indent + String.format(Locale.ROOT, "%d hold %s, %d of them pushed to insolvency by accruing interest", tailPortfolios, TAIL,
                            tailFailing) + nl
                    + indent + "records: " + counts(recordsByType) + nl
                    + indent + "wrong on purpose: " + counts(deadLetters) + nl;
        }

        private static String counts(Map<String, Integer> counts) {
            return String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
        }
    }

    private record Line(long time, int sequence, String json) {}

    /** One position as generated: its balances at install and, if updated, after. */
    private static final class Position {
        final String id;
        final int portfolio;
        final String producer;
        final Map<String, BigDecimal> credits = new TreeMap<>();
        final Map<String, BigDecimal> debts = new TreeMap<>();
        final Map<String, BigDecimal> deltas = new TreeMap<>();
        final boolean tail;
        long version;

        Position(String id, int portfolio, String producer, boolean tail) {
            this.id = id;
            this.portfolio = portfolio;
            this.producer = producer;
            this.tail = tail;
        }
    }

    /** The state of one generation run: the random source is drawn from in one fixed order. */
    private final class Generation {
        final Random random;
        final List<Line> lines = new ArrayList<>();
        final Map<Profile, Integer> byProfile = new EnumMap<>(Profile.class);
        final SortedMap<String, Integer> byToken = new TreeMap<>();
        final SortedMap<String, Integer> byType = new TreeMap<>();
        int portfolios;
        int positions;
        int tailPortfolios;
        int tailFailing;
        /** A wallet that holds all eight portfolios, for the ninth; else the first. */
        String fullWallet;

        Generation(Random random) {
            this.random = random;
            for (Profile p : Profile.values()) {
                byProfile.put(p, 0);
            }
        }

        void wallet(String wallet) {
            int maxPortfolios = config.solvency().maxPortfoliosPerWallet();
            List<Integer> indices = new ArrayList<>();
            for (int i = 0; i < maxPortfolios; i++) {
                indices.add(i);
            }
            Collections.shuffle(indices, random);
            int count = 1 + random.nextInt(maxPortfolios);
            if (count == maxPortfolios && fullWallet == null) {
                fullWallet = wallet;
            }
            int nextId = 1;
            for (int p : indices.subList(0, count).stream().sorted().toList()) {
                nextId = portfolio(wallet, p, nextId);
            }
        }

        /** Generates one portfolio's records; returns the wallet's next position number. */
        int portfolio(String wallet, int index, int nextId) {
            portfolios++;
            Profile profile = Profile.draw(random);
            byProfile.merge(profile, 1, Integer::sum);
            BigDecimal target = between(profile.from, profile.until);
            int count = 1 + random.nextInt(config.solvency().maxPositionsPerPortfolio());
            boolean holdsTail = random.nextInt(5) == 0;
            if (holdsTail && count == 1) {
                count = 2; // a cross-margined position beside the tail one: every portfolio is moved by BTC-USD
            }
            int tailCount = holdsTail ? (count <= 3 ? 1 : 2) : 0;
            boolean tailFails = holdsTail && random.nextInt(40) == 0;
            BigDecimal tailTarget = !holdsTail ? null
                    : tailFails ? between(TAIL_FAILING_FROM, TAIL_FAILING_UNTIL) : between(TAIL_FROM, TAIL_UNTIL);
            if (holdsTail) {
                tailPortfolios++;
                tailFailing += tailFails ? 1 : 0;
            }
            List<Position> made = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                boolean tail = i >= count - tailCount;
                Position pos = new Position("P-" + nextId++, index, tail || random.nextBoolean() ? "amm" : "lending", tail);
                if (tail) {
                    tailPosition(pos, tailTarget);
                } else if (profile.btcCredit) {
                    longPosition(pos, target);
                } else {
                    shortPosition(pos, target);
                }
                made.add(pos);
                positions++;
                pos.credits.keySet().forEach(t -> byToken.merge(t, 1, Integer::sum));
                java.util.Set<String> owed = new java.util.TreeSet<>(pos.debts.keySet());
                owed.addAll(pos.deltas.keySet());
                owed.removeAll(pos.credits.keySet());
                owed.forEach(t -> byToken.merge(t, 1, Integer::sum));
                pos.version = 1;
                add(time(INSTALLS_FROM, INSTALLS_UNTIL), install(wallet, pos));
            }
            for (Position pos : made) {
                boolean failing = pos.tail && tailFails;
                if (failing || random.nextInt(50) == 0) {
                    BigDecimal rate = failing ? TAIL_FAILING_INTEREST : BigDecimal.valueOf(5 + random.nextInt(26), 4);
                    pos.debts.replaceAll((token, debt) ->
                            debt.multiply(BigDecimal.ONE.add(rate)).setScale(config.scale(token), RoundingMode.CEILING));
                    pos.version++;
                    add(time(UPDATES_FROM, UPDATES_UNTIL), update(wallet, pos));
                }
            }
            // Only cross-margined positions, all built at the portfolio's target: what remains is never
            // above the highest of them, so an uninstall never takes the portfolio to 1; and never the
            // last one, so the portfolio keeps the profile it was planned with.
            List<Position> cross = made.stream().filter(p -> !p.tail).toList();
            if (cross.size() >= 2 && random.nextInt(25) == 0) {
                Position gone = cross.get(random.nextInt(cross.size()));
                gone.version++;
                add(time(UNINSTALLS_FROM, UNINSTALLS_UNTIL), uninstall(wallet, gone));
            }
            return nextId;
        }

        /** BTC credit of 0.005 to 4 BTC; USDC debt (and deltas) at {@code target} at the long planning price. */
        void longPosition(Position pos, BigDecimal target) {
            BigDecimal credit = BigDecimal.valueOf(500_000L + random.nextInt(399_500_001), config.scale(BTC));
            pos.credits.put(BTC, credit);
            // D x v_usdc x 1 = U x C / v_btc x P
            BigDecimal debt = target.multiply(credit).multiply(LONG_PLANNING_PRICE)
                    .divide(variance(BTC).multiply(variance(STABLECOIN)), config.scale(STABLECOIN), RoundingMode.DOWN);
            owe(pos, STABLECOIN, debt);
        }

        /** USDC credit of 100 to 250,100 USDC; BTC debt (and deltas) at {@code target} at the short planning price. */
        void shortPosition(Position pos, BigDecimal target) {
            BigDecimal credit = BigDecimal.valueOf(100_000_000L + random.nextInt(250_000) * 1_000_000L + random.nextInt(1_000_000),
                    config.scale(STABLECOIN));
            pos.credits.put(STABLECOIN, credit);
            // D x v_btc x P = U x C / v_usdc x 1
            BigDecimal debt = target.multiply(credit)
                    .divide(variance(STABLECOIN).multiply(variance(BTC)).multiply(SHORT_PLANNING_PRICE), config.scale(BTC), RoundingMode.DOWN);
            owe(pos, BTC, debt);
        }

        /** TAIL credit of 1,000 to 5,001,000 TAIL; TAIL debt (and deltas) at a tail utilization of {@code target}, in its own units. */
        void tailPosition(Position pos, BigDecimal target) {
            BigDecimal credit = BigDecimal.valueOf(1_000L + random.nextInt(5_000_000)).add(BigDecimal.valueOf(random.nextInt(1_000_000_000), 9))
                    .setScale(config.scale(TAIL));
            pos.credits.put(TAIL, credit);
            // D x v = U x C / v
            BigDecimal v = variance(TAIL);
            owe(pos, TAIL, target.multiply(credit).divide(v.multiply(v), config.scale(TAIL), RoundingMode.DOWN));
        }

        /** Splits a total owed into debts and, for most positions, 0.1% to 3% of deltas; together never above the total. */
        void owe(Position pos, String token, BigDecimal total) {
            int deltaPerMille = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(30);
            BigDecimal delta = total.multiply(BigDecimal.valueOf(deltaPerMille)).divide(THOUSAND, total.scale(), RoundingMode.DOWN);
            pos.debts.put(token, total.subtract(delta));
            if (delta.signum() > 0) {
                pos.deltas.put(token, delta);
            }
        }

        /** The three records that are wrong on purpose, each in another wallet, at the end of the install window. */
        void deliberatelyBad() {
            long t = INSTALLS_UNTIL - 60_000;
            Position unknownToken = new Position("P-901", 0, "amm", false);
            unknownToken.credits.put(UNKNOWN_TOKEN, new BigDecimal("1000.00000000"));
            unknownToken.debts.put(STABLECOIN, new BigDecimal("10.000000"));
            unknownToken.version = 1;
            add(t, install("W-000002", unknownToken));

            Position ninth = new Position("P-902", config.solvency().maxPortfoliosPerWallet(), "lending", false);
            ninth.credits.put(BTC, new BigDecimal("0.10000000"));
            ninth.debts.put(STABLECOIN, new BigDecimal("100.000000"));
            ninth.version = 1;
            add(t, install(fullWallet != null ? fullWallet : "W-000001", ninth));

            Position never = new Position("P-903", 0, "lending", false);
            never.credits.put(BTC, new BigDecimal("0.10000000"));
            never.debts.put(STABLECOIN, new BigDecimal("100.000000"));
            never.version = 2;
            add(t, update("W-000003", never));
        }

        BigDecimal between(BigDecimal from, BigDecimal until) {
            int steps = until.subtract(from).multiply(THOUSAND).intValueExact();
            return from.add(BigDecimal.valueOf(random.nextInt(steps), 3));
        }

        long time(long from, long until) {
            return from + 1_000L * random.nextInt((int) ((until - from) / 1_000));
        }

        void add(long time, ObjectNode record) {
            byType.merge(record.get("type").asText(), 1, Integer::sum);
            lines.add(new Line(time, lines.size(), json(record.put("eventTime", Times.format(time)))));
        }

        ObjectNode install(String wallet, Position pos) {
            ObjectNode n = head("POSITION_INSTALLED", wallet, pos).put("producer", pos.producer);
            return balances(n, pos).put("version", pos.version);
        }

        ObjectNode update(String wallet, Position pos) {
            return balances(head("POSITION_UPDATED", wallet, pos), pos).put("version", pos.version);
        }

        ObjectNode uninstall(String wallet, Position pos) {
            return head("POSITION_UNINSTALLED", wallet, pos).put("version", pos.version);
        }

        ObjectNode head(String type, String wallet, Position pos) {
            ObjectNode n = Json.mapper().createObjectNode().put("type", type);
            n.putNull("eventTime"); // keeps the spec's field order; set in add()
            return n.put("wallet", wallet).put("portfolio", pos.portfolio).put("position", pos.id);
        }

        ObjectNode balances(ObjectNode n, Position pos) {
            n.set("credits", amounts(pos.credits));
            n.set("debts", amounts(pos.debts));
            n.set("deltas", amounts(pos.deltas));
            return n;
        }

        ObjectNode amounts(Map<String, BigDecimal> amounts) {
            ObjectNode n = Json.mapper().createObjectNode();
            amounts.forEach((token, amount) -> n.put(token, amount.toPlainString()));
            return n;
        }

        BigDecimal variance(String token) {
            return config.asset(token).varianceFactor();
        }

        Summary summary() {
            long first = lines.stream().mapToLong(Line::time).min().orElseThrow();
            long last = lines.stream().mapToLong(Line::time).max().orElseThrow();
            return new Summary(seed, wallets, portfolios, positions, Collections.unmodifiableMap(byProfile), tailPortfolios, tailFailing,
                    Collections.unmodifiableSortedMap(byToken), Collections.unmodifiableSortedMap(byType), DELIBERATE_DEAD_LETTERS,
                    first, last);
        }
    }

    private static String json(ObjectNode n) {
        try {
            return Json.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
