package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.local.LocalDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFormatTest {

    @Test
    void eachNonEmptyLineIsARecordStampedWithTheWallClockWhenItIsRead(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("prices.jsonl"), "{\"a\":1}\n\n{\"b\":2}\n");
        long before = System.currentTimeMillis();
        try (StreamFormat.Reader<InputRecord> reader = new JsonLinesFormat("prices", "prices.jsonl")
                .createReader(new Configuration(), new LocalDataInputStream(file.toFile()))) {
            InputRecord first = reader.read();
            InputRecord second = reader.read();
            long after = System.currentTimeMillis();

            assertThat(first.location()).isEqualTo("prices.jsonl:1");
            assertThat(second.location()).isEqualTo("prices.jsonl:3");
            assertThat(second.payload()).isEqualTo("{\"b\":2}");
            // No time in a replay's files: only the read time, which no output carries.
            assertThat(first.fallbackTime()).isZero();
            assertThat(first.ingestedAt()).isBetween(before, after);
            assertThat(second.ingestedAt()).isBetween(first.ingestedAt(), after);
            assertThat(reader.read()).isNull();
        }
    }
}
