package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.BadInputCorpus;
import io.collateralrisk.model.OutputRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus interleaved with valid records through the whole job (restarts
 * disabled, so a single exception would fail the run): every bad record reaches the dead-letter
 * output with its reason and raw payload, every valid one is processed.
 */
class BadInputReplayTest {

    private static final long START = Times.parseIso("2024-03-01T12:00:00Z");

    @Test
    void everyBadRecordIsDeadLetteredAndEveryValidOneProcessed(@TempDir Path dir) throws Exception {
        Map<String, List<String>> files = new HashMap<>();
        Map<String, List<BadInputCorpus.Case>> expected = new HashMap<>();
        int minutes = 0;
        for (String topic : Topics.INPUTS) {
            // One record per line in a replay file: payloads with line breaks are for the Kafka path.
            List<BadInputCorpus.Case> cases = BadInputCorpus.forTopic(topic).stream()
                    .filter(c -> c.payload().indexOf('\n') < 0 && c.payload().indexOf('\r') < 0 && !c.payload().isBlank())
                    .toList();
            expected.put(topic, cases);
            List<String> lines = new ArrayList<>();
            for (BadInputCorpus.Case c : cases) {
                if (topic.equals(Topics.PRICES)) {
                    lines.add(tick("coinbase", minutes, "61000." + minutes));
                    lines.add(tick("kraken", minutes, "61010." + minutes));
                    minutes++;
                }
                lines.add(c.payload());
            }
            files.put(topic, lines);
        }
        assertThat(expected.get(Topics.PRICES)).hasSizeGreaterThanOrEqualTo(25);
        files.get(Topics.FACILITY_EVENTS).add(0,
                "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"facilityId\":\"F-1\",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}");
        for (var e : files.entrySet()) {
            ReplayFixtures.write(dir.resolve("in"), e.getKey(), e.getValue());
        }

        Replay.Result result = new Replay(RiskConfig.defaults(), 2).run(dir.resolve("in"), dir.resolve("out"));

        List<JsonNode> letters = result.topic(Topics.DEAD_LETTER).stream().map(ReplayFixtures::json).toList();
        int total = expected.values().stream().mapToInt(List::size).sum();
        assertThat(letters).hasSize(total);
        for (var e : expected.entrySet()) {
            for (BadInputCorpus.Case c : e.getValue()) {
                assertThat(letters)
                        .as("dead letter for %s", c)
                        .anySatisfy(l -> {
                            assertThat(l.get("topic").asText()).isEqualTo(e.getKey());
                            assertThat(l.get("payload").asText()).isEqualTo(c.payload());
                            assertThat(l.get("reason").asText()).isEqualTo(c.expectedReason());
                        });
            }
        }

        // Every valid tick was evaluated: one evaluation per minute, both sources used.
        List<OutputRecord> prices = result.topic(Topics.REFERENCE_PRICES);
        assertThat(prices).hasSize(minutes);
        for (int m = 0; m < minutes; m++) {
            JsonNode n = json(prices.get(m));
            assertThat(n.get("eventTime").asText()).isEqualTo(Times.format(START + m * 60_000L));
            assertThat(n.get("status").asText()).isEqualTo("OK");
            assertThat(n.get("used")).hasSize(2);
        }
        ReplayFixtures.assertAllValid(result);
    }

    private static String tick(String source, int minute, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(START + minute * 60_000L)
                + "\",\"pair\":\"BTC-USD\",\"source\":\"" + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
    }
}
