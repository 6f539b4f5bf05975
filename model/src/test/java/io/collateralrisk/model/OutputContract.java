package io.collateralrisk.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Checks an output line against its published schema, {@code docs/schemas/<type>.schema.json}.
 * Shared with the other modules through the model test-jar, so every module's tests hold its
 * records to the same contract downstream consumers read.
 */
public final class OutputContract {

    /** Not the product mapper: a dead letter can carry a payload larger than the product's input limit. */
    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .build();

    /** The $id prefix of every published schema: {@code <prefix><name>} is {@code docs/schemas/<name>.schema.json}. */
    private static final String ID_PREFIX = "urn:collateralrisk:schema:";

    /** Resolves a $ref to another published schema (a shared shape, by its $id) from the same directory. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V202012, builder -> builder.schemaLoaders(loaders -> loaders.schemas(OutputContract::schemaText)));
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private static volatile Path schemaDir;

    private OutputContract() {}

    /**
     * Validates one output record (a JSON line) against the schema its {@code type} names.
     *
     * @throws AssertionError listing every violation and the line
     */
    public static void assertValid(String jsonLine) {
        JsonNode record;
        try {
            record = MAPPER.readTree(jsonLine);
        } catch (JsonProcessingException e) {
            throw new AssertionError("output record is not one JSON object: " + e.getOriginalMessage() + "\nline: " + jsonLine);
        }
        if (record == null || !record.isObject()) {
            throw new AssertionError("output record is not a JSON object\nline: " + jsonLine);
        }
        JsonNode type = record.get("type");
        if (type == null || !type.isTextual() || !type.asText().matches("[A-Z_]+")) {
            throw new AssertionError("output record has no valid 'type'\nline: " + jsonLine);
        }
        JsonSchema schema = schema(type.asText());
        Set<ValidationMessage> errors = schema.validate(record);
        if (!errors.isEmpty()) {
            String list = errors.stream().map(m -> "  - " + m.getMessage()).sorted().collect(Collectors.joining("\n"));
            throw new AssertionError(
                    type.asText() + " record violates docs/schemas/" + type.asText() + ".schema.json:\n" + list + "\nline: " + jsonLine);
        }
    }

    private static JsonSchema schema(String type) {
        return SCHEMAS.computeIfAbsent(type, t -> {
            Path file = schemaDir().resolve(t + ".schema.json");
            if (!Files.isRegularFile(file)) {
                throw new AssertionError("no schema for output type " + t + ": " + file + " does not exist");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return FACTORY.getSchema(MAPPER.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        });
    }

    /** The text of the published schema with this $id, or null for any other IRI. */
    private static String schemaText(String iri) {
        if (!iri.startsWith(ID_PREFIX) || !iri.substring(ID_PREFIX.length()).matches("[A-Za-z0-9_-]+")) {
            return null;
        }
        Path file = schemaDir().resolve(iri.substring(ID_PREFIX.length()) + ".schema.json");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("a schema refers to " + iri + ", but " + file + " does not exist");
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Tests run with their module as working directory: the schemas live at the repository root. */
    private static Path schemaDir() {
        Path dir = schemaDir;
        if (dir == null) {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("docs").resolve("schemas"))) {
                    dir = p.resolve("docs").resolve("schemas");
                    break;
                }
            }
            if (dir == null) {
                throw new AssertionError("docs/schemas not found above " + Path.of("").toAbsolutePath());
            }
            schemaDir = dir;
        }
        return dir;
    }
}
