package io.collateralrisk.jobs.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.cli.ImportCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportCommandTest {

    private static final String HEADER = "open_time_ms,close,volume_base";

    @TempDir Path dir;

    @Test
    void writesJsonlToStandardOutputAndASummaryToStandardError() throws IOException {
        Path csv = csv("a.csv", "1678320000000,21712.64,10.35490257", "1678320060000,21678.57,0.0");

        Run run = run("--format", "CANDLES", "--source", "coinbase", "--kind", "exchange", "--pair", "BTC-USD", csv.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(
                "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-09T00:01:00.000Z\",\"pair\":\"BTC-USD\","
                        + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"21712.64\",\"volume\":\"10.35490257\"}\n");
        assertThat(run.err().lines().toList()).singleElement().asString()
                .contains("2 rows read", "1 ticks written", "1 zero-volume fills skipped");
    }

    @Test
    void writesToTheOutFileAndKeepsItWhenALaterImportFails() throws IOException {
        Path good = csv("good.csv", "1678320000000,21712.64,1.5");
        Path bad = csv("bad.csv", "1678320000000,oops,1.5");
        Path out = dir.resolve("prices.jsonl");

        Run first = run("--format", "candles", "--source", "s", "--kind", "EXCHANGE", "--pair", "BTC-USD",
                "--out", out.toString(), good.toString());
        String written = Files.readString(out);
        Run second = run("--format", "candles", "--source", "s", "--kind", "EXCHANGE", "--pair", "BTC-USD",
                "--out", out.toString(), bad.toString());

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).isEmpty();
        assertThat(written).startsWith("{\"type\":\"PRICE_TICK\"").endsWith("\"volume\":\"1.5\"}\n");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.err()).contains("bad.csv", "line 2");
        assertThat(Files.readString(out)).isEqualTo(written);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void refusesUsageErrors() throws IOException {
        Path csv = csv("a.csv", "1678320000000,1,1");

        assertThat(run("--format", "candles", "--source", "s", "--kind", "EXCHANGE", "--pair", "BTC-USD").exitCode())
                .as("no input file").isEqualTo(2);
        assertThat(run("--format", "parquet", "--source", "s", "--kind", "EXCHANGE", "--pair", "BTC-USD", csv.toString()).err())
                .contains("expected candles or chainlink");
        assertThat(run("--format", "candles", "--source", "s", "--kind", "DEX", "--pair", "BTC-USD", csv.toString()).exitCode())
                .isEqualTo(2);
    }

    private Path csv(String name, String... rows) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, HEADER + "\n" + String.join("\n", rows) + "\n");
        return file;
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ImportCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
