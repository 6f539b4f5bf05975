package io.collateralrisk.jobs.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.model.OutputRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes every output record of a replay, one JSON line each with its topic and sort keys, to
 * {@code DIR/part-<subtask>.jsonl}; {@link Replay} then merges and sorts the parts per topic.
 * A replay runs without restarts, so a plain file per subtask is enough.
 */
final class ReplayFileSink implements Sink<OutputRecord> {

    private final String directory;

    ReplayFileSink(Path directory) {
        this.directory = directory.toAbsolutePath().toString();
    }

    @Override
    public SinkWriter<OutputRecord> createWriter(WriterInitContext context) throws IOException {
        Path file = Path.of(directory, "part-" + context.getTaskInfo().getIndexOfThisSubtask() + ".jsonl");
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        return new SinkWriter<>() {
            @Override
            public void write(OutputRecord r, Context ctx) throws IOException {
                ObjectNode line = Json.mapper().createObjectNode()
                        .put("topic", r.topic())
                        .put("key", r.key())
                        .put("eventTime", r.eventTime())
                        .put("eventId", r.eventId())
                        .put("json", r.json())
                        .put("tombstone", r.tombstone());
                out.write(Json.mapper().writeValueAsString(line));
                out.write('\n');
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
}
