package io.collateralrisk.jobs.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.sinks.audit.AuditTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;

/**
 * Copies every audit table into another catalog, row by row, altering the rows a test chooses on
 * the way: an audit warehouse in which someone changed history.
 */
final class WarehouseCopy {

    /** Alters a row in place; called for every row of every table. */
    interface Alteration {
        void apply(String table, Record row);
    }

    private WarehouseCopy() {}

    static void copy(Catalog from, Catalog to, Alteration alteration) {
        AuditTables.createIfAbsent(to, 400);
        for (AuditTables.Definition d : AuditTables.ALL) {
            Table source = from.loadTable(d.identifier());
            Table target = to.loadTable(d.identifier());
            InternalRecordWrapper wrapper = new InternalRecordWrapper(target.schema().asStruct());
            Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
            try (CloseableIterable<Record> rows = IcebergGenerics.read(source).build()) {
                for (Record r : rows) {
                    Record row = r.copy();
                    alteration.apply(d.name(), row);
                    PartitionKey key = new PartitionKey(target.spec(), target.schema());
                    key.partition(wrapper.wrap(row));
                    byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (byPartition.isEmpty()) {
                continue;
            }
            GenericAppenderFactory factory = new GenericAppenderFactory(target.schema(), target.spec());
            AppendFiles append = target.newAppend();
            for (Map.Entry<PartitionKey, List<Record>> part : byPartition.entrySet()) {
                PartitionKey key = target.spec().isUnpartitioned() ? null : part.getKey();
                String path = key == null
                        ? target.locationProvider().newDataLocation("copy-" + UUID.randomUUID() + ".parquet")
                        : target.locationProvider().newDataLocation(target.spec(), key, "copy-" + UUID.randomUUID() + ".parquet");
                DataWriter<Record> writer = factory.newDataWriter(
                        EncryptedFiles.plainAsEncryptedOutput(target.io().newOutputFile(path)), FileFormat.PARQUET, key);
                try (writer) {
                    part.getValue().forEach(writer::write);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                append.appendFile(writer.toDataFile());
            }
            append.commit();
        }
    }

    /** Changes fields of a row's record JSON (the column {@code record}). */
    static void editRecord(Record row, Consumer<ObjectNode> edit) {
        try {
            ObjectNode json = (ObjectNode) Json.outputReader().readTree((String) row.getField("record"));
            edit.accept(json);
            row.setField("record", Json.outputReader().writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
