package io.collateralrisk.sinks.audit;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.iceberg.flink.sink.FlinkWriteResult;
import org.apache.iceberg.flink.sink.WriteResultSerializer;

/**
 * Flink type information for what an Iceberg writer of {@code FlinkSink} sends its committer
 * ({@link FlinkWriteResult}: a checkpoint id and the files written). Flink cannot analyse the
 * class and would hand it to Kryo, which {@code pipeline.generic-types: false} refuses; this
 * serializes it as the checkpoint id followed by Iceberg's own versioned {@link
 * WriteResultSerializer} bytes. {@link AuditSink} registers it for the class.
 */
public final class WriteResultTypeInfo extends TypeInformation<FlinkWriteResult> {

    private static final long serialVersionUID = 1L;

    /** Registered for {@link FlinkWriteResult}: Flink asks it for the type information of the class. */
    public static final class Factory extends TypeInfoFactory<FlinkWriteResult> {
        @Override
        public TypeInformation<FlinkWriteResult> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new WriteResultTypeInfo();
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<FlinkWriteResult> getTypeClass() {
        return FlinkWriteResult.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FlinkWriteResult> createSerializer(SerializerConfig config) {
        return Serializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "FlinkWriteResult";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WriteResultTypeInfo;
    }

    @Override
    public int hashCode() {
        return WriteResultTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof WriteResultTypeInfo;
    }

    /** Checkpoint id, then the write result with its serializer version. Results are never changed once made: no copies. */
    static final class Serializer extends TypeSerializerSingleton<FlinkWriteResult> {

        private static final long serialVersionUID = 1L;
        static final Serializer INSTANCE = new Serializer();
        private static final WriteResultSerializer FILES = new WriteResultSerializer();

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public FlinkWriteResult createInstance() {
            return null;
        }

        @Override
        public FlinkWriteResult copy(FlinkWriteResult from) {
            return from;
        }

        @Override
        public FlinkWriteResult copy(FlinkWriteResult from, FlinkWriteResult reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(FlinkWriteResult record, DataOutputView target) throws IOException {
            target.writeLong(record.checkpointId());
            SimpleVersionedSerialization.writeVersionAndSerialize(FILES, record.writeResult(), target);
        }

        @Override
        public FlinkWriteResult deserialize(DataInputView source) throws IOException {
            long checkpointId = source.readLong();
            return new FlinkWriteResult(checkpointId, SimpleVersionedSerialization.readVersionAndDeSerialize(FILES, source));
        }

        @Override
        public FlinkWriteResult deserialize(FlinkWriteResult reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            serialize(deserialize(source), target);
        }

        @Override
        public TypeSerializerSnapshot<FlinkWriteResult> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** Written into checkpoints with the serializer; restores {@link Serializer#INSTANCE}. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FlinkWriteResult> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
