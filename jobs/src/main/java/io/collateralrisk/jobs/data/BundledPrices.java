package io.collateralrisk.jobs.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.jobs.importer.PriceImporter;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real price data bundled under {@code data/}, as {@code prices} JSONL lines merged in event
 * time: what the demo publishes, the tests replay and the benchmarks feed.
 */
public final class BundledPrices {

    /** A venue's 1-minute candles and the source name its ticks carry. */
    public record Venue(String source, String file) {}

    public static final String MARCH_2023 = "svb-usdc-depeg-2023-03";
    public static final List<Venue> MARCH_2023_BTC_USD = List.of(
            new Venue("coinbase", "coinbase_btc-usd_1m.csv.gz"),
            new Venue("binanceus", "binanceus_btcusd_1m.csv.gz"),
            new Venue("kraken", "kraken_xbtusd_1m.csv.gz"));
    /** Binance.US BTC-USDC: quoted in USDC, which lost its peg in March 2023. */
    public static final Venue MARCH_2023_BTC_USDC = new Venue("binanceus-usdc", "binanceus_btcusdc_1m.csv.gz");
    /** The pair {@link #impliedUsdcTicks} prices, and the source its ticks name. */
    public static final String USDC_USD = "USDC-USD";
    public static final String IMPLIED_USDC_SOURCE = "binanceus-implied";

    private BundledPrices() {}

    /** The {@code data/} folder: from {@code risk.home} (set by bin/risk), else the nearest one above the working directory. */
    public static Path dataDir() {
        String home = System.getProperty("risk.home");
        if (home != null) {
            return Path.of(home, "data");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("data").resolve(MARCH_2023))) {
                return dir.resolve("data");
            }
        }
        throw new IllegalStateException("the bundled data/ folder was not found above " + Path.of("").toAbsolutePath());
    }

    /** Exchange ticks of the given venues as {@code pair}, merged by event time (stable). */
    public static List<String> exchangeTicks(String pair, List<Venue> venues) throws IOException {
        List<List<String>> perVenue = new ArrayList<>();
        for (Venue v : venues) {
            StringWriter out = new StringWriter();
            PriceImporter.convert(
                    PriceImporter.Format.CANDLES, v.source(), SourceKind.EXCHANGE, pair,
                    List.of(dataDir().resolve(MARCH_2023).resolve(v.file())), out);
            perVenue.add(out.toString().lines().toList());
        }
        return merge(perVenue);
    }

    /**
     * A venue's candles fed as the pair's primary oracle. With the Binance.US BTC-USDC leg this is
     * a realistic mistake: an oracle quoting in a stablecoin that lost its peg.
     */
    public static List<String> oracleTicks(String pair, Venue venue) throws IOException {
        StringWriter out = new StringWriter();
        PriceImporter.convert(
                PriceImporter.Format.CANDLES, venue.source(), SourceKind.ORACLE, pair,
                List.of(dataDir().resolve(MARCH_2023).resolve(venue.file())), out);
        return out.toString().lines().toList();
    }

    /**
     * USDC in USD as Binance.US priced it in March 2023: for every minute both of its BTC legs
     * traded, BTCUSD's close over BTCUSDC's close, rounded half-even to {@code priceScale} places,
     * as {@code USDC-USD} ticks of one {@code ORACLE} source. No USDC-USD market is bundled; this
     * is the de-peg as the data shows it (from 1.00 to 0.875 on 11 March and back). One source
     * needs the pair's {@code quorum} at 1, and an oracle's {@code maxAge} bridges the minutes
     * BTCUSDC did not trade.
     */
    public static List<String> impliedUsdcTicks(int priceScale) throws IOException {
        Map<Long, BigDecimal> usd = new HashMap<>();
        for (String line : exchangeTicks("BTC-USD", List.of(MARCH_2023_BTC_USD.get(1)))) {
            usd.put(eventTime(line), price(line));
        }
        List<String> ticks = new ArrayList<>();
        for (String line : oracleTicks("BTC-USD", MARCH_2023_BTC_USDC)) {
            long t = eventTime(line);
            BigDecimal btcUsd = usd.get(t);
            if (btcUsd != null) {
                ObjectNode node = Json.mapper().createObjectNode()
                        .put("type", "PRICE_TICK")
                        .put("eventTime", Times.format(t))
                        .put("pair", USDC_USD)
                        .put("source", IMPLIED_USDC_SOURCE)
                        .put("kind", SourceKind.ORACLE.name())
                        .put("price", btcUsd.divide(price(line), priceScale, RoundingMode.HALF_EVEN).toPlainString());
                ticks.add(Json.mapper().writeValueAsString(node));
            }
        }
        return ticks;
    }

    private static BigDecimal price(String line) throws IOException {
        return new BigDecimal(Json.mapper().readTree(line).get("price").asText());
    }

    /** Lines of several time-ordered lists merged by their {@code eventTime}; ties keep list order. */
    public static List<String> merge(List<List<String>> lists) {
        record Line(long time, int list, int index, String text) {}
        List<Line> all = new ArrayList<>();
        for (int l = 0; l < lists.size(); l++) {
            List<String> lines = lists.get(l);
            for (int i = 0; i < lines.size(); i++) {
                all.add(new Line(eventTime(lines.get(i)), l, i, lines.get(i)));
            }
        }
        all.sort(Comparator.comparingLong(Line::time).thenComparingInt(Line::list).thenComparingInt(Line::index));
        return all.stream().map(Line::text).toList();
    }

    /** The event time of an input line; read without a JSON parse, the line being the product's own. */
    public static long eventTime(String line) {
        int start = line.indexOf("\"eventTime\":\"") + 13;
        return Times.parseIso(line.substring(start, line.indexOf('"', start)));
    }
}
