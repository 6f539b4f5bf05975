package io.collateralrisk.sinks.audit;

import io.collateralrisk.model.config.AuditCatalogConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;

/** The audit catalog a configuration names: a Hadoop catalog on a warehouse directory, or JDBC. */
public final class AuditCatalogs {

    public static final String CATALOG_NAME = "risk";

    private AuditCatalogs() {}

    /** A serializable loader, for Flink's Iceberg sink and for the command line. */
    public static CatalogLoader loader(AuditCatalogConfig c) {
        if (c.warehouse().isEmpty()) {
            throw new IllegalArgumentException("the audit catalog has no warehouse location");
        }
        Map<String, String> props = new HashMap<>();
        props.put(CatalogProperties.WAREHOUSE_LOCATION, c.warehouse());
        if (c.isJdbc()) {
            props.put(CatalogProperties.URI, c.uri());
            if (!c.user().isEmpty()) {
                props.put("jdbc.user", c.user());
            }
            if (!c.passwordEnv().isEmpty()) {
                String password = System.getenv(c.passwordEnv());
                if (password == null) {
                    throw new IllegalArgumentException("audit.catalog.passwordEnv names " + c.passwordEnv() + ", which is not set");
                }
                props.put("jdbc.password", password);
            }
            // Iceberg's schema for its catalog tables, with view support.
            props.put("jdbc.schema-version", "V1");
            return CatalogLoader.custom(CATALOG_NAME, props, new Configuration(), "org.apache.iceberg.jdbc.JdbcCatalog");
        }
        return CatalogLoader.hadoop(CATALOG_NAME, new Configuration(), props);
    }

    public static Catalog open(AuditCatalogConfig c) {
        return loader(c).loadCatalog();
    }
}
