package io.collateralrisk.jobs.audit;

import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.audit.AuditCatalogs;
import io.collateralrisk.sinks.audit.AuditTables;
import io.collateralrisk.sinks.audit.ConfigVersions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;

/** Done by the job's client before the job starts: the audit tables exist and the configuration is recorded. */
public final class AuditSetup {

    private AuditSetup() {}

    public static CatalogLoader prepare(AuditCatalogConfig catalogConfig, RiskConfig config, String codeVersion) {
        CatalogLoader loader = AuditCatalogs.loader(catalogConfig);
        Catalog catalog = loader.loadCatalog();
        try {
            AuditTables.createIfAbsent(catalog, config.auditTimeTravelDays());
            ConfigVersions.registerIfAbsent(catalog, config, codeVersion, Instant.now());
        } finally {
            if (catalog instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return loader;
    }
}
