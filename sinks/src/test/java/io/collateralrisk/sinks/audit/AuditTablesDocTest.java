package io.collateralrisk.sinks.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** docs/audit.md documents every column of every audit table, with its type and nullability, as the code defines them. */
class AuditTablesDocTest {

    private static String type(Type t) {
        switch (t.typeId()) {
            case STRING:
                return "string";
            case INTEGER:
                return "int";
            case LONG:
                return "bigint";
            case BOOLEAN:
                return "boolean";
            case DECIMAL:
                return "decimal(38,18)";
            case TIMESTAMP:
                return "timestamptz (UTC)";
            case LIST: {
                StringBuilder b = new StringBuilder("list<struct<");
                var fields = t.asListType().elementType().asStructType().fields();
                for (int i = 0; i < fields.size(); i++) {
                    b.append(i == 0 ? "" : ", ").append(fields.get(i).name()).append(' ').append(type(fields.get(i).type()));
                }
                return b.append(">>").toString();
            }
            default:
                throw new AssertionError("undocumented type " + t);
        }
    }

    @Test
    void everyColumnIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "audit.md"), StandardCharsets.UTF_8);
        for (AuditTables.Definition d : AuditTables.ALL) {
            int section = doc.indexOf("### `" + d.name() + "`");
            assertThat(section).as("section for " + d.name()).isPositive();
            int end = doc.indexOf("### ", section + 4);
            String body = end < 0 ? doc.substring(section) : doc.substring(section, end);
            for (Types.NestedField f : d.schema().columns()) {
                assertThat(f.doc()).as(d.name() + "." + f.name() + " has a doc string").isNotBlank();
                assertThat(body).as(d.name() + "." + f.name())
                        .contains("| `" + f.name() + "` | " + type(f.type()) + " | " + (f.isRequired() ? "no" : "yes") + " | " + f.doc() + " |");
            }
        }
    }

    @Test
    void everyTableButConfigVersionsIsPartitionedByDay() {
        for (AuditTables.Definition d : AuditTables.ALL) {
            if (d.name().equals(AuditTables.CONFIG_VERSIONS)) {
                assertThat(d.spec().isUnpartitioned()).isTrue();
            } else {
                assertThat(d.spec().fields()).as(d.name()).singleElement()
                        .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("day"));
                assertThat(d.schema().findField("event_id").isRequired()).isTrue();
                assertThat(d.schema().findField("record").isRequired()).isTrue();
            }
        }
    }
}
