package io.collateralrisk.jobs.audit;

import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.sinks.audit.AuditCatalogs;
import io.collateralrisk.sinks.audit.AuditTables;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.operations.QueryOperation;
import org.apache.flink.types.Row;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;

/**
 * Read-only SQL over the audit tables: Flink SQL in batch mode with Iceberg's catalog. Each audit
 * table is visible under its own name and as {@code risk_audit.<table>}, a view of
 * {@code risk.risk_audit.<table>} carrying the time-travel read option when one is asked for, so a
 * query names tables plainly or by namespace and travels in time as a whole. Only a query is run:
 * anything else is refused before it reaches the catalog.
 */
public final class AuditQuery {

    /** What the query reads: the tables now, as of an instant, or one table's snapshot. */
    public record TimeTravel(Long snapshotId, Instant asOf) {
        public static final TimeTravel NOW = new TimeTravel(null, null);
    }

    /** A result: column names and rows of Java values. */
    public record Result(List<String> columns, List<List<Object>> rows) {}

    /** A table that held nothing yet at the instant asked for. */
    private static final String EMPTY = "";

    private final AuditCatalogConfig catalogConfig;

    public AuditQuery(AuditCatalogConfig catalogConfig) {
        this.catalogConfig = catalogConfig;
    }

    public Result run(String sql, TimeTravel travel) {
        Map<String, String> hints = readOptions(travel);
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        // Times are UTC everywhere: TIMESTAMP '2023-03-11 07:00:00' means 07:00Z whatever the machine's zone.
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        tEnv.executeSql(createCatalog());
        // The spec names the tables by namespace (risk_audit.margin_call_events): the same views are
        // also in a database of that name in the session's own catalog, so both spellings time-travel.
        tEnv.executeSql("CREATE DATABASE IF NOT EXISTS `" + AuditTables.NAMESPACE + "`");
        for (AuditTables.Definition d : AuditTables.ALL) {
            String option = hints.get(d.name());
            String hint = option == null || option.equals(EMPTY) ? "" : " /*+ OPTIONS(" + option + ") */";
            String where = EMPTY.equals(option) ? " WHERE FALSE" : "";
            String select = " AS SELECT * FROM `" + AuditCatalogs.CATALOG_NAME + "`.`"
                    + AuditTables.NAMESPACE + "`.`" + d.name() + "`" + hint + where;
            tEnv.executeSql("CREATE TEMPORARY VIEW `" + d.name() + "`" + select);
            tEnv.executeSql("CREATE TEMPORARY VIEW `" + AuditTables.NAMESPACE + "`.`" + d.name() + "`" + select);
        }
        List<Operation> operations = ((TableEnvironmentInternal) tEnv).getParser().parse(sql);
        if (operations.size() != 1 || !(operations.get(0) instanceof QueryOperation)) {
            throw new IllegalArgumentException("only a query (SELECT ...) is allowed: the audit tables are read-only here");
        }
        TableResult result = tEnv.executeSql(sql);
        List<String> columns = result.getResolvedSchema().getColumnNames();
        List<List<Object>> rows = new ArrayList<>();
        try (var it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                List<Object> values = new ArrayList<>(row.getArity());
                for (int i = 0; i < row.getArity(); i++) {
                    values.add(row.getField(i));
                }
                rows.add(values);
            }
        } catch (Exception e) {
            throw new IllegalStateException("query failed: " + e.getMessage(), e);
        }
        return new Result(columns, rows);
    }

    private String createCatalog() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("type", "iceberg");
        if (catalogConfig.isJdbc()) {
            props.put("catalog-impl", AuditCatalogs.JDBC_CATALOG_IMPL);
        } else {
            props.put("catalog-type", "hadoop");
        }
        props.putAll(AuditCatalogs.properties(catalogConfig));
        StringBuilder sql = new StringBuilder("CREATE CATALOG `" + AuditCatalogs.CATALOG_NAME + "` WITH (");
        Iterator<Map.Entry<String, String>> it = props.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, String> e = it.next();
            sql.append(literal(e.getKey())).append('=').append(literal(e.getValue())).append(it.hasNext() ? ", " : ")");
        }
        return sql.toString();
    }

    /**
     * Read options per table: as of an instant for all; for a snapshot id, that snapshot for the
     * table it belongs to and the snapshot's commit time for the others.
     */
    private Map<String, String> readOptions(TimeTravel travel) {
        Map<String, String> hints = new LinkedHashMap<>();
        if (travel.snapshotId() == null && travel.asOf() == null) {
            return hints;
        }
        Catalog catalog = AuditCatalogs.open(catalogConfig);
        try {
            Long asOf = travel.asOf() == null ? null : travel.asOf().toEpochMilli();
            String owner = null;
            if (travel.snapshotId() != null) {
                for (AuditTables.Definition d : AuditTables.ALL) {
                    Snapshot s = AuditTables.load(catalog, d.name()).snapshot(travel.snapshotId());
                    if (s != null) {
                        owner = d.name();
                        asOf = s.timestampMillis();
                        hints.put(d.name(), literal("snapshot-id") + "=" + literal(Long.toString(travel.snapshotId())));
                    }
                }
                if (owner == null) {
                    throw new IllegalArgumentException("no audit table has snapshot " + travel.snapshotId());
                }
            }
            for (AuditTables.Definition d : AuditTables.ALL) {
                if (d.name().equals(owner)) {
                    continue;
                }
                Table t = AuditTables.load(catalog, d.name());
                if (firstSnapshotAtOrBefore(t, asOf).isPresent()) {
                    hints.put(d.name(), literal("as-of-timestamp") + "=" + literal(Long.toString(asOf)));
                } else {
                    hints.put(d.name(), EMPTY);
                }
            }
        } finally {
            closeQuietly(catalog);
        }
        return hints;
    }

    private static Optional<Snapshot> firstSnapshotAtOrBefore(Table t, long asOf) {
        Snapshot found = null;
        for (Snapshot s : t.snapshots()) {
            if (s.timestampMillis() <= asOf) {
                found = s;
            }
        }
        return Optional.ofNullable(found);
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static void closeQuietly(Catalog catalog) {
        if (catalog instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // read-only use: nothing to lose
            }
        }
    }
}
