package io.collateralrisk.sinks.audit;

import io.collateralrisk.model.OutputRecord;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.IcebergSink;

/**
 * Writes audit records into their Iceberg tables with Iceberg's Flink sink ({@link IcebergSink}, Flink's two-phase-commit sink API): data files are written
 * continuously and committed, one Iceberg snapshot per table, when a Flink checkpoint completes
 * (and at the end of a bounded run), so a restart from a checkpoint neither loses nor repeats a
 * row. The commit cadence is the checkpoint interval.
 *
 * <pre>
 * audit records --[topic]--&gt; filter --&gt; JSON to row --&gt; Iceberg writer --&gt; committer (on checkpoint) --&gt; risk_audit.&lt;table&gt;
 * </pre>
 */
public final class AuditSink {

    private AuditSink() {}

    /**
     * @param records every output record, plus accepted inputs as records of their input topic
     *     ({@code prices}, {@code facility-events}); records of topics without a table are skipped
     */
    public static void attach(DataStream<OutputRecord> records, CatalogLoader catalog) {
        for (AuditTables.Definition table : AuditTables.ALL) {
            if (table.topic() == null) {
                continue; // config_versions is written by the job's client at start
            }
            String topic = table.topic();
            AuditRowConverter converter = new AuditRowConverter(table.schema());
            DataStream<RowData> rows = records
                    .filter(r -> r.topic().equals(topic)).uid("audit-filter-" + table.name()).name("audit " + table.name() + " records")
                    .map(r -> converter.convert(r.json()), InternalTypeInfo.of(FlinkSchemaUtil.convert(table.schema())))
                    .uid("audit-rows-" + table.name()).name("audit " + table.name() + " rows");
            IcebergSink.forRowData(rows)
                    .tableLoader(TableLoader.fromCatalog(catalog, table.identifier()))
                    .uidSuffix("audit-" + table.name())
                    .append();
        }
    }
}
