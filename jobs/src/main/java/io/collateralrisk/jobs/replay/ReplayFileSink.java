package io.collateralrisk.jobs.replay;

import io.collateralrisk.model.OutputRecord;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes every output record of a replay with its topic and sort keys to
 * {@code DIR/part-<subtask>.bin}; {@link Replay} then merges and sorts the parts per topic.
 * A replay runs without restarts, so a plain file per subtask is enough. The parts never leave
 * the replay, so they hold length-prefixed fields rather than JSON: building and re-reading a
 * JSON object per record cost more than the rest of the sink.
 */
final class ReplayFileSink implements Sink<OutputRecord> {

    private final String directory;

    ReplayFileSink(Path directory) {
        this.directory = directory.toAbsolutePath().toString();
    }

    @Override
    public SinkWriter<OutputRecord> createWriter(WriterInitContext context) throws IOException {
        Path file = Path.of(directory, "part-" + context.getTaskInfo().getIndexOfThisSubtask() + ".bin");
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        return new SinkWriter<>() {
            @Override
            public void write(OutputRecord r, Context ctx) throws IOException {
                writeString(out, r.topic());
                writeString(out, r.key());
                out.writeLong(r.eventTime());
                writeString(out, r.eventId());
                writeString(out, r.json());
                out.writeBoolean(r.tombstone());
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** Every record of one part, in the order it was written. */
    static void read(Path part, Consumer<OutputRecord> each) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(part), 1 << 16))) {
            while (true) {
                String topic;
                try {
                    topic = readString(in);
                } catch (EOFException end) {
                    return;
                }
                each.accept(new OutputRecord(topic, readString(in), in.readLong(), readString(in), readString(in), in.readBoolean()));
            }
        }
    }

    // DataOutputStream.writeUTF stops at 64 KB; a dead letter's payload may be longer.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
