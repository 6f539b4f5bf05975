package io.collateralrisk.jobs.audit;

import io.collateralrisk.sinks.audit.AuditTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.actions.Actions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code bin/risk audit maintain}: compacts small data files (a streaming sink writes one set of
 * files per checkpoint) into files of the target size, keeping every row, then expires snapshots
 * older than {@code audit.timeTravelDays} (always keeping the latest), whose files only a
 * compaction made unreferenced. Rows are never deleted.
 */
public final class AuditMaintenance {

    /** One table's outcome. */
    public record Report(String table, int filesBefore, int filesAfter, long rows, int snapshotsExpired) {}

    private AuditMaintenance() {}

    public static List<Report> run(Catalog catalog, int timeTravelDays, Instant now) {
        List<Report> reports = new ArrayList<>();
        for (AuditTables.Definition d : AuditTables.ALL) {
            Table table = AuditTables.load(catalog, d.name());
            int before = dataFiles(table);
            if (before > 1) {
                // A local Flink job of its own: rewriting is a batch job, not part of the streaming one.
                Actions.forTable(StreamExecutionEnvironment.getExecutionEnvironment(), table)
                        .rewriteDataFiles()
                        .execute();
                table.refresh();
            }
            int snapshotsBefore = count(table.snapshots());
            long cutoff = now.minus(Duration.ofDays(timeTravelDays)).toEpochMilli();
            table.expireSnapshots().expireOlderThan(cutoff).retainLast(1).commit();
            table.refresh();
            int expired = snapshotsBefore - count(table.snapshots());
            reports.add(new Report(d.name(), before, dataFiles(table), rows(table), expired));
        }
        return reports;
    }

    /** Data files in the table's current snapshot. */
    static int dataFiles(Table table) {
        if (table.currentSnapshot() == null) {
            return 0;
        }
        int n = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask ignored : tasks) {
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    private static long rows(Table table) {
        if (table.currentSnapshot() == null) {
            return 0;
        }
        String total = table.currentSnapshot().summary().get("total-records");
        return total == null ? -1 : Long.parseLong(total);
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
