package io.collateralrisk.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Portfolios and a custody pool run in the replayed job, on the price clock, at parallelism 2.
 * BTC-USD and USDC-USD from two exchanges each minute; USDC has a variance factor of 1.02, BTC
 * 1.25, SOL is a tail token (1.5):
 *
 * <pre>
 * minute  BTC      portfolio events                          custody main-pool/USDC (slot)
 *  0      100000
 *  1               W-1/0 P-1: 1 BTC against 60,000 USDC (0.765)   100 healthy, locked 5,000 of 10,000
 *  2               W-2/3 P-2: 3 SOL against 1 SOL (0.75)
 *  3               W-3/0 P-4 installed; a malformed line           101 owned 9,000: OWNED_COVERS_BASE broken
 *  4               P-4 installed again; P-9 updated, never installed
 *  5       88000   P-4 at an old version: a no-op (0.869)          102 owned back, userLosses 0 -&gt; 50
 *  6               W-2/3 P-2 owes 1.9 SOL: insolvent (1.425)
 *  7                                                               103 locked 8,500: trade blockage
 *  8       84000   W-1/0 at risk (0.911)                           999 without owned: dead letter, nothing applied
 *  9               W-2/4 P-3: 0.01 BTC against 100 USDC: insolvent  104 locked 6,000: blockage cleared
 * 10                                                               104 again: stale
 * 11                                                               105 another mint: dead letter
 * 12       75000   W-1/0 insolvent (1.02)
 * 16      100000   W-1/0 solvent (0.765)
 * </pre>
 */
class SolvencyReplayTest {

