package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static io.collateralrisk.jobs.replay.ReplayFixtures.t;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.importer.PriceImporter;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.OutputRecord;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Chainlink BTC/USD rounds (April 2023 to January 2024) as the only source of a pair
 * with quorum 1: heartbeat gaps of up to about 3,720 s stay within the oracle maxAge of 3,900 s,
 * and every round's answer (8 decimals) is the reference price exactly as it arrived.
 */
class ChainlinkReplayTest {

    private static final RiskConfig ORACLE_ONLY = ConfigLoader.parse("pairs: {BTC-USD: {quorum: 1}}");

    private static Replay.Result result;
    private static List<String> rounds;

    @BeforeAll
    static void replay(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        PriceImporter.convert(
                PriceImporter.Format.CHAINLINK, "chainlink", SourceKind.ORACLE, "BTC-USD",
                List.of(BundledPrices.dataDir().resolve("chainlink-btc-usd-2023").resolve("chainlink_btc-usd_rounds.csv.gz")),
                out);
        rounds = out.toString().lines().toList();
        ReplayFixtures.write(dir, Topics.PRICES, rounds);
        result = new Replay(ORACLE_ONLY, 2).run(dir);
    }

    @Test
    void heartbeatGapsNeverMakeThePriceUnavailable() {
        assertThat(rounds).hasSize(10_691);
        assertThat(result.topic(Topics.PRICE_ALERTS)).isEmpty();
        assertThat(result.topic(Topics.DEAD_LETTER)).isEmpty();
        for (OutputRecord r : result.topic(Topics.REFERENCE_PRICES)) {
            assertThat(json(r).get("status").asText()).as("at %s", json(r).get("eventTime")).isEqualTo("OK");
        }
        ReplayFixtures.assertAllValid(result);
    }

    @Test
    void referencePriceFollowsEveryRound() {
        // Per instant, the round the job must keep: the highest round id (several can share a second).
        Map<Long, JsonNode> expected = new TreeMap<>();
        Map<Long, BigInteger> highestRound = new HashMap<>();
        for (String line : rounds) {
            JsonNode tick = json(line);
            long time = t(tick.get("eventTime").asText());
            BigInteger round = new BigInteger(tick.get("round").asText());
            if (highestRound.merge(time, round, BigInteger::max).equals(round)) {
                expected.put(time, tick);
            }
        }
        Map<Long, JsonNode> evaluations = new HashMap<>();
        result.topic(Topics.REFERENCE_PRICES).forEach(r -> evaluations.put(r.eventTime(), json(r)));
        // No source ever goes stale, so there is exactly one evaluation per distinct round time.
        assertThat(evaluations).hasSize(expected.size());
        int beyondCents = 0;
        for (Map.Entry<Long, JsonNode> e : expected.entrySet()) {
            String answer = e.getValue().get("price").asText();
            JsonNode evaluation = evaluations.get(e.getKey());
            // Used exactly: the same string as the round's answer, never rounded (not to cents either).
            assertThat(evaluation.get("price").asText()).as("price at %d", e.getKey()).isEqualTo(answer);
            assertThat(evaluation.get("median").asText()).as("median at %d", e.getKey()).isEqualTo(answer);
            assertThat(evaluation.get("primary").asText()).as("primary at %d", e.getKey()).isEqualTo(answer);
            BigDecimal exact = new BigDecimal(answer);
            if (exact.compareTo(exact.setScale(2, RoundingMode.HALF_EVEN)) != 0) {
                beyondCents++;
            }
        }
        // The answers carry 8 decimals (28177.15991074): most of them are not whole cents.
        assertThat(beyondCents).isGreaterThan(expected.size() / 2);
    }

    @Test
    void followsTheFlashDropOfSeventeenthAugust() {
        List<BigDecimal> during = result.topic(Topics.REFERENCE_PRICES).stream()
                .filter(r -> r.eventTime() >= t("2023-08-17T21:40:00Z") && r.eventTime() <= t("2023-08-17T21:50:00Z"))
                .map(r -> new BigDecimal(json(r).get("price").asText()))
                .toList();
        // 27,380 to 25,544 in four minutes, every round reflected as it came.
        assertThat(during.size()).isGreaterThanOrEqualTo(3);
        assertThat(during.get(0)).isGreaterThan(new BigDecimal("27000"));
        assertThat(during.stream().min(BigDecimal::compareTo).orElseThrow()).isLessThan(new BigDecimal("25600"));
    }
}
