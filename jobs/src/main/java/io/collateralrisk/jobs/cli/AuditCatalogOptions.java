package io.collateralrisk.jobs.cli;

import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which audit catalog a command reads: a warehouse directory, or the one a configuration names. */
public final class AuditCatalogOptions {

    @Option(names = "--warehouse", paramLabel = "DIR", description = "A warehouse directory (Hadoop catalog), such as a replay's OUT/warehouse.")
    Path warehouse;

    @Option(names = "--config", paramLabel = "FILE", description = "A configuration whose audit.catalog names the catalog (such as a JDBC catalog on PostgreSQL).")
    Path config;

    /** The configuration in force for the command: the file's, or the built-in defaults. */
    public RiskConfig riskConfig() {
        return config == null ? RiskConfig.defaults() : ConfigLoader.load(config);
    }

    public AuditCatalogConfig catalog() {
        if ((warehouse == null) == (config == null)) {
            throw new IllegalArgumentException("name the audit catalog with either --warehouse DIR or --config FILE");
        }
        if (warehouse != null) {
            if (!Files.isDirectory(warehouse)) {
                throw new IllegalArgumentException("no warehouse directory at " + warehouse);
            }
            return AuditCatalogConfig.hadoop(warehouse.toAbsolutePath().toString());
        }
        AuditCatalogConfig c = riskConfig().auditCatalog();
        if (c.warehouse().isEmpty()) {
            throw new IllegalArgumentException(config + " names no audit.catalog.warehouse");
        }
        return c;
    }
}
