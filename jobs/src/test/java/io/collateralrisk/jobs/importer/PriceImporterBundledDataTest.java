package io.collateralrisk.jobs.importer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.importer.PriceImporter.Format;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The importer on the real files bundled under {@code data/} (tests run with {@code jobs/} as working directory). */
class PriceImporterBundledDataTest {

    private static final Path SVB = Path.of("..", "data", "svb-usdc-depeg-2023-03");
    private static final Path CHAINLINK = Path.of("..", "data", "chainlink-btc-usd-2023", "chainlink_btc-usd_rounds.csv.gz");

    @Test
    void coinbaseHasEveryMinuteButTheFourMissingOnes() throws IOException {
        Converted result = convert(Format.CANDLES, "coinbase", SourceKind.EXCHANGE, SVB.resolve("coinbase_btc-usd_1m.csv.gz"));

        assertThat(result.stats()).isEqualTo(new ImportStats(8_636, 8_636, 0));
        List<String> times = result.nodes().stream().map(n -> n.get("eventTime").asText()).toList();
        // Minutes 02:40..02:43 are absent upstream, so their end-of-minute ticks 02:41..02:44 are too.
        assertThat(times)
                .contains("2023-03-10T02:40:00.000Z", "2023-03-10T02:45:00.000Z")
                .doesNotContain(
                        "2023-03-10T02:41:00.000Z",
                        "2023-03-10T02:42:00.000Z",
                        "2023-03-10T02:43:00.000Z",
                        "2023-03-10T02:44:00.000Z");
        assertThat(times.get(0)).isEqualTo("2023-03-09T00:01:00.000Z");
        assertThat(times.get(times.size() - 1)).isEqualTo("2023-03-15T00:00:00.000Z");
        assertThat(result.lines().get(1))
                .isEqualTo("{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-09T00:02:00.000Z\",\"pair\":\"BTC-USD\","
                        + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"21678.57\",\"volume\":\"37.12407869\"}");
    }

    @Test
    void binanceUsBtcUsdcDropsItsForwardFills() throws IOException {
        Converted result = convert(Format.CANDLES, "binanceus-usdc", SourceKind.EXCHANGE, SVB.resolve("binanceus_btcusdc_1m.csv.gz"));

        assertThat(result.stats()).isEqualTo(new ImportStats(8_640, 8_640 - 3_154, 3_154));
        assertThat(result.nodes().stream().filter(n -> new BigDecimal(n.get("volume").asText()).signum() <= 0))
                .isEmpty();
        // The file ends with fills from 23:46 on (close 24796.97 repeated): the last tick is the last trade.
        List<JsonNode> nodes = result.nodes();
        assertThat(nodes.get(nodes.size() - 1).get("eventTime").asText()).isEqualTo("2023-03-14T23:46:00.000Z");
    }

    @Test
    void binanceUsAndKrakenBtcUsd() throws IOException {
        assertThat(convert(Format.CANDLES, "binanceus", SourceKind.EXCHANGE, SVB.resolve("binanceus_btcusd_1m.csv.gz")).stats())
                .isEqualTo(new ImportStats(8_640, 8_638, 2));
        assertThat(convert(Format.CANDLES, "kraken", SourceKind.EXCHANGE, SVB.resolve("kraken_xbtusd_1m.csv.gz")).stats())
                .isEqualTo(new ImportStats(8_640, 8_640, 0));
    }

    @Test
    void chainlinkRoundsAreAllKeptWithRoundIdsBeyondSixtyFourBits() throws IOException {
        Converted result = convert(Format.CHAINLINK, "chainlink", SourceKind.ORACLE, CHAINLINK);

        assertThat(result.stats()).isEqualTo(new ImportStats(10_691, 10_691, 0));
        List<JsonNode> nodes = result.nodes();
        assertThat(result.lines().get(0))
                .isEqualTo("{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-04-05T22:35:11.000Z\",\"pair\":\"BTC-USD\","
                        + "\"source\":\"chainlink\",\"kind\":\"ORACLE\",\"price\":\"28157.11000000\","
                        + "\"round\":\"110680464442257309697\"}");
        assertThat(nodes.get(nodes.size() - 1).get("round").asText()).isEqualTo("110680464442257320387");
        // Phase 6, aggregator rounds 1..10,691 without gaps: round = 6 << 64 | n, in file order.
        BigInteger phase = BigInteger.valueOf(6).shiftLeft(64);
        List<Integer> outOfSequence = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!new BigInteger(nodes.get(i).get("round").asText()).equals(phase.add(BigInteger.valueOf(i + 1L)))) {
                outOfSequence.add(i);
            }
        }
        assertThat(outOfSequence).isEmpty();
        // Rounds sharing a second stay in round order: the later round is the later answer.
        assertThat(result.lines())
                .filteredOn(line -> line.contains("\"eventTime\":\"2023-05-10T17:18:35.000Z\""))
                .extracting(line -> Json.mapper().readTree(line).get("price").asText())
                .containsExactly("27112.45000000", "27294.76807200");
    }

    @Test
    void mergedVenuesAreInEventTimeOrderWithFileOrderForTies() throws IOException {
        Converted result = convert(Format.CANDLES, "btc-usd", SourceKind.EXCHANGE,
                SVB.resolve("coinbase_btc-usd_1m.csv.gz"), SVB.resolve("kraken_xbtusd_1m.csv.gz"));

        assertThat(result.stats().ticksWritten()).isEqualTo(8_636 + 8_640);
        List<String> lines = result.lines();
        // Both venues trade 00:00..00:01: Coinbase's close (first file) comes before Kraken's.
        assertThat(lines.get(0)).contains("\"eventTime\":\"2023-03-09T00:01:00.000Z\"", "\"price\":\"21712.64\"");
        assertThat(lines.get(1)).contains("\"eventTime\":\"2023-03-09T00:01:00.000Z\"", "\"price\":\"21708.1\"");
        List<Long> times = result.nodes().stream().map(n -> Times.parseIso(n.get("eventTime").asText())).toList();
        assertThat(times).isSorted();
    }

    @Test
    void everyLineIsAcceptedByTheJobsOwnInputParser() throws Exception {
        InputParser parser = new InputParser(ConfigLoader.defaults());
        for (String line : convert(Format.CHAINLINK, "chainlink", SourceKind.ORACLE, CHAINLINK).lines()) {
            PriceTick tick = parser.parsePrice(line);
            assertThat(tick.round()).isNotNull();
        }
        for (String line : convert(Format.CANDLES, "binanceus", SourceKind.EXCHANGE,
                SVB.resolve("binanceus_btcusdc_1m.csv.gz")).lines()) {
            assertThat(parser.parsePrice(line).volume()).isPositive();
        }
    }

    private static Converted convert(Format format, String source, SourceKind kind, Path... files) throws IOException {
        StringWriter out = new StringWriter();
        ImportStats stats = PriceImporter.convert(format, source, kind, "BTC-USD", List.of(files), out);
        return new Converted(stats, out.toString().lines().toList());
    }

    /** The output as text lines and, parsed once, as JSON. */
    private record Converted(ImportStats stats, List<String> lines, List<JsonNode> nodes) {
        Converted(ImportStats stats, List<String> lines) {
            this(stats, lines, lines.stream().map(Converted::parse).toList());
        }

        private static JsonNode parse(String line) {
            try {
                return Json.mapper().readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
