package io.collateralrisk.sinks.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A solvency_events table created by the first release gains the typed columns at start, and keeps its rows. */
class SolvencyEventsEvolutionTest {

    /** The table as the first release created it: no typed solvency columns. */
    private static final Schema FIRST_RELEASE = new Schema(
            Types.NestedField.required(1, "event_id", AuditTables.TEXT),
            Types.NestedField.required(2, "event_time", AuditTables.TIME),
            Types.NestedField.required(3, "type", AuditTables.TEXT),
            Types.NestedField.optional(4, "wallet", AuditTables.TEXT),
            Types.NestedField.optional(5, "custody", AuditTables.TEXT),
            Types.NestedField.optional(6, "config_hash", AuditTables.TEXT),
            Types.NestedField.required(7, "record", AuditTables.TEXT));

    @Test
    void anOldTableGainsTheOptionalColumnsAndItsRowsReadNullThere(@TempDir Path dir) throws Exception {
        HadoopCatalog catalog = new HadoopCatalog(new Configuration(), dir.toUri().toString());
        catalog.createNamespace(Namespace.of(AuditTables.NAMESPACE));
        TableIdentifier id = TableIdentifier.of(AuditTables.NAMESPACE, AuditTables.SOLVENCY_EVENTS);
        Table old = catalog.buildTable(id, FIRST_RELEASE).withPartitionSpec(PartitionSpec.unpartitioned()).create();
        GenericRecord row = GenericRecord.create(FIRST_RELEASE);
        row.setField("event_id", "e-1");
        row.setField("event_time", OffsetDateTime.of(2024, 5, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        row.setField("type", "PORTFOLIO_AT_RISK");
        row.setField("wallet", "W1");
        row.setField("record", "{\"type\":\"PORTFOLIO_AT_RISK\"}");
        DataWriter<Record> writer = new GenericAppenderFactory(FIRST_RELEASE).newDataWriter(
                EncryptedFiles.plainAsEncryptedOutput(old.io().newOutputFile(dir.resolve("old.parquet").toUri().toString())),
                FileFormat.PARQUET, null);
        try (writer) {
            writer.write(row);
        }
        DataFile file = writer.toDataFile();
        old.newAppend().appendFile(file).commit();

        AuditTables.createIfAbsent(catalog, 30);

        Table evolved = catalog.loadTable(id);
        Schema expected = AuditTables.byName(AuditTables.SOLVENCY_EVENTS).schema();
        // Same names, ids, types and order as a table created now; the old columns untouched.
        assertThat(evolved.schema().columns()).hasSameSizeAs(expected.columns());
        for (int i = 0; i < expected.columns().size(); i++) {
            Types.NestedField want = expected.columns().get(i);
            Types.NestedField got = evolved.schema().columns().get(i);
            assertThat(List.of(got.fieldId(), got.name(), got.type(), got.isOptional()))
                    .isEqualTo(List.of(want.fieldId(), want.name(), want.type(), want.isOptional()));
        }
        for (Types.NestedField f : FIRST_RELEASE.columns()) {
            assertThat(evolved.schema().findField(f.name())).isEqualTo(evolved.schema().findField(f.fieldId()));
            assertThat(evolved.schema().findField(f.name()).type()).isEqualTo(f.type());
        }
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> read = IcebergGenerics.read(evolved).build()) {
            read.forEach(rows::add);
        }
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.getField("event_id")).isEqualTo("e-1");
            assertThat(r.getField("wallet")).isEqualTo("W1");
            for (String added : List.of("portfolio", "state", "previous_state", "utilization", "utilization_infinite",
                    "code_version", "invariant", "field", "slot", "difference")) {
                assertThat(r.getField(added)).as(added).isNull();
            }
        });

        // A second start finds nothing to add and commits nothing.
        long snapshots = evolved.schemas().size();
        AuditTables.createIfAbsent(catalog, 30);
        assertThat(catalog.loadTable(id).schemas()).hasSize((int) snapshots);
        assertThat(AuditTables.evolve(catalog.loadTable(id), AuditTables.byName(AuditTables.SOLVENCY_EVENTS))).isEmpty();
    }
}
