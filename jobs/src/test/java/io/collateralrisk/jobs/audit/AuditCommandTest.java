package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.cli.RiskCli;
import io.collateralrisk.jobs.replay.Replay;
import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.sinks.audit.ConfigVersions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bin/risk audit} and {@code audit maintain} on the warehouse of a small replay. */
class AuditCommandTest {

    private static Path warehouse;
    private static long firstConfigSnapshot;
    private static Instant betweenConfigs;

    /** Three exchanges a minute apart from 10:{@code from} to 10:{@code to} (exclusive), one malformed line. */
    private static Path input(Path dir, int from, int to) throws Exception {
        List<String> ticks = new ArrayList<>();
        String[] sources = {"coinbase", "kraken", "bitstamp"};
        for (int minute = from; minute < to; minute++) {
            for (int s = 0; s < sources.length; s++) {
                ticks.add(String.format("{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:%02d:00Z\",\"pair\":\"BTC-USD\",\"source\":\"%s\","
                        + "\"kind\":\"EXCHANGE\",\"price\":\"%d.%02d\"}", minute, sources[s], 20000 - minute * 10, s));
            }
        }
        ticks.add("{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:05:00Z\"");
        Path in = Files.createDirectories(dir);
        Files.write(in.resolve("prices.jsonl"), ticks, StandardCharsets.UTF_8);
        return in;
    }

