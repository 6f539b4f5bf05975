package io.collateralrisk.jobs.bench.latency;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.data.LoanBook;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The market the latency bench publishes: pairs of BTC against several quote currencies (each with
 * BTC-USD's settings), a generated loan book per pair, exchange ticks whose prices swing around the
 * book's opening price so that facilities cross their thresholds both ways (margin calls, cures,
 * liquidations), and facility events that change nothing but a version (traffic, not risk).
 */
public final class BenchMarket {

    /** Quote assets of the pairs after BTC-USD. */
    private static final List<String> EXTRA_QUOTES = List.of("EUR", "GBP", "CHF", "CAD", "AUD", "SGD", "HKD", "NZD", "NOK", "SEK", "DKK");
    public static final int MAX_PAIRS = EXTRA_QUOTES.size() + 1;
    public static final List<String> SOURCES = List.of("coinbase", "kraken", "bitstamp", "binanceus");

    public static final BigDecimal OPENING_PRICE = new BigDecimal("20000");
    /** Opening LTVs; at the swing's low the highest reach the standard policy's liquidation (0.90). */
    private static final BigDecimal MIN_LTV = new BigDecimal("0.40");
    private static final BigDecimal MAX_LTV = new BigDecimal("0.88");
    /** The price swings this far either side of the opening price ... */
    public static final double SWING = 0.03;
    /** ... once every this many milliseconds of event time, each pair a tenth of a cycle after the one before. */
    public static final long SWING_PERIOD_MS = 120_000;
    /** Each source quotes a little off the others, well within the outlier band. */
    private static final double SOURCE_NOISE = 0.0002;

    private final List<String> pairs;
    private final int facilities;
    private final long seed;

    public BenchMarket(int pairCount, int facilities, long seed) {
        if (pairCount < 1 || pairCount > MAX_PAIRS) {
            throw new IllegalArgumentException("pairs must be 1 to " + MAX_PAIRS);
        }
        if (facilities < pairCount) {
            throw new IllegalArgumentException("at least one facility per pair");
        }
        List<String> p = new ArrayList<>();
        p.add("BTC-USD");
        EXTRA_QUOTES.stream().limit(pairCount - 1L).forEach(q -> p.add("BTC-" + q));
        this.pairs = List.copyOf(p);
        this.facilities = facilities;
        this.seed = seed;
    }

    public List<String> pairs() {
        return pairs;
    }

    /** The built-in configuration with the extra pairs and the given {@code lateness.outOfOrder}. */
    public RiskConfig config(long outOfOrderMs) {
        List<String> quotes = pairs.stream().skip(1).map(p -> p.substring(4)).toList();
        StringBuilder yaml = new StringBuilder();
        if (!quotes.isEmpty()) {
            yaml.append("assets: {").append(quotes.stream().map(q -> q + ": {scale: 2}").collect(Collectors.joining(", "))).append("}\n");
            yaml.append("pairs: {").append(pairs.stream().skip(1).map(p -> p + ": {}").collect(Collectors.joining(", "))).append("}\n");
        }
        yaml.append("lateness: {outOfOrder: ").append(outOfOrderMs).append("ms}\n");
        return ConfigLoader.parse(yaml.toString());
    }

    /** One facility of the book: its id and the collateral it opened with, for later updates. */
    public record Facility(String id, String collateral) {}

    /** The book's facility-events, every facility opening at {@code openedAt}; ids unique across pairs. */
    public List<String> bookEvents(long openedAt, List<Facility> facilitiesOut) {
        List<String> lines = new ArrayList<>(facilities * 3);
        for (int k = 0; k < pairs.size(); k++) {
            int count = facilities / pairs.size() + (k < facilities % pairs.size() ? 1 : 0);
            LoanBook book = new LoanBook(seed + k, count, pairs.get(k), OPENING_PRICE, openedAt, MIN_LTV, MAX_LTV);
            for (String line : book.events()) {
                String unique = line.replace("\"facilityId\":\"F-", "\"facilityId\":\"F" + k + "-");
                lines.add(unique);
                if (unique.contains("\"COLLATERAL_UPDATED\"")) {
                    JsonNode n = read(unique);
                    facilitiesOut.add(new Facility(n.get("facilityId").asText(), n.get("collateral").asText()));
                }
            }
        }
        return lines;
    }

    /** The facility a facility-events record is keyed by. */
    public static String facilityId(String line) {
        int start = line.indexOf("\"facilityId\":\"") + 14;
        return line.substring(start, line.indexOf('"', start));
    }

    /** A collateral update to the amount the facility already has: a new version, the same risk. */
    public static String collateralUpdate(Facility f, long version, long eventTime) {
        return "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"" + Times.format(eventTime) + "\",\"facilityId\":\"" + f.id()
                + "\",\"collateral\":\"" + f.collateral() + "\",\"version\":" + version + "}";
    }

    /** The price of {@code pair} (its index) at {@code eventTime}, {@code sinceStart} into the bench, quoted by a source. */
    public static String price(int pairIndex, long sinceStart, Random noise) {
        double phase = 2 * Math.PI * ((double) sinceStart / SWING_PERIOD_MS + pairIndex / 10.0);
        double p = OPENING_PRICE.doubleValue() * (1 + SWING * Math.sin(phase)) * (1 + SOURCE_NOISE * (2 * noise.nextDouble() - 1));
        return BigDecimal.valueOf(p).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    public static String tick(String pair, String source, long eventTime, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(eventTime) + "\",\"pair\":\"" + pair + "\",\"source\":\""
                + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
    }

    private static JsonNode read(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
