package io.collateralrisk.model.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The malformed and hostile input records of {@code bad-input/corpus.jsonl} (a test resource,
 * also in the model test-jar), each with the topic it arrives on and the dead-letter reason it
 * must get. Each line is {@code {"topic":..., "expectedReason":..., "payload":"<raw record>"}}.
 */
public final class BadInputCorpus {

    public static final String RESOURCE = "/bad-input/corpus.jsonl";

    /** @param line the 1-based line in the corpus file */
    public record Case(int line, String topic, String expectedReason, String payload) {
        @Override
        public String toString() {
            String shown = payload.length() <= 60 ? payload : payload.substring(0, 60) + "...(" + payload.length() + " chars)";
            return line + ": " + topic + " -> " + expectedReason + " <= " + shown;
        }
    }

    private BadInputCorpus() {}

    public static List<Case> load() {
        ObjectMapper mapper = new ObjectMapper();
        List<Case> cases = new ArrayList<>();
        try (InputStream in = BadInputCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode n = mapper.readTree(text);
                cases.add(new Case(line, n.get("topic").asText(), n.get("expectedReason").asText(), n.get("payload").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** The cases of one input topic. */
    public static List<Case> forTopic(String topic) {
        return load().stream().filter(c -> c.topic().equals(topic)).toList();
    }
}
