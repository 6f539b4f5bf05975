package io.collateralrisk.sinks.audit;

import io.collateralrisk.model.config.RiskConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;

/** {@code risk_audit.config_versions}: each configuration a job ran with, appended once per hash. */
public final class ConfigVersions {

    private ConfigVersions() {}

    /** @return true when the hash was new and a row was appended */
    public static boolean registerIfAbsent(Catalog catalog, RiskConfig config, String codeVersion, Instant now) {
        Table table = AuditTables.load(catalog, AuditTables.CONFIG_VERSIONS);
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table)
                .where(Expressions.equal("config_hash", config.configHash())).build()) {
            if (rows.iterator().hasNext()) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GenericRecord row = GenericRecord.create(table.schema());
        row.setField("config_hash", config.configHash());
        row.setField("content", config.canonicalContent());
        row.setField("first_used", now.atOffset(ZoneOffset.UTC));
        row.setField("code_version", codeVersion);
        String path = table.locationProvider().newDataLocation("config-" + config.configHash() + "-" + UUID.randomUUID() + ".parquet");
        DataWriter<Record> writer = new GenericAppenderFactory(table.schema(), table.spec())
                .newDataWriter(EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(path)), FileFormat.PARQUET, null);
        try (writer) {
            writer.write(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        table.newAppend().appendFile(writer.toDataFile()).commit();
        return true;
    }
}
