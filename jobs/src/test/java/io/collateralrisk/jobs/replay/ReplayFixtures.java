package io.collateralrisk.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.json.Json;
import io.collateralrisk.model.OutputRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small helpers shared by the replay tests. */
final class ReplayFixtures {

    private ReplayFixtures() {}

    static void write(Path dir, String topic, List<String> lines) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(topic + ".jsonl"), lines, StandardCharsets.UTF_8);
    }

    static JsonNode json(OutputRecord r) {
        return json(r.json());
    }

    static JsonNode json(String line) {
        try {
            return Json.outputReader().readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record of every topic against its published schema. */
    static void assertAllValid(Replay.Result result) {
        for (String topic : Topics.OUTPUTS) {
            result.topic(topic).forEach(r -> OutputContract.assertValid(r.json()));
        }
    }

    static long t(String iso) {
        return Times.parseIso(iso);
    }
}
