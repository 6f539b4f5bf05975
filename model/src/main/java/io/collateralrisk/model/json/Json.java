package io.collateralrisk.model.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON configuration of the product: exact decimals, strict syntax, bounded input. */
public final class Json {

    /** Larger records are refused before parsing ({@code PAYLOAD_TOO_LARGE}). */
    public static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    private static final ObjectMapper MAPPER = create();
    private static final ObjectMapper OUTPUT_READER = new ObjectMapper();

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** For reading the product's own output back (a dead letter carries a payload of any size). */
    public static ObjectMapper outputReader() {
        return OUTPUT_READER;
    }

    private static ObjectMapper create() {
        JsonFactory factory =
                JsonFactory.builder()
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxNestingDepth(32)
                                        .maxNumberLength(64)
                                        .maxStringLength(MAX_PAYLOAD_CHARS)
                                        .build())
                        .build();
        return JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // A price sent as 5000.00 keeps its scale, as the same price sent as a string does.
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }
}
