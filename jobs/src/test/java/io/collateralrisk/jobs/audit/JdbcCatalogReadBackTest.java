package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.audit.AuditTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.Test;

/**
 * The production-like choice: a JDBC catalog on a real PostgreSQL server, which this test starts
 * itself ({@link LocalPostgres}), selected by the configuration file as an operator would write
 * it. The password reaches the job as in production, through the environment variable that
 * {@code audit.catalog.passwordEnv} names: the surefire configuration of {@code jobs/pom.xml} sets
 * it for the test JVM, and the server's user is created with it.
 */
class JdbcCatalogReadBackTest extends AbstractAuditReadBackTest {

    static final String PASSWORD_ENV = "RISK_TEST_AUDIT_DB_PASSWORD";
    /** The catalog name the job registers its tables under. */
    private static final String CATALOG = "risk";

    private LocalPostgres postgres;
    private String password;
    private Path warehouse;
    private Path out;

    @Override
    protected RiskConfig configuration(Path dir) throws Exception {
        password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(PASSWORD_ENV + " is not set: run this test through Maven, whose surefire"
                    + " configuration in jobs/pom.xml sets it, or set it yourself");
        }
        postgres = closeAtEnd(LocalPostgres.start("risk_audit", "risk_writer", password));
        warehouse = dir.resolve("jdbc-warehouse");
        return ConfigLoader.parse("""
                audit:
                  catalog:
                    type: jdbc
                    uri: '%s'
                    warehouse: '%s'
                    user: %s
                    passwordEnv: %s
                """.formatted(postgres.jdbcUrl(), warehouse, postgres.user(), PASSWORD_ENV));
    }

    @Override
    protected Catalog openReader(Path out) {
        this.out = out;
        Map<String, String> props = new HashMap<>();
        props.put(CatalogProperties.URI, postgres.jdbcUrl());
        props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse.toString());
        props.put("jdbc.user", postgres.user());
        props.put("jdbc.password", password);
        JdbcCatalog catalog = new JdbcCatalog();
        catalog.setConf(new Configuration());
        catalog.initialize(CATALOG, props);
        return catalog;
    }

    @Test
    void theTablesAreRegisteredInPostgresAndTheirFilesAreInTheConfiguredWarehouse() throws Exception {
        Map<String, String> metadataByTable = new HashMap<>();
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT catalog_name, table_namespace, table_name, metadata_location FROM iceberg_tables")) {
            while (rs.next()) {
                assertThat(rs.getString("catalog_name")).isEqualTo(CATALOG);
                assertThat(rs.getString("table_namespace")).isEqualTo(AuditTables.NAMESPACE);
                metadataByTable.put(rs.getString("table_name"), rs.getString("metadata_location"));
            }
        }
        assertThat(metadataByTable.keySet()).containsExactlyInAnyOrderElementsOf(
                AuditTables.ALL.stream().map(AuditTables.Definition::name).toList());
        assertThat(metadataByTable.values()).allSatisfy(location -> {
            assertThat(location).contains(warehouse.toString());
            assertThat(Files.exists(Path.of(location.replaceFirst("^file:", "")))).as(location).isTrue();
        });
        // Nothing went to the replay's default warehouse.
        assertThat(out.resolve("warehouse")).doesNotExist();
    }
}
