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
            // No valid time in these lines: no reference clock, and only the read time, which no output carries.
            assertThat(first.referenceClock()).isEqualTo(ClockGuard.UNKNOWN);
            assertThat(first.ingestedAt()).isBetween(before, after);
            assertThat(second.ingestedAt()).isBetween(first.ingestedAt(), after);
            assertThat(reader.read()).isNull();
        }
    }

    @Test
    void eachLineCarriesItsReferenceClockFromTheLinesAfterIt(@TempDir Path dir) throws Exception {
        StringBuilder lines = new StringBuilder();
        long[] times = {1_000_000, 1_001_000, 9_000_000_000_000L, 1_002_000, 1_003_000, 1_004_000, 1_005_000, 1_006_000};
        for (long t : times) {
            lines.append("{\"eventTime\":").append(t).append("}\n");
        }
        Path file = Files.writeString(dir.resolve("prices.jsonl"), lines.toString());
        try (StreamFormat.Reader<InputRecord> reader = new JsonLinesFormat("prices", "prices.jsonl")
                .createReader(new Configuration(), new LocalDataInputStream(file.toFile()))) {
            reader.read();
            reader.read();
            InputRecord stray = reader.read();
            assertThat(stray.location()).isEqualTo("prices.jsonl:3");
            // The median of the five after it, not its own far future.
            assertThat(stray.referenceClock()).isEqualTo(1_004_000L);
        }
    }
}
