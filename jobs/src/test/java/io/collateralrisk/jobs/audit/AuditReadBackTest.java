package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.replay.Replay;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replay of real data (March 2023, three venues and the USDC leg as oracle, a generated loan
 * book, a few malformed records) writes its audit tables; they are read back here with Iceberg's
 * own generic reader on a catalog opened independently of the job's code, and compared with
 * what the job emitted on its topics. The replay is {@link AuditReplayFixture}, shared with the other audit tests.
 */
class AuditReadBackTest {

    private static Replay.Result result;
    private static HadoopCatalog catalog;
    private static int tickLines;
    private static int facilityLines;

    @BeforeAll
    static void replay() throws Exception {
        AuditReplayFixture fixture = AuditReplayFixture.get();
        result = fixture.result;
        tickLines = fixture.tickLines;
        facilityLines = fixture.facilityLines;
        catalog = new HadoopCatalog(new Configuration(), fixture.warehouse().toString());
    }

    @AfterAll
    static void close() throws Exception {
        catalog.close();
    }

    private static List<Record> rows(String table) throws Exception {
        Table t = catalog.loadTable(TableIdentifier.of("risk_audit", table));
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
            it.forEach(rows::add);
        }
        return rows;
    }

    private static Map<String, String> recordsById(List<Record> rows) {
        Map<String, String> byId = new HashMap<>();
        for (Record r : rows) {
            assertThat(byId.put((String) r.getField("event_id"), (String) r.getField("record")))
                    .as("event id %s appears once", r.getField("event_id")).isNull();
        }
        return byId;
    }

    private static Map<String, String> emitted(String topic) {
        return result.topic(topic).stream().collect(Collectors.toMap(OutputRecord::eventId, OutputRecord::json));
    }

    @Test
    void everyOutputTableHoldsExactlyTheEmittedRecords() throws Exception {
        assertThat(result.topic(Topics.MARGIN_CALLS)).hasSizeGreaterThan(100);
        assertThat(result.topic(Topics.DIVERGENCE)).isNotEmpty();
        assertThat(result.topic(Topics.DEAD_LETTER)).hasSize(3);

        assertThat(recordsById(rows("reference_prices"))).isEqualTo(emitted(Topics.REFERENCE_PRICES));
        assertThat(recordsById(rows("margin_call_events"))).isEqualTo(emitted(Topics.MARGIN_CALLS));
        assertThat(recordsById(rows("divergence_incidents"))).isEqualTo(emitted(Topics.DIVERGENCE));
        assertThat(recordsById(rows("rejected_events"))).isEqualTo(emitted(Topics.DEAD_LETTER));
        assertThat(rows("solvency_events")).isEmpty();
    }

    @Test
    void everyAcceptedInputIsInItsTableAndEveryRefusedOneInRejectedEvents() throws Exception {
        long refusedTicks = result.topic(Topics.DEAD_LETTER).stream().filter(d -> d.key().equals(Topics.PRICES)).count();
        long refusedFacility = result.topic(Topics.DEAD_LETTER).stream().filter(d -> d.key().equals(Topics.FACILITY_EVENTS)).count();
        assertThat(refusedTicks).isEqualTo(2);
        assertThat(refusedFacility).isEqualTo(1);
        assertThat(recordsById(rows("price_ticks"))).hasSize(tickLines - (int) refusedTicks);
        List<Record> facility = rows("facility_events");
        assertThat(recordsById(facility)).hasSize(facilityLines - (int) refusedFacility);
        assertThat(facility).allSatisfy(r -> assertThat(r.getField("outcome")).isEqualTo("APPLIED"));
        // The record of an accepted facility event is what was received, byte for byte.
        Record opened = facility.stream().filter(r -> r.getField("type").equals("FACILITY_OPENED")).findFirst().orElseThrow();
        JsonNode received = Json.outputReader().readTree((String) opened.getField("record"));
        assertThat(received.get("facilityId").asText()).isEqualTo(opened.getField("facility_id"));
        assertThat(received.get("policy").asText()).isEqualTo(opened.getField("policy"));
    }

    @Test
    void typedColumnsAgreeWithTheRecord() throws Exception {
        for (Record r : rows("margin_call_events")) {
            JsonNode json = Json.outputReader().readTree((String) r.getField("record"));
            assertThat(r.getField("type")).isEqualTo(json.get("type").asText());
            assertThat(r.getField("facility_id")).isEqualTo(json.get("facilityId").asText());
            assertThat(((OffsetDateTime) r.getField("event_time")).toInstant()).isEqualTo(Instant.parse(json.get("eventTime").asText()));
            if (json.hasNonNull("ltvPrice")) {
                assertThat((BigDecimal) r.getField("ltv_price")).isEqualByComparingTo(json.get("ltvPrice").asText());
            }
            if (json.hasNonNull("collateralVersion")) {
                assertThat(r.getField("collateral_version")).isEqualTo(json.get("collateralVersion").asLong());
            }
            if (json.hasNonNull("configHash")) {
                assertThat(r.getField("config_hash")).isEqualTo(RiskConfig.defaults().configHash());
            }
        }
        for (Record r : rows("reference_prices")) {
            JsonNode json = Json.outputReader().readTree((String) r.getField("record"));
            assertThat(((List<?>) r.getField("used"))).hasSize(json.get("used").size());
            assertThat(((List<?>) r.getField("excluded"))).hasSize(json.get("excluded").size());
            if (json.hasNonNull("price")) {
                assertThat((BigDecimal) r.getField("price")).isEqualByComparingTo(json.get("price").asText());
            }
        }
    }

    @Test
    void tablesArePartitionedByDayOfEventTime() throws Exception {
        Table t = catalog.loadTable(TableIdentifier.of("risk_audit", "reference_prices"));
        assertThat(t.spec().fields()).singleElement().satisfies(f -> assertThat(f.transform().toString()).isEqualTo("day"));
        List<Integer> days = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                days.add(file.partition().get(0, Integer.class));
            }
        }
        // The bundled data covers 9 to 15 March 2023: one partition per day.
        assertThat(days.stream().distinct().sorted().map(d -> LocalDate.ofEpochDay(d).toString()).toList())
                .contains("2023-03-10", "2023-03-11", "2023-03-12");
    }

    @Test
    void theConfigurationInForceIsRecordedOnce() throws Exception {
        List<Record> rows = rows("config_versions");
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.getField("config_hash")).isEqualTo(RiskConfig.defaults().configHash());
            assertThat(r.getField("content")).isEqualTo(RiskConfig.defaults().canonicalContent());
            assertThat(((OffsetDateTime) r.getField("first_used")).getOffset()).isEqualTo(ZoneOffset.UTC);
        });
    }
}
