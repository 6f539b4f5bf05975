package io.collateralrisk.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyGroupKeysTest {

    @Test
    void shardKeysNameTheirPairAndShardAndAreTheSameEveryTime() {
        String key = KeyGroupKeys.ltvShardKey("BTC-USD", 17);
        assertThat(key).startsWith("BTC-USD#17:");
        assertThat(KeyGroupKeys.pairOfKey(key)).isEqualTo("BTC-USD");
        assertThat(KeyGroupKeys.shardOfKey(key)).isEqualTo(17);
        assertThat(KeyGroupKeys.isLtvShardKey(key)).isTrue();
        // Computed from the names alone: a fresh search gives the same key.
        assertThat(KeyGroupKeys.keyInGroup("BTC-USD#17:", KeyGroupKeys.keyGroupOf(key))).isEqualTo(key);
    }

    @Test
    void keysOfOtherLayoutsAreNotShardKeys() {
        assertThat(KeyGroupKeys.isLtvShardKey("BTC-USD#3")).isFalse(); // eight shards a pair, before
        assertThat(KeyGroupKeys.isLtvShardKey("BTC-USD")).isFalse();
        assertThat(KeyGroupKeys.isLtvShardKey("BTC-USD#3:0")).isEqualTo(KeyGroupKeys.ltvShardKey("BTC-USD", 3).equals("BTC-USD#3:0"));
        assertThat(KeyGroupKeys.isLtvShardKey("BTC-USD#200:1")).isFalse();
        assertThat(KeyGroupKeys.isLtvShardKey("BTC-USD#x:1")).isFalse();
    }

    @Test
    void facilityShardsAreWellMixed() {
        int[] perShard = new int[KeyGroupKeys.LTV_SHARDS];
        for (int i = 0; i < 128_000; i++) {
            perShard[KeyGroupKeys.shardOf(String.format("F-%06d", i))]++;
        }
        // 1,000 a shard expected; a binomial's spread is about 32.
        for (int n : perShard) {
            assertThat(n).isBetween(850, 1_150);
        }
        assertThat(KeyGroupKeys.shardOf("F-000123")).isEqualTo(KeyGroupKeys.shardOf(new String("F-000123")));
    }

    @Test
    void pairsAreSpreadOverTheKeyGroupsInNameOrder() {
        assertThat(KeyGroupKeys.spreadGroups(1)).containsExactly(0);
        assertThat(KeyGroupKeys.spreadGroups(2)).containsExactly(0, 64);
        assertThat(KeyGroupKeys.spreadGroups(3)).containsExactly(0, 43, 86);
        KeyGroupKeys.PairKeys keys = KeyGroupKeys.PairKeys.of(List.of("ETH-USD", "BTC-USD"));
        assertThat(KeyGroupKeys.keyGroupOf(keys.keyOf("BTC-USD"))).isZero();
        assertThat(KeyGroupKeys.keyGroupOf(keys.keyOf("ETH-USD"))).isEqualTo(64);
        assertThat(keys.keyOf("BTC-USD")).startsWith("BTC-USD@");
        assertThat(KeyGroupKeys.pairOfKey(keys.keyOf("ETH-USD"))).isEqualTo("ETH-USD");
        // Beyond what the bounded search finds, the even split: one subtask each at their own number.
        int[] many = KeyGroupKeys.spreadGroups(128);
        for (int i = 0; i < 128; i++) {
            assertThat(many[i]).isEqualTo(i);
        }
    }

    @Test
    void restoredStateIsReachedOnlyUnderItsPairsCurrentKey() {
        KeyGroupKeys.PairKeys keys = KeyGroupKeys.PairKeys.of(List.of("BTC-USD", "ETH-USD"));
        assertThat(keys.reaches(keys.keyOf("ETH-USD"))).isTrue();
        assertThat(keys.reaches("ETH-USD")).isFalse(); // the plain name of earlier versions
        String underAnotherSet = KeyGroupKeys.PairKeys.of(List.of("ADA-USD", "BTC-USD", "ETH-USD")).keyOf("ETH-USD");
        assertThat(keys.reaches(underAnotherSet)).isEqualTo(underAnotherSet.equals(keys.keyOf("ETH-USD")));
        assertThat(keys.reaches("SOL-USD@5")).isTrue(); // a pair no longer configured: held and reported elsewhere
    }
}
