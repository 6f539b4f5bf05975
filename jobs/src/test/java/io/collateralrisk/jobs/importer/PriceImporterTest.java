package io.collateralrisk.jobs.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.jobs.importer.PriceImporter.Format;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceImporterTest {

    private static final String CANDLE_HEADER =
            "open_time_ms,open_time_utc,venue,symbol,open,high,low,close,volume_base,trades";
    private static final String CHAINLINK_HEADER =
            "pair,proxy_address,round_id,phase_id,aggregator_round_id,answer_raw_1e8,answer_usd,"
                    + "started_at_s,updated_at_s,updated_at_utc,answered_in_round";

    @TempDir Path dir;

    @Test
    void candleCloseIsTickedAtTheEndOfItsMinuteWithExactStrings() throws IOException {
        Path csv = write("coinbase.csv",
                CANDLE_HEADER,
                "1678320060000,2023-03-09T00:01:00Z,coinbase,BTC-USD,21710.58,21721.64,21674.49,21678.57,37.12407869,");

        Result result = convert(Format.CANDLES, "coinbase", SourceKind.EXCHANGE, csv);

        assertThat(result.lines()).containsExactly(
                "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-09T00:02:00.000Z\",\"pair\":\"BTC-USD\","
                        + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"21678.57\",\"volume\":\"37.12407869\"}");
        assertThat(result.stats()).isEqualTo(new ImportStats(1, 1, 0));
    }

    @Test
    void decimalTextIsCopiedAsWrittenNeverReprinted() throws IOException {
        // Trailing zeros, float artefacts and exponent notation all occur in the bundled files.
        Path csv = write("kraken.csv",
                CANDLE_HEADER,
                "1678320000000,2023-03-09T00:00:00Z,kraken,XBT/USD,1,1,1,21715.0,0.056557130000000004,3",
                "1678320060000,2023-03-09T00:01:00Z,kraken,XBT/USD,1,1,1,20352.74000,1e-05,1");

        List<String> lines = convert(Format.CANDLES, "kraken", SourceKind.EXCHANGE, csv).lines();

        assertThat(lines.get(0)).contains("\"price\":\"21715.0\",\"volume\":\"0.056557130000000004\"");
        assertThat(lines.get(1)).contains("\"price\":\"20352.74000\",\"volume\":\"1e-05\"");
    }

    @Test
    void zeroVolumeRowsAreForwardFillsAndGiveNoTick() throws IOException {
        Path csv = write("binanceus.csv",
                CANDLE_HEADER,
                "1678320000000,2023-03-09T00:00:00Z,binanceus,BTCUSDC,1,1,1,100.5,0.04608,1",
                "1678320060000,2023-03-09T00:01:00Z,binanceus,BTCUSDC,1,1,1,100.5,0.0,0",
                "1678320120000,2023-03-09T00:02:00Z,binanceus,BTCUSDC,1,1,1,100.5,0,0",
                "1678320180000,2023-03-09T00:03:00Z,binanceus,BTCUSDC,1,1,1,100.5,0.00000000,0",
                "1678320240000,2023-03-09T00:04:00Z,binanceus,BTCUSDC,1,1,1,100.5,0E-8,0",
                "1678320300000,2023-03-09T00:05:00Z,binanceus,BTCUSDC,1,1,1,101.25,0.5,2");

        Result result = convert(Format.CANDLES, "binanceus", SourceKind.EXCHANGE, csv);

        assertThat(result.stats()).isEqualTo(new ImportStats(6, 2, 4));
        assertThat(result.lines()).hasSize(2);
        assertThat(result.lines().get(0)).contains("\"eventTime\":\"2023-03-09T00:01:00.000Z\"");
        assertThat(result.lines().get(1)).contains("\"eventTime\":\"2023-03-09T00:06:00.000Z\"", "\"price\":\"101.25\"");
    }

    @Test
    void columnsAreFoundByNameAndCrlfLineEndingsAreAccepted() throws IOException {
        Path csv = dir.resolve("reordered.csv");
        Files.writeString(csv,
                "volume_base,extra,close,open_time_ms\r\n"
                        + "2.5,x,30000.01,1678320000000\r\n");

        List<String> lines = convert(Format.CANDLES, "v", SourceKind.EXCHANGE, csv).lines();

        assertThat(lines).containsExactly(
                "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-09T00:01:00.000Z\",\"pair\":\"BTC-USD\","
                        + "\"source\":\"v\",\"kind\":\"EXCHANGE\",\"price\":\"30000.01\",\"volume\":\"2.5\"}");
    }

    @Test
    void gzipInputIsReadByItsSuffix() throws IOException {
        String[] rows = {
            CANDLE_HEADER,
            "1678320000000,2023-03-09T00:00:00Z,coinbase,BTC-USD,1,1,1,21712.64,10.35490257,",
            "1678320060000,2023-03-09T00:01:00Z,coinbase,BTC-USD,1,1,1,21678.57,37.12407869,"
        };
        Path plain = write("c.csv", rows);
        Path gzip = dir.resolve("c.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzip))) {
            out.write(Files.readAllBytes(plain));
        }

        Result fromGzip = convert(Format.CANDLES, "coinbase", SourceKind.EXCHANGE, gzip);

        assertThat(fromGzip.text()).isEqualTo(convert(Format.CANDLES, "coinbase", SourceKind.EXCHANGE, plain).text());
        assertThat(fromGzip.lines()).hasSize(2);
    }

    @Test
    void chainlinkRoundsKeepTheAnswerAndTheFullRoundId() throws IOException {
        Path csv = write("rounds.csv",
                CHAINLINK_HEADER,
                "BTC/USD,0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c,110680464442257309697,6,1,2815711000000,"
                        + "28157.11000000,1680734111,1680734111,2023-04-05T22:35:11Z,110680464442257309697");

        Result result = convert(Format.CHAINLINK, "chainlink", SourceKind.ORACLE, csv);

        assertThat(result.lines()).containsExactly(
                "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-04-05T22:35:11.000Z\",\"pair\":\"BTC-USD\","
                        + "\"source\":\"chainlink\",\"kind\":\"ORACLE\",\"price\":\"28157.11000000\","
                        + "\"round\":\"110680464442257309697\"}");
        assertThat(result.stats()).isEqualTo(new ImportStats(1, 1, 0));
    }

    @Test
    void filesAreMergedByEventTimeKeepingFileThenRowOrderForEqualTimes() throws IOException {
        // Two rounds in one second (as on-chain), and a second file interleaving with the first.
        Path first = write("a.csv",
                CHAINLINK_HEADER,
                chainlinkRow("1", "100.00", 1000),
                chainlinkRow("2", "101.00", 1000),
                chainlinkRow("3", "103.00", 3000));
        Path second = write("b.csv",
                CHAINLINK_HEADER,
                chainlinkRow("10", "200.00", 1000),
                chainlinkRow("11", "202.00", 2000),
                chainlinkRow("12", "204.00", 4000));

        Result result = convert(Format.CHAINLINK, "chainlink", SourceKind.ORACLE, first, second);

        assertThat(result.lines())
                .extracting(line -> line.replaceAll(".*\"round\":\"(\\d+)\".*", "$1"))
                .containsExactly("1", "2", "10", "11", "3", "12");
        assertThat(result.stats()).isEqualTo(new ImportStats(6, 6, 0));
    }

    @Test
    void anUnsortedFileIsStillWrittenInEventTimeOrder() throws IOException {
        Path csv = write("unsorted.csv",
                CHAINLINK_HEADER,
                chainlinkRow("2", "101.00", 2000),
                chainlinkRow("1", "100.00", 1000));

        assertThat(convert(Format.CHAINLINK, "chainlink", SourceKind.ORACLE, csv).lines())
                .extracting(line -> line.replaceAll(".*\"round\":\"(\\d+)\".*", "$1"))
                .containsExactly("1", "2");
    }

    @Test
    void aMalformedRowFailsNamingFileAndLineAndWritesNothing() throws IOException {
        Path good = write("good.csv", CANDLE_HEADER, "1678320000000,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,1.0,");
        Path bad = write("bad.csv",
                CANDLE_HEADER,
                "1678320000000,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,1.0,",
                "1678320060000,2023-03-09T00:01:00Z,x,y,1,1,1,not-a-price,1.0,");
        StringWriter out = new StringWriter();

        assertThatThrownBy(() -> PriceImporter.convert(
                        Format.CANDLES, "x", SourceKind.EXCHANGE, "BTC-USD", List.of(good, bad), out))
                .isInstanceOfSatisfying(MalformedCsvException.class, e -> {
                    assertThat(e.file()).isEqualTo(bad);
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("bad.csv", "line 3", "close", "not-a-price");
                });
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void rowsThatDoNotFitTheLayoutAreRefused() throws IOException {
        assertMalformed(Format.CANDLES, 2, "expected 10 fields, found 9",
                CANDLE_HEADER, "1678320000000,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,1.0");
        assertMalformed(Format.CANDLES, 2, "volume_base is negative",
                CANDLE_HEADER, "1678320000000,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,-1.0,");
        assertMalformed(Format.CANDLES, 2, "volume_base is not a decimal",
                CANDLE_HEADER, "1678320000000,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,,");
        assertMalformed(Format.CANDLES, 2, "open_time_ms is not an integer",
                CANDLE_HEADER, "2023-03-09,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,1.0,");
        assertMalformed(Format.CANDLES, 2, "open_time_utc '2023-03-09T00:01:00Z' disagrees",
                CANDLE_HEADER, "1678320000000,2023-03-09T00:01:00Z,x,y,1,1,1,100.5,1.0,");
        assertMalformed(Format.CANDLES, 1, "missing column 'volume_base'",
                "open_time_ms,close", "1678320000000,100.5");
        assertMalformed(Format.CHAINLINK, 2, "round_id is not a non-negative integer",
                CHAINLINK_HEADER, chainlinkRow("1.5", "100.00", 1000));
        assertMalformed(Format.CHAINLINK, 3, "not a completed round",
                CHAINLINK_HEADER, chainlinkRow("1", "100.00", 1000), chainlinkRow("0", "0", 0));
        assertMalformed(Format.CHAINLINK, 1, "empty file", new String[0]);
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedNotReplaced() throws IOException {
        Path csv = dir.resolve("latin1.csv");
        Files.write(csv, (CANDLE_HEADER + "\n1678320000000,2023-03-09T00:00:00Z,b\u00f6rse,y,1,1,1,100.5,1.0,\n")
                .getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> convert(Format.CANDLES, "s", SourceKind.EXCHANGE, csv))
                .isInstanceOf(MalformedCsvException.class)
                .hasMessageContaining("latin1.csv")
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void outputIsAsciiWhateverTheSourceName() throws IOException {
        Path csv = write("c.csv", CANDLE_HEADER, "1678320000000,2023-03-09T00:00:00Z,x,y,1,1,1,100.5,1.0,");

        String line = convert(Format.CANDLES, "b\u00f6rse", SourceKind.EXCHANGE, csv).lines().get(0);

        assertThat(line).contains("\"source\":\"b\\u00F6rse\"").matches("\\p{ASCII}*");
        assertThat(Json.mapper().readTree(line).get("source").asText()).isEqualTo("b\u00f6rse");
    }

    @Test
    void quotedFieldsAreUnquoted() throws Exception {
        assertThat(PriceImporter.split("\"a,b\",\"say \"\"hi\"\"\",,c,"))
                .containsExactly("a,b", "say \"hi\"", "", "c", "");
    }

    private void assertMalformed(Format format, long line, String reason, String... rows) throws IOException {
        Path csv = write("case.csv", rows);
        assertThatThrownBy(() -> convert(format, "s", SourceKind.EXCHANGE, csv))
                .isInstanceOfSatisfying(MalformedCsvException.class, e -> {
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.getMessage()).contains("case.csv", "line " + line, reason);
                });
    }

    private static String chainlinkRow(String round, String answer, long updatedAtS) {
        String iso = updatedAtS == 0 ? "" : Instant.ofEpochSecond(updatedAtS).toString();
        return "BTC/USD,0xproxy," + round + ",6,1,0," + answer + "," + updatedAtS + "," + updatedAtS + "," + iso + "," + round;
    }

    private Path write(String name, String... rows) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, rows.length == 0 ? "" : String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static Result convert(Format format, String source, SourceKind kind, Path... files) throws IOException {
        StringWriter out = new StringWriter();
        ImportStats stats = PriceImporter.convert(format, source, kind, "BTC-USD", List.of(files), out);
        return new Result(stats, out.toString());
    }

    private record Result(ImportStats stats, String text) {
        /** The output's lines; every line, the last included, ends with a newline. */
        List<String> lines() {
            if (!text.isEmpty()) {
                assertThat(text).endsWith("\n");
            }
            return text.lines().toList();
        }
    }
}
