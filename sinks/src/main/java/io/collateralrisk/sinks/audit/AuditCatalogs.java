package io.collateralrisk.sinks.audit;

import io.collateralrisk.model.config.AuditCatalogConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;

/** The audit catalog a configuration names: a Hadoop catalog on a warehouse directory, or JDBC. */
public final class AuditCatalogs {

    public static final String CATALOG_NAME = "risk";

    private AuditCatalogs() {}

    /** The JDBC catalog's implementation class. */
    public static final String JDBC_CATALOG_IMPL = "org.apache.iceberg.jdbc.JdbcCatalog";

    /**
     * Iceberg's catalog properties for a configuration: the warehouse, and for JDBC the URI, user
     * and the password read from the variable {@code passwordEnv} names. Shared by the job's sink
     * and by the SQL catalog of {@code bin/risk audit}.
     */
    public static Map<String, String> properties(AuditCatalogConfig c) {
        if (c.warehouse().isEmpty()) {
            throw new IllegalArgumentException("the audit catalog has no warehouse location");
        }
        Map<String, String> props = new LinkedHashMap<>();
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
        }
        return props;
    }

    /** A serializable loader, for Flink's Iceberg sink and for the command line. */
    public static CatalogLoader loader(AuditCatalogConfig c) {
        Map<String, String> props = properties(c);
        return c.isJdbc()
                ? CatalogLoader.custom(CATALOG_NAME, props, new Configuration(), JDBC_CATALOG_IMPL)
                : CatalogLoader.hadoop(CATALOG_NAME, new Configuration(), props);
    }

    public static Catalog open(AuditCatalogConfig c) {
        return loader(c).loadCatalog();
    }
}