    @BeforeAll
    static void replay(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        RiskConfig config = RiskConfig.defaults();
        new Replay(config, 2, Replay.auditCatalog(config, out)).run(input(dir.resolve("in"), 0, 30), out);
        warehouse = out.resolve("warehouse");

        // A second configuration, recorded later: config_versions gets a second snapshot.
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toString())) {
            Table versions = catalog.loadTable(TableIdentifier.of("risk_audit", "config_versions"));
            firstConfigSnapshot = versions.currentSnapshot().snapshotId();
            Thread.sleep(20);
            betweenConfigs = Instant.now();
            Thread.sleep(20);
            ConfigVersions.registerIfAbsent(catalog, ConfigLoader.parse("lateness: {outOfOrder: 10s}"), "test", Instant.now());
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run risk(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RiskCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aQueryPrintsAReadableTable() {
        Run r = risk("audit", "--warehouse", warehouse.toString(),
                "SELECT source, count(*) AS ticks, min(price) AS low FROM price_ticks GROUP BY source ORDER BY source");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                source   | ticks | low
                -------- | ----- | --------
                bitstamp | 30    | 19710.02
                coinbase | 30    | 19710.00
                kraken   | 30    | 19710.01
                (3 rows)
                """);
    }

    @Test
    void csvAndJsonKeepDecimalsExact() throws Exception {
        String sql = "SELECT reason, payload FROM rejected_events";
        Run csv = risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", sql);
        assertThat(csv.exit()).as(csv.err()).isZero();
        assertThat(csv.out()).startsWith("reason,payload\r\nMALFORMED_JSON,\"{\"\"type\"\"");

        Run json = risk("audit", "--warehouse", warehouse.toString(), "--format", "json",
                "SELECT event_time, price FROM reference_prices ORDER BY event_time LIMIT 1");
        assertThat(json.exit()).as(json.err()).isZero();
        var node = Json.outputReader().readTree(json.out());
        assertThat(node.get(0).get("event_time").asText()).isEqualTo("2023-03-10T10:00:00Z");
        assertThat(node.get(0).get("price").isTextual()).isTrue();
        assertThat(node.get(0).get("price").asText()).isEqualTo("20000.01");
    }

    @Test
    void tablesAnswerToTheirNamespaceQualifiedNamesAsTheSpecWritesThem() {
        String plain = "SELECT count(*) AS n FROM price_ticks";
        for (String sql : List.of(plain, "SELECT count(*) AS n FROM risk_audit.price_ticks",
                "SELECT count(*) AS n FROM `risk_audit`.`price_ticks`", "SELECT count(*) AS n FROM risk.risk_audit.price_ticks")) {
            Run r = risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", sql);
            assertThat(r.exit()).as(sql + ": " + r.err()).isZero();
            assertThat(r.out()).as(sql).isEqualTo("n\r\n90\r\n");
        }
        // Qualified names travel in time with the plain ones, in one query.
        Run travelled = risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", "--snapshot", Long.toString(firstConfigSnapshot),
                "SELECT (SELECT count(*) FROM risk_audit.config_versions) AS qualified, (SELECT count(*) FROM config_versions) AS plain");
        assertThat(travelled.exit()).as(travelled.err()).isZero();
        assertThat(travelled.out()).isEqualTo("qualified,plain\r\n1,1\r\n");
        Run unknown = risk("audit", "--warehouse", warehouse.toString(), "SELECT * FROM risk_audit.no_such_table");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("no_such_table");
    }

    @Test
    void anythingButAQueryIsRefused() {
        for (String sql : List.of(
                "INSERT INTO config_versions SELECT * FROM config_versions",
                "DROP TABLE risk.risk_audit.price_ticks",
                "CREATE TABLE t (a INT)")) {
            Run r = risk("audit", "--warehouse", warehouse.toString(), sql);
            assertThat(r.exit()).as(sql).isEqualTo(2);
            assertThat(r.err()).contains("only a query");
        }
        assertThat(risk("audit", "--warehouse", warehouse.toString(), "SELECT count(*) AS n FROM price_ticks").out()).contains("\n90\n");
    }

    @Test
    void timeTravelReadsWhatTheTablesHeldThen() {
        String sql = "SELECT count(*) AS n FROM config_versions";
        assertThat(risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", sql).out()).isEqualTo("n\r\n2\r\n");
        assertThat(risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", "--snapshot", Long.toString(firstConfigSnapshot), sql).out())
                .isEqualTo("n\r\n1\r\n");
        assertThat(risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", "--as-of", betweenConfigs.toString(), sql).out())
                .isEqualTo("n\r\n1\r\n");
        // Before the replay wrote anything, every table was empty.
        assertThat(risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", "--as-of", "2020-01-01T00:00:00Z",
                "SELECT count(*) AS n FROM reference_prices").out()).isEqualTo("n\r\n0\r\n");
        Run unknown = risk("audit", "--warehouse", warehouse.toString(), "--snapshot", "42", sql);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no audit table has snapshot 42");
    }

    @Test
    void maintenanceCompactsWithoutLosingARowAndExpiresOnlyOldSnapshots(@TempDir Path dir) throws Exception {
        // Two runs into one warehouse, as two checkpoints of a live job would: two files in one day.
        Path warehouse = dir.resolve("warehouse");
        RiskConfig config = RiskConfig.defaults();
        new Replay(config, 2, AuditCatalogConfig.hadoop(warehouse.toString())).run(input(dir.resolve("in1"), 0, 15), dir.resolve("out1"));
        new Replay(config, 2, AuditCatalogConfig.hadoop(warehouse.toString())).run(input(dir.resolve("in2"), 15, 30), dir.resolve("out2"));
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toString())) {
            String sql = "SELECT event_id FROM reference_prices ORDER BY event_id";
            String before = risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", sql).out();
            Table table = catalog.loadTable(TableIdentifier.of("risk_audit", "reference_prices"));
            int filesBefore = AuditMaintenance.dataFiles(table);
            assertThat(filesBefore).as("one file a run").isEqualTo(2);

            List<AuditMaintenance.Report> reports = AuditMaintenance.run(catalog, 400, Instant.now());
            AuditMaintenance.Report prices = reports.stream().filter(x -> x.table().equals("reference_prices")).findFirst().orElseThrow();
            assertThat(prices.filesAfter()).isEqualTo(1);
            assertThat(prices.rows()).isEqualTo(30);
            assertThat(prices.snapshotsExpired()).isZero();
            assertThat(risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", sql).out()).isEqualTo(before);

            // 401 days later, the pre-compaction snapshot is past the time-travel window: expired, rows kept.
            table.refresh();
            int snapshots = 0;
            for (Snapshot ignored : table.snapshots()) {
                snapshots++;
            }
            assertThat(snapshots).isGreaterThan(1);
            AuditMaintenance.run(catalog, 400, Instant.now().plus(Duration.ofDays(401)));
            table.refresh();
            assertThat(table.snapshots()).hasSize(1);
            assertThat(risk("audit", "--warehouse", warehouse.toString(), "--format", "csv", sql).out()).isEqualTo(before);
        }
    }

    @Test
    void theCatalogMustBeNamed() {
        Run r = risk("audit", "SELECT 1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--warehouse DIR or --config FILE");
    }
}
