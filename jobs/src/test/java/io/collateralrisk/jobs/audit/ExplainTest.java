package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.cli.RiskCli;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/risk explain} over the audit tables of a real-data replay ({@link AuditReplayFixture}):
 * every event of {@code margin_call_events} verifies against its inputs, the story names what an
 * auditor needs, and a warehouse in which rows were altered fails verification, naming the field.
 */
class ExplainTest {

    private static AuditReplayFixture fixture;
    private static HadoopCatalog catalog;
    private static List<JsonNode> events;

    @BeforeAll
    static void replay() throws Exception {
        fixture = AuditReplayFixture.get();
        catalog = new HadoopCatalog(new Configuration(), fixture.warehouse().toString());
        events = new ArrayList<>();
        for (OutputRecord r : fixture.result.topic(Topics.MARGIN_CALLS)) {
            events.add(Json.outputReader().readTree(r.json()));
        }
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    private static JsonNode first(Predicate<JsonNode> which) {
        return events.stream().filter(which).findFirst().orElseThrow(() -> new AssertionError("no such event in the replay"));
    }

    private static Predicate<JsonNode> ofType(String type) {
        return e -> type.equals(e.path("type").asText());
    }

    /** Runs {@code bin/risk} in this JVM; returns the exit code, standard output and standard error. */
    private static String[] risk(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = RiskCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void everyEventOfTheReplayVerifies() {
        Explainer explainer = new Explainer(AuditSource.cached(catalog));
        Map<String, Integer> byType = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int checks = 0;
        for (JsonNode e : events) {
            StoryVerifier.Verification v = StoryVerifier.verify(explainer.story(e.path("eventId").asText()));
            byType.merge(v.type(), 1, Integer::sum);
            List<String> fields = v.checks().stream().map(StoryVerifier.Check::field).toList();
            if (EventStory.FLAGS.contains(v.type())) {
                assertThat(fields).as(v.summary()).contains("eventId", "changes[0].eventType", "type");
            } else {
                // Nothing skipped: the decision was recomputed from its inputs, and the inputs checked.
                assertThat(fields).as(v.summary()).contains("eventId", "collateralVersion", "debtVersion", "configHash",
                        "ltvPrice", "reference.median", "reference.twap", "reference.price", "ltv", "triggerPrices.liquidation",
                        "toCure.collateralToPost", "recipients", "liquidateCollateral");
            }
            checks += v.checks().size();
            if (!v.passed()) {
                failures.add(v.summary());
            }
        }
        System.out.println("explain --verify over " + events.size() + " events, " + checks + " checks: " + byType);
        assertThat(failures).isEmpty();
        // The replay exercises the lifecycle broadly: each of these types is among the events verified.
        assertThat(byType).containsKeys("INITIAL_MARGIN_BREACH", "LTV_WARNING", "MARGIN_CALL_ISSUED", "LIQUIDATION_TRIGGERED",
                "LIQUIDATION_HELD", "LIQUIDATION_UNCONFIRMED");
    }

    @Test
    void theStoryNamesTheInputsTheRuleAndTheNeighbours() {
        JsonNode e = first(ofType("LIQUIDATION_TRIGGERED"));
        String[] run = risk("explain", "--warehouse", fixture.warehouse().toString(), "--verify", e.path("eventId").asText());
        assertThat(run[0]).as(run[2]).isEqualTo("0");
        String story = run[1];
        System.out.println(story);
        assertThat(story)
                .contains("LIQUIDATION_TRIGGERED", e.path("eventId").asText(), e.path("facilityId").asText())
                .contains("collateral", e.path("collateral").asText(), "version " + e.path("collateralVersion").asText())
                .contains("outstanding", e.path("outstanding").asText(), "COLLATERAL_UPDATED", "DEBT_UPDATED")
                .contains("evaluation " + e.path("evaluationId").asText())
                .contains("coinbase", "kraken", "binanceus")
                .contains("LTV price " + e.path("ltvPrice").asText())
                .contains("LTV = outstanding / (collateral x LTV price)", "= " + e.path("ltv").asText())
                .contains("policy " + e.path("policy").path("name").asText(), "liquidation " + e.path("policy").path("liquidation").asText())
                .contains(e.path("configHash").asText())
                .contains("Divergence")
                .contains("sell " + e.path("liquidateCollateral").asText())
                .contains(">> ", "input FACILITY_OPENED")
                .contains("Verification: ", "no difference");
    }

    @Test
    void eachSourceTellsTheSameStory() {
        Explainer scanning = new Explainer(AuditSource.scanning(catalog));
        Explainer cached = new Explainer(AuditSource.cached(catalog));
        for (String type : List.of("MARGIN_CALL_ISSUED", "LIQUIDATION_HELD", "LIQUIDATION_UNCONFIRMED")) {
            String id = first(ofType(type)).path("eventId").asText();
            assertThat(StoryPrinter.render(scanning.story(id))).isEqualTo(StoryPrinter.render(cached.story(id)));
        }
    }

    @Test
    void misuseAndUnknownEvents() {
        String[] noCatalog = risk("explain", "some-id");
        assertThat(noCatalog[0]).isEqualTo("2");
        assertThat(noCatalog[2]).contains("--warehouse");
        String[] unknown = risk("explain", "--warehouse", fixture.warehouse().toString(), "no-such-id");
        assertThat(unknown[0]).isEqualTo("1");
        assertThat(unknown[2]).contains("no event no-such-id in risk_audit.margin_call_events");
    }

    @Test
    void theCatalogCanBeTheConfigurations(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("risk.yaml");
        Files.writeString(config, "audit: {catalog: {type: hadoop, warehouse: \"" + fixture.warehouse() + "\"}}\n");
        String id = first(ofType("LTV_HEALTHY")).path("eventId").asText();
        String[] run = risk("explain", "--config", config.toString(), "--verify", id);
        assertThat(run[0]).as(run[2]).isEqualTo("0");
        assertThat(run[1]).contains("LTV_HEALTHY", id, "no difference");

        Files.writeString(config, "audit: {timeTravelDays: 30}\n");
        String[] noWarehouse = risk("explain", "--config", config.toString(), id);
        assertThat(noWarehouse[0]).isEqualTo("2");
        assertThat(noWarehouse[2]).contains("audit.catalog.warehouse is empty");
        String[] both = risk("explain", "--config", config.toString(), "--warehouse", fixture.warehouse().toString(), id);
        assertThat(both[0]).isEqualTo("2");
    }

    @Test
    void alteredRowsFailVerificationNamingTheField(@TempDir Path dir) throws Exception {
        JsonNode call = first(ofType("MARGIN_CALL_ISSUED"));
        JsonNode trigger = first(ofType("LIQUIDATION_TRIGGERED"));
        JsonNode warning = first(ofType("LTV_WARNING").and(e -> !e.path("evaluationId").equals(call.path("evaluationId"))
                && !e.path("evaluationId").equals(trigger.path("evaluationId"))));
        JsonNode held = first(ofType("LIQUIDATION_HELD"));
        JsonNode healthy = first(ofType("LTV_HEALTHY"));
        JsonNode untouched = first(ofType("INITIAL_MARGIN_BREACH").and(e -> !e.path("evaluationId").equals(warning.path("evaluationId"))));
        String warningEvaluation = warning.path("evaluationId").asText();

        try (HadoopCatalog altered = new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toString())) {
            WarehouseCopy.copy(catalog, altered, (table, row) -> {
                Object id = row.getField("event_id");
                if ("margin_call_events".equals(table) && id.equals(call.path("eventId").asText())) {
                    // A higher LTV written into the margin call, in its column and its record.
                    BigDecimal ltv = new BigDecimal(call.path("ltv").asText()).add(new BigDecimal("0.010000"));
                    row.setField("ltv", ltv.setScale(18));
                    WarehouseCopy.editRecord(row, json -> json.put("ltv", ltv.toPlainString()));
                } else if ("margin_call_events".equals(table) && id.equals(trigger.path("eventId").asText())) {
                    // The trigger claims a later collateral version than the one it used.
                    long version = trigger.path("collateralVersion").asLong() + 1;
                    row.setField("collateral_version", version);
                    WarehouseCopy.editRecord(row, json -> json.put("collateralVersion", version));
                } else if ("reference_prices".equals(table) && warningEvaluation.equals(row.getField("evaluation_id"))) {
                    // The evaluation behind a warning reports another price.
                    BigDecimal price = ((BigDecimal) row.getField("price")).add(BigDecimal.ONE);
                    row.setField("price", price);
                    WarehouseCopy.editRecord(row, json -> json.put("price", price.stripTrailingZeros().toPlainString()));
                } else if ("margin_call_events".equals(table) && id.equals(held.path("eventId").asText())) {
                    // Only the typed column is changed: it no longer says what the record says.
                    row.setField("hold_reason", "PRICE_UNAVAILABLE".equals(row.getField("hold_reason")) ? "CIRCUIT_BREAKER" : "PRICE_UNAVAILABLE");
                } else if ("margin_call_events".equals(table) && id.equals(healthy.path("eventId").asText())) {
                    // A record that is no longer what the product writes.
                    WarehouseCopy.editRecord(row, json -> json.put("outstanding", "a lot"));
                }
            });
        }
        String warehouse = dir.resolve("warehouse").toString();

        String[] ltv = risk("explain", "--warehouse", warehouse, "--verify", call.path("eventId").asText());
        assertThat(ltv[0]).isEqualTo("1");
        assertThat(ltv[1]).containsPattern("DIFFERS ltv +recorded");
        assertThat(ltv[2]).contains("verification failed", "ltv (recorded ");

        String[] version = risk("explain", "--warehouse", warehouse, "--verify", trigger.path("eventId").asText());
        assertThat(version[0]).isEqualTo("1");
        assertThat(version[2]).contains("collateralVersion (recorded ", "eventId (recorded ", "liquidationId (recorded ");

        String[] price = risk("explain", "--warehouse", warehouse, "--verify", warning.path("eventId").asText());
        assertThat(price[0]).isEqualTo("1");
        assertThat(price[2]).contains("ltvPrice (recorded ", "reference.price (recorded ");

        String[] column = risk("explain", "--warehouse", warehouse, "--verify", held.path("eventId").asText());
        assertThat(column[0]).isEqualTo("1");
        assertThat(column[2]).contains("column hold_reason (recorded ");

        String[] malformed = risk("explain", "--warehouse", warehouse, "--verify", healthy.path("eventId").asText());
        assertThat(malformed[0]).isEqualTo("1");
        assertThat(malformed[1]).contains("cannot be told");
        assertThat(malformed[2]).contains("column outstanding (recorded ", "outstanding (recorded a lot, recomputed a decimal)");

        // The copy itself is faithful: an event whose rows were left alone still verifies there.
        String[] same = risk("explain", "--warehouse", warehouse, "--verify", untouched.path("eventId").asText());
        assertThat(same[0]).as(same[2]).isEqualTo("0");
    }
}
