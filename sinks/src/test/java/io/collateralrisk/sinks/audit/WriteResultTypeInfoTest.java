package io.collateralrisk.sinks.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.flink.sink.FlinkWriteResult;
import org.apache.iceberg.io.WriteResult;
import org.junit.jupiter.api.Test;

class WriteResultTypeInfoTest {

    private static final DataFile FILE = DataFiles.builder(PartitionSpec.unpartitioned())
            .withPath("/warehouse/risk_audit/price_ticks/data/00000-0-a.parquet")
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(5144)
            .withRecordCount(3)
            .build();

    @Test
    void theAuditSinkGivesTheWriteResultsTheirOwnTypeInsteadOfKryo() throws Exception {
        Class.forName(AuditSink.class.getName()); // registers on first use
        TypeInformation<FlinkWriteResult> type = TypeInformation.of(FlinkWriteResult.class);
        assertThat(type).isInstanceOf(WriteResultTypeInfo.class);
    }

    @Test
    void aWriteResultSurvivesTheRoundTrip() throws Exception {
        TypeSerializer<FlinkWriteResult> serializer = new WriteResultTypeInfo().createSerializer(new SerializerConfigImpl());
        FlinkWriteResult result = new FlinkWriteResult(42, WriteResult.builder().addDataFiles(FILE).build());

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(result, out);
        FlinkWriteResult back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.checkpointId()).isEqualTo(42);
        assertThat(back.writeResult().dataFiles()).singleElement().satisfies(f -> {
            assertThat(f.location()).isEqualTo(FILE.location());
            assertThat(f.recordCount()).isEqualTo(3);
            assertThat(f.fileSizeInBytes()).isEqualTo(5144);
        });
        assertThat(back.writeResult().deleteFiles()).isEmpty();
    }

    @Test
    void theSerializerRestoresFromItsOwnSnapshot() throws Exception {
        TypeSerializer<FlinkWriteResult> serializer = new WriteResultTypeInfo().createSerializer(new SerializerConfigImpl());
        TypeSerializerSnapshot<FlinkWriteResult> snapshot = serializer.snapshotConfiguration();
        assertThat(snapshot.restoreSerializer()).isEqualTo(serializer);
        TypeSerializerSchemaCompatibility<FlinkWriteResult> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(snapshot);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
