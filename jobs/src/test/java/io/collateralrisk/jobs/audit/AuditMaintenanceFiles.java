package io.collateralrisk.jobs.audit;

import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/** Data files in a table's current snapshot, counted with Iceberg's scan planning. */
final class AuditMaintenanceFiles {

    private AuditMaintenanceFiles() {}

    static int count(Table table) throws Exception {
        int n = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask ignored : tasks) {
                n++;
            }
        }
        return n;
    }
}
