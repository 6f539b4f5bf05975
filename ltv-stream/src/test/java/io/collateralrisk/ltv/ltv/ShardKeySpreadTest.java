package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Where the keyed stages' keys land, by Flink's own key-group assignment at the job's
 * maxParallelism: one pair's book over every subtask, and pairs on subtasks of their own.
 */
class ShardKeySpreadTest {

    private static final int MAX = KeyGroupKeys.MAX_PARALLELISM;
    private static final int BOOK = 100_000;

    /** The subtask Flink runs {@code key} on. */
    private static int subtaskOf(String key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX, parallelism);
    }

    @Test
    void theKeyGroupFunctionIsFlinks() {
        List<String> keys = new ArrayList<>();
        for (String pair : List.of("BTC-USD", "ETH-USD", "SOL-USDC", "X-Y")) {
            keys.addAll(List.of(KeyGroupKeys.ltvShardKeys(pair)));
            keys.add(pair);
            keys.add(pair + "#3");
        }
        keys.addAll(KeyGroupKeys.PairKeys.of(List.of("BTC-USD", "ETH-USD", "SOL-USDC")).keys().values());
        for (String key : keys) {
            assertThat(KeyGroupKeys.keyGroupOf(key)).as(key).isEqualTo(KeyGroupRangeAssignment.assignToKeyGroup(key, MAX));
        }
    }

    @Test
    void everyPairHasOneShardInEachKeyGroup() {
        for (String pair : List.of("BTC-USD", "ETH-USD", "USDT-USD")) {
            Set<Integer> groups = new TreeSet<>();
            for (String key : KeyGroupKeys.ltvShardKeys(pair)) {
                groups.add(KeyGroupRangeAssignment.assignToKeyGroup(key, MAX));
            }
            assertThat(groups).as(pair).hasSize(MAX);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 8, 32, 100, 128})
    void atAnyParallelismEverySubtaskHoldsItsShareOfAPairsShards(int parallelism) {
        int[] shards = new int[parallelism];
        for (String key : KeyGroupKeys.ltvShardKeys("BTC-USD")) {
            shards[subtaskOf(key, parallelism)]++;
        }
        for (int n : shards) {
            assertThat(n).isBetween(MAX / parallelism, (MAX + parallelism - 1) / parallelism);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8, 32})
    void theLargestSubtaskHoldsAtMostItsShareOfOnePairsBookAndFivePercent(int parallelism) {
        assertThat(largestShare(parallelism, LtvStage::shardOf)).isLessThanOrEqualTo(1.05 / parallelism);
    }

    /** The same measure fails on the layout this replaced: eight keys {@code pair#0..7} by {@code String.hashCode}. */
    @Test
    void eightHashedShardsAPairDidNotSpread() {
        assertThat(largestShare(8, (pair, id) -> pair + '#' + Math.floorMod(id.hashCode(), 8))).isGreaterThan(1.05 / 8);
        assertThat(largestShare(32, (pair, id) -> pair + '#' + Math.floorMod(id.hashCode(), 8))).isGreaterThan(1.05 / 32);
    }

    /** The largest subtask's share of a book of {@value #BOOK} facilities of one pair, ids as a lending core numbers them. */
    private static double largestShare(int parallelism, java.util.function.BiFunction<String, String, String> keyOf) {
        int[] facilities = new int[parallelism];
        for (int i = 0; i < BOOK; i++) {
            facilities[subtaskOf(keyOf.apply("BTC-USD", String.format("F-%06d", i)), parallelism)]++;
        }
        int largest = 0;
        for (int n : facilities) {
            largest = Math.max(largest, n);
        }
        return (double) largest / BOOK;
    }

    @Test
    void thePairsOfTheDefaultConfigurationAndOfLargerOnesDoNotSharePriceStageSubtasks() {
        List<Set<String>> configurations = List.of(
                RiskConfig.defaults().pairs().keySet(),
                Set.of("BTC-USD", "ETH-USD"),
                Set.of("BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "ADA-USD", "DOGE-USD", "LTC-USD", "DOT-USD"),
                Set.of("BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "ADA-USD", "DOGE-USD", "LTC-USD", "DOT-USD", "AVAX-USD", "LINK-USD"));
        for (Set<String> pairs : configurations) {
            KeyGroupKeys.PairKeys keys = KeyGroupKeys.PairKeys.of(pairs);
            for (int p = pairs.size(); p <= MAX; p++) {
                Set<Integer> subtasks = new HashSet<>();
                for (String pair : pairs) {
                    subtasks.add(subtaskOf(keys.keyOf(pair), p));
                }
                assertThat(subtasks).as("%s at parallelism %d", pairs, p).hasSize(pairs.size());
            }
        }
        // As plain names, BTC-USD and ETH-USD share a key group, hence a subtask at every parallelism.
        assertThat(KeyGroupRangeAssignment.assignToKeyGroup("BTC-USD", MAX))
                .isEqualTo(KeyGroupRangeAssignment.assignToKeyGroup("ETH-USD", MAX));
    }

    @Test
    void manyPairsStillGetOneSubtaskEachAtTheirOwnNumber() {
        for (int n : new int[] {43, 50, 100, 128}) {
            List<String> pairs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pairs.add("P" + i + "-USD");
            }
            KeyGroupKeys.PairKeys keys = KeyGroupKeys.PairKeys.of(pairs);
            Set<Integer> subtasks = new HashSet<>();
            for (String pair : pairs) {
                subtasks.add(subtaskOf(keys.keyOf(pair), n));
            }
            assertThat(subtasks).as("%d pairs", n).hasSize(n);
        }
    }
}
