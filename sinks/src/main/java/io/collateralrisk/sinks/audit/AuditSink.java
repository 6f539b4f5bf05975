package io.collateralrisk.sinks.audit;

import io.collateralrisk.model.OutputRecord;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.sink.FlinkWriteResult;

/**
 * Writes audit records into their Iceberg tables with Iceberg's Flink sink ({@link FlinkSink}):
 * data files are written continuously and committed, one Iceberg snapshot per table, when a Flink
 * checkpoint completes (and at the end of a bounded run), so a restart from a checkpoint neither
 * loses nor repeats a row. The commit cadence is the checkpoint interval.
 *
 * <pre>
 * audit records --[topic]--&gt; filter --&gt; JSON to row --&gt; Iceberg writer --&gt; committer (on checkpoint) --&gt; risk_audit.&lt;table&gt;
 * </pre>
 *
 * <p>Not Iceberg's {@code IcebergSink} (the Sink V2 one), which loses rows here: its pre-commit
 * aggregator keeps no state, so after a failover Flink hands it no restored checkpoint id, and
 * when the input ends before the next checkpoint reaches it, it labels the last files with
 * checkpoint 1; the committer finds checkpoint 1 already committed by this job and drops them
 * (Iceberg 1.11, found by {@code ExactlyOnceRecoveryTest}). {@link FlinkSink}'s committer keeps
 * its pending files in Flink state and commits the end of the input under its own label. Its one
 * gap is the other way round: a failure between the end of the input and the final checkpoint
 * commits the rows after the restored checkpoint a second time, with the same {@code event_id}.
 */
public final class AuditSink {

    static {
        // Flink keeps type information factories in one static registry per JVM and refuses a second
        // registration, which rules out pipeline.serialization-config for a JVM that builds several jobs.
        if (TypeExtractor.getTypeInfoFactory(FlinkWriteResult.class) == null) {
            TypeExtractor.registerFactory(FlinkWriteResult.class, WriteResultTypeInfo.Factory.class);
        }
    }

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
            FlinkSink.forRowData(rows)
                    .tableLoader(TableLoader.fromCatalog(catalog, table.identifier()))
                    .uidPrefix("audit-" + table.name())
                    .append();
        }
    }
}
