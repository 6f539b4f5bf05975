package io.collateralrisk.jobs.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a replay file of one topic ({@code <topic>.jsonl}, gzip when named {@code .gz}) as one
 * {@link InputRecord} per non-empty line, numbering lines so a dead letter says where it came from
 * and stamping the wall clock at the read (for the latency metric only; no output carries it).
 */
public final class JsonLinesFormat extends SimpleStreamFormat<InputRecord> {

    private final String topic;
    private final String fileName;

    public JsonLinesFormat(String topic, String fileName) {
        this.topic = topic;
        this.fileName = fileName;
    }

    @Override
    public StreamFormat.Reader<InputRecord> createReader(Configuration config, FSDataInputStream stream) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        return new StreamFormat.Reader<>() {
            private long line;

            @Override
            public InputRecord read() throws IOException {
                String text;
                while ((text = reader.readLine()) != null) {
                    line++;
                    if (!text.isBlank()) {
                        return new InputRecord(topic, fileName + ":" + line, 0L, text, System.currentTimeMillis());
                    }
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return TypeInformation.of(InputRecord.class);
    }
}
