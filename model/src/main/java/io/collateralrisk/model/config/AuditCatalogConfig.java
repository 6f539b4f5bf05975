package io.collateralrisk.model.config;

import java.io.Serializable;

/**
 * Where the audit tables live ({@code audit.catalog}). A deployment setting, not a credit one: it
 * is left out of {@link RiskConfig#configHash()}, and a password is never written in the file,
 * only the name of the environment variable that holds it.
 *
 * @param type {@code hadoop} (a warehouse directory; the embedded default) or {@code jdbc}
 * @param warehouse the warehouse location; empty means the command's own default
 *     (a replay's {@code OUT/warehouse}, the demo's working directory)
 * @param uri the JDBC URL of the catalog database, such as {@code jdbc:postgresql://db:5432/risk}
 * @param user the database user; empty for none
 * @param passwordEnv the environment variable holding the database password; empty for none
 */
public record AuditCatalogConfig(String type, String warehouse, String uri, String user, String passwordEnv)
        implements Serializable {

    public static final String HADOOP = "hadoop";
    public static final String JDBC = "jdbc";

    /** A Hadoop catalog on a local warehouse directory. */
    public static AuditCatalogConfig hadoop(String warehouse) {
        return new AuditCatalogConfig(HADOOP, warehouse, "", "", "");
    }

    public boolean isJdbc() {
        return JDBC.equals(type);
    }

    /** The same catalog with its warehouse set, when the file leaves it empty. */
    public AuditCatalogConfig withDefaultWarehouse(String fallback) {
        return warehouse.isEmpty() ? new AuditCatalogConfig(type, fallback, uri, user, passwordEnv) : this;
    }
}
