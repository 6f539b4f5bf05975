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
 * {@link InputRecord} per non-empty line, numbering lines so a dead letter says where it came from,
 * with the line's reference clock ({@link ReplayReferenceClock}: one reader per file, in file order)
 * and the wall clock at the read (for the latency metric only; no output carries it).
 */
public final class JsonLinesFormat extends SimpleStreamFormat<InputRecord> {

    private final String topic;
    private final String fileName;

    private final long lastLineFloor;

    public JsonLinesFormat(String topic, String fileName) {
        this(topic, fileName, ClockGuard.UNKNOWN);
    }

    /** @param lastLineFloor see {@link ReplayReferenceClock#ReplayReferenceClock(ReplayReferenceClock.LineSource, long)} */
    public JsonLinesFormat(String topic, String fileName, long lastLineFloor) {
        this.topic = topic;
        this.fileName = fileName;
        this.lastLineFloor = lastLineFloor;
    }

    @Override
    public StreamFormat.Reader<InputRecord> createReader(Configuration config, FSDataInputStream stream) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        ReplayReferenceClock clock = new ReplayReferenceClock(reader::readLine, lastLineFloor);
        return new StreamFormat.Reader<>() {
            @Override
            public InputRecord read() throws IOException {
                ReplayReferenceClock.Line line = clock.next();
                if (line == null) {
                    return null;
                }
                return new InputRecord(topic, fileName + ":" + line.number(), line.referenceClock(), line.text(), System.currentTimeMillis());
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
