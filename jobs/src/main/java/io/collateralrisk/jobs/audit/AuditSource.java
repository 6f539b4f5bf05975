package io.collateralrisk.jobs.audit;

import io.collateralrisk.sinks.audit.AuditTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Rows of the audit tables that match an Iceberg filter expression: what {@link Explainer} reads,
 * and all it reads. {@link #scanning} plans one Iceberg scan per question (partition and file
 * statistics prune what they can; the remaining rows are filtered one by one); {@link #cached}
 * reads each table once and answers every later question from memory, for explaining many events
 * of one warehouse in a row.
 */
@FunctionalInterface
public interface AuditSource {

    /** The rows of {@code risk_audit.<table>} matching {@code filter}, in no particular order. */
    List<Record> rows(String table, Expression filter);

    /** One scan per question, on the table's current snapshot. */
    static AuditSource scanning(Catalog catalog) {
        Map<String, Table> tables = new HashMap<>();
        return (table, filter) -> {
            Table t = tables.computeIfAbsent(table, name -> AuditTables.load(catalog, name));
            return read(t, filter);
        };
    }

    /**
     * Each table read once, on first use; later questions are filtered in memory with the same
     * expressions, and a question asked again (the same evaluation, the same facility) is answered
     * from the first answer.
     */
    static AuditSource cached(Catalog catalog) {
        Map<String, Table> tables = new HashMap<>();
        Map<String, List<Record>> rows = new HashMap<>();
        Map<String, List<Record>> answers = new HashMap<>();
        return (table, filter) -> answers.computeIfAbsent(table + '|' + filter, question -> {
            Table t = tables.computeIfAbsent(table, name -> AuditTables.load(catalog, name));
            List<Record> all = rows.computeIfAbsent(table, name -> read(t, Expressions.alwaysTrue()));
            Evaluator evaluator = new Evaluator(t.schema().asStruct(), filter);
            InternalRecordWrapper wrapper = new InternalRecordWrapper(t.schema().asStruct());
            List<Record> matching = new ArrayList<>();
            for (Record r : all) {
                if (evaluator.eval(wrapper.wrap(r))) {
                    matching.add(r);
                }
            }
            return List.copyOf(matching);
        });
    }

    /** The matching rows; the scan prunes files, the evaluator keeps exactly the rows that match. */
    private static List<Record> read(Table table, Expression filter) {
        Evaluator evaluator = new Evaluator(table.schema().asStruct(), filter);
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        List<Record> out = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(table).where(filter).build()) {
            for (Record r : it) {
                if (evaluator.eval(wrapper.wrap(r))) {
                    out.add(r.copy());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