    private static final long T0 = Times.parseIso("2024-03-01T12:00:00Z");
    private static final long MINUTE = 60_000;
    private static final String CUSTODY = "main-pool/USDC";
    private static final String MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              USDC: {scale: 6, varianceFactor: 1.02}
              SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}
            pairs:
              USDC-USD: {bounds: {min: '0.5', max: '2'}}
            """);

    @Test
    void portfoliosAndACustodyPoolGiveTheirEventsWithTheSameIdsInEveryRunOnEitherStateBackend(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in");
        ReplayFixtures.write(in, Topics.PRICES, prices());
        ReplayFixtures.write(in, Topics.PORTFOLIO_EVENTS, List.of(
                install(1, "W-1", 0, "P-1", "{\"BTC\":\"1\"}", "{\"USDC\":\"60000\"}", 1),
                install(2, "W-2", 3, "P-2", "{\"SOL\":\"3\"}", "{\"SOL\":\"1\"}", 1),
                install(3, "W-3", 0, "P-4", "{\"BTC\":\"0.1\"}", "{\"USDC\":\"100\"}", 1),
                "{\"type\":\"POSITION_INSTALLED\",",
                install(4, "W-3", 0, "P-4", "{\"BTC\":\"0.1\"}", "{\"USDC\":\"100\"}", 2),
                update(4, "W-3", 0, "P-9", "{\"BTC\":\"0.1\"}", "{\"USDC\":\"100\"}", 1),
                update(5, "W-3", 0, "P-4", "{\"BTC\":\"0.1\"}", "{\"USDC\":\"900000\"}", 1),
                update(6, "W-2", 3, "P-2", "{\"SOL\":\"3\"}", "{\"SOL\":\"1.9\"}", 2),
                install(9, "W-2", 4, "P-3", "{\"USDC\":\"100\"}", "{\"BTC\":\"0.01\"}", 1)));
        ReplayFixtures.write(in, Topics.CUSTODY_SNAPSHOTS, List.of(
                snapshot(1, 100, MINT, 12_000, 5_000, 0),
                snapshot(3, 101, MINT, 9_000, 5_000, 0),
                snapshot(5, 102, MINT, 12_000, 5_000, 50),
                snapshot(7, 103, MINT, 12_000, 8_500, 50),
                snapshot(8, 999, MINT, 12_000, 8_500, 50).replace("\"owned\":\"12000\",", ""),
                snapshot(9, 104, MINT, 12_000, 6_000, 50),
                snapshot(10, 104, MINT, 12_000, 9_000, 50),
                snapshot(11, 105, "another-mint", 12_000, 6_000, 50)));

        Replay.Result result = new Replay(CONFIG, 2).run(in, dir.resolve("a"));
        new Replay(CONFIG, 2).run(in, dir.resolve("b"));
        // Keyed state in RocksDB, where every read is a copy: the same files.
        new Replay(CONFIG, 2, null, StateBackendChoice.ROCKSDB).run(in, dir.resolve("c"));

        List<OutputRecord> solvency = result.topic(Topics.SOLVENCY);
        assertThat(solvency).extracting(OutputRecord::key, r -> ReplayFixtures.json(r).get("type").asText(), OutputRecord::eventTime,
                        OutputRecord::eventId)
                .containsExactly(
                        tuple(CUSTODY, CustodyEvent.INVARIANT_BROKEN, at(3), custodyId(CustodyEvent.INVARIANT_BROKEN, "OWNED_COVERS_BASE", 3, 101)),
                        lossOrRestored(5, 102).get(0),
                        lossOrRestored(5, 102).get(1),
                        tuple("W-2", "PORTFOLIO_INSOLVENT", at(6), portfolioId("PORTFOLIO_INSOLVENT", "W-2", 3, 6, "P-2@2")),
                        tuple(CUSTODY, CustodyEvent.TRADE_BLOCKAGE, at(7), custodyId(CustodyEvent.TRADE_BLOCKAGE, null, 7, 103)),
                        tuple("W-1", "PORTFOLIO_AT_RISK", at(8), portfolioId("PORTFOLIO_AT_RISK", "W-1", 0, 8, evaluation(8))),
                        // At one instant, by key: "W-2" sorts before "main-pool/USDC".
                        walletTwoAtNine().get(0),
                        walletTwoAtNine().get(1),
                        tuple(CUSTODY, CustodyEvent.TRADE_BLOCKAGE_CLEARED, at(9), custodyId(CustodyEvent.TRADE_BLOCKAGE_CLEARED, null, 9, 104)),
                        tuple("W-1", "PORTFOLIO_INSOLVENT", at(12), portfolioId("PORTFOLIO_INSOLVENT", "W-1", 0, 12, evaluation(12))),
                        tuple("W-1", "PORTFOLIO_SOLVENT", at(16), portfolioId("PORTFOLIO_SOLVENT", "W-1", 0, 16, evaluation(16))));

        List<JsonNode> portfolioEvents = solvency.stream().map(ReplayFixtures::json).filter(n -> n.has("wallet")).toList();
        assertThat(portfolioEvents).extracting(n -> n.get("state").asText(), n -> n.get("previousState").asText())
                .containsExactly(
                        tuple("INSOLVENT", "SOLVENT"), tuple("AT_RISK", "SOLVENT"), tuple("INSOLVENT", "SOLVENT"),
                        tuple("INSOLVENT", "INSOLVENT"), tuple("INSOLVENT", "AT_RISK"), tuple("SOLVENT", "INSOLVENT"));
        // In a replay every input is read in one event-time order: nothing is applied late.
        assertThat(portfolioEvents).allSatisfy(n -> assertThat(n.get("appliedLate").asBoolean()).isFalse());
        JsonNode atRisk = portfolioEvents.get(1);
        assertThat(atRisk.get("crossUtilization").asText()).startsWith("0.9107");
        assertThat(atRisk.get("tokens").get(0).get("evaluationId").asText()).isEqualTo(evaluation(8));
        assertThat(atRisk.get("tokens").get(1).get("evaluationId").asText()).isEqualTo(EventIds.evaluationId("USDC-USD", at(8)));

        assertThat(result.topic(Topics.DEAD_LETTER)).extracting(OutputRecord::key, r -> ReplayFixtures.json(r).get("reason").asText())
                .containsExactlyInAnyOrder(
                        tuple(Topics.PORTFOLIO_EVENTS, "MALFORMED_JSON"),
                        tuple(Topics.PORTFOLIO_EVENTS, "ALREADY_INSTALLED"),
                        tuple(Topics.PORTFOLIO_EVENTS, "UNKNOWN_POSITION"),
                        tuple(Topics.CUSTODY_SNAPSHOTS, "MISSING_FIELD:owned"),
                        tuple(Topics.CUSTODY_SNAPSHOTS, "INVALID_FIELD:mint"));
        ReplayFixtures.assertAllValid(result);

        for (String topic : Topics.OUTPUTS) {
            byte[] a = Files.readAllBytes(dir.resolve("a").resolve(topic + ".jsonl"));
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(topic + ".jsonl"))).as(topic).isEqualTo(a);
            assertThat(Files.readAllBytes(dir.resolve("c").resolve(topic + ".jsonl"))).as(topic + " on RocksDB").isEqualTo(a);
        }
    }

    /** Slot 102: the invariant restored and the loss, in id order (same time, same key). */
    private static List<org.assertj.core.groups.Tuple> lossOrRestored(int minute, long slot) {
        List<org.assertj.core.groups.Tuple> both = new ArrayList<>(List.of(
                tuple(CUSTODY, CustodyEvent.INVARIANT_RESTORED, at(minute), custodyId(CustodyEvent.INVARIANT_RESTORED, "OWNED_COVERS_BASE", minute, slot)),
                tuple(CUSTODY, CustodyEvent.LOSS_RECORDED, at(minute), custodyId(CustodyEvent.LOSS_RECORDED, "userLosses", minute, slot))));
        both.sort(java.util.Comparator.comparing(t -> (String) t.toList().get(3)));
        return both;
    }

    /** W-2/4 at minute 9: insolvent, and the install that did it, in id order. */
    private static List<org.assertj.core.groups.Tuple> walletTwoAtNine() {
        List<org.assertj.core.groups.Tuple> both = new ArrayList<>(List.of(
                tuple("W-2", "PORTFOLIO_INSOLVENT", at(9), portfolioId("PORTFOLIO_INSOLVENT", "W-2", 4, 9, "P-3@1")),
                tuple("W-2", SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, at(9),
                        portfolioId(SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, "W-2", 4, 9, "P-3@1"))));
        both.sort(java.util.Comparator.comparing(t -> (String) t.toList().get(3)));
        return both;
    }

    private static long at(int minute) {
        return T0 + minute * MINUTE;
    }

    private static String evaluation(int minute) {
        return EventIds.evaluationId("BTC-USD", at(minute));
    }

    private static String portfolioId(String type, String wallet, int portfolio, int minute, String cause) {
        return SolvencyEvent.eventId(type, wallet, portfolio, at(minute), cause);
    }

    private static String custodyId(String type, String qualifier, int minute, long slot) {
        return CustodyEvent.eventId(type, CUSTODY, qualifier, at(minute), BigInteger.valueOf(slot));
    }

    private static List<String> prices() {
        List<String> lines = new ArrayList<>();
        for (int m = 0; m <= 20; m++) {
            String btc = m < 5 ? "100000" : m < 8 ? "88000" : m < 12 ? "84000" : m < 16 ? "75000" : "100000";
            for (String source : List.of("ex1", "ex2")) {
                lines.add(tick(m, "BTC-USD", source, btc));
                lines.add(tick(m, "USDC-USD", source, "1.00"));
            }
        }
        return lines;
    }

    private static String tick(int minute, String pair, String source, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(at(minute)) + "\",\"pair\":\"" + pair + "\",\"source\":\""
                + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
    }

    private static String install(int minute, String wallet, int portfolio, String position, String credits, String debts, long version) {
        return "{\"type\":\"POSITION_INSTALLED\",\"eventTime\":\"" + Times.format(at(minute)) + "\",\"wallet\":\"" + wallet
                + "\",\"portfolio\":" + portfolio + ",\"position\":\"" + position + "\",\"producer\":\"amm\",\"credits\":" + credits
                + ",\"debts\":" + debts + ",\"deltas\":{},\"version\":" + version + "}";
    }

    private static String update(int minute, String wallet, int portfolio, String position, String credits, String debts, long version) {
        return "{\"type\":\"POSITION_UPDATED\",\"eventTime\":\"" + Times.format(at(minute)) + "\",\"wallet\":\"" + wallet
                + "\",\"portfolio\":" + portfolio + ",\"position\":\"" + position + "\",\"credits\":" + credits
                + ",\"debts\":" + debts + ",\"deltas\":{},\"version\":" + version + "}";
    }

    private static String snapshot(int minute, long slot, String mint, long owned, long locked, long userLosses) {
        return "{\"type\":\"CUSTODY_SNAPSHOT\",\"eventTime\":\"" + Times.format(at(minute)) + "\",\"custody\":\"" + CUSTODY
                + "\",\"mint\":\"" + mint + "\",\"slot\":" + slot + ",\"insurance\":\"1\",\"impairmentLosses\":\"0\",\"userLosses\":\""
                + userLosses + "\",\"owned\":\"" + owned + "\",\"base\":\"10000\",\"locked\":\"" + locked
                + "\",\"longed\":\"4\",\"shorted\":\"5\",\"guaranteedUsd\":\"6\",\"feeReserves\":\"300\"}";
    }
}
