package io.collateralrisk.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * State keys chosen for the key group Flink puts them in, so that where a key's state lives never
 * depends on hashing luck.
 *
 * <p>Flink assigns a key to key group {@code murmur(key.hashCode()) % maxParallelism} and gives
 * each subtask a contiguous range of key groups. A handful of natural keys (a pair's name, or
 * {@code pair#0..7}) lands unevenly: some subtasks get several, others none, and two pairs can
 * share a key group. Here a key is a readable prefix and a counter, the counter being the smallest
 * that puts the key in the wanted group; every choice is deterministic (the same keys in every JVM
 * and every run), so state written under a key is found under it again after a restore or rescale.
 *
 * <ul>
 *   <li><b>LTV shards</b> ({@code BTC-USD#17:79}): every pair has {@link #LTV_SHARDS} shards, one
 *       per key group, so at any parallelism {@code p} every subtask holds {@code 128/p} (±1) of
 *       every pair's shards. A facility's shard is a well-mixed hash of its id. Shard {@code s} of a
 *       pair sits in key group {@code (s + offset(pair)) % 128}; the offset depends on the pair's
 *       name only, never on the configuration, so LTV state keys survive any configuration change.
 *   <li><b>Pair keys</b> ({@code BTC-USD@21}): the configured pairs, sorted, in key groups spread
 *       over 0..127 so that no two share a subtask at any parallelism from the number of pairs up to
 *       128 (searched for that; beyond 43 pairs, where the bounded search gives up, at least at a
 *       parallelism equal to the number of pairs). These keys follow the configured pair set: see
 *       {@link PairKeys}.
 * </ul>
 *
 * <p>The key-group function is Flink's ({@code KeyGroupRangeAssignment.assignToKeyGroup}),
 * repeated here so that the model stays free of Flink; a test checks it against Flink's own.
 */
public final class KeyGroupKeys {

    /** The job's maxParallelism: the number of key groups. Part of the state layout. */
    public static final int MAX_PARALLELISM = 128;
    /** Shards per pair in the LTV stage: one per key group. */
    public static final int LTV_SHARDS = MAX_PARALLELISM;

    private static final char SHARD = '#';
    private static final char COUNTER = ':';
    private static final char PAIR = '@';

    /** Pair -> its LTV shards' keys, by shard: computed once per pair and JVM. */
    private static final Map<String, String[]> LTV_KEYS = new ConcurrentHashMap<>();

    private KeyGroupKeys() {}

    /** The key group Flink assigns {@code key} to at {@link #MAX_PARALLELISM}. */
    public static int keyGroupOf(String key) {
        return murmurHash(key.hashCode()) % MAX_PARALLELISM;
    }

    /** The subtask Flink runs key group {@code keyGroup} on at {@code parallelism}. */
    public static int subtaskOf(int keyGroup, int parallelism) {
        return keyGroup * parallelism / MAX_PARALLELISM;
    }

    /** Flink's {@code MathUtils.murmurHash(int)}: non-negative. */
    static int murmurHash(int code) {
        code *= 0xcc9e2d51;
        code = Integer.rotateLeft(code, 15);
        code *= 0x1b873593;
        code = Integer.rotateLeft(code, 13);
        code = code * 5 + 0xe6546b64;
        code ^= 4;
        code ^= code >>> 16;
        code *= 0x85ebca6b;
        code ^= code >>> 13;
        code *= 0xc2b2ae35;
        code ^= code >>> 16;
        if (code >= 0) {
            return code;
        } else if (code != Integer.MIN_VALUE) {
            return -code;
        } else {
            return 0;
        }
    }

    /** The first of {@code prefix + 0}, {@code prefix + 1}, ... in {@code keyGroup}. */
    static String keyInGroup(String prefix, int keyGroup) {
        for (int n = 0; ; n++) {
            String key = prefix + n;
            if (keyGroupOf(key) == keyGroup) {
                return key;
            }
        }
    }

    // ---- LTV shards ----

    /**
     * A facility's shard, 0..{@link #LTV_SHARDS}-1: a 64-bit mix of every character of its id
     * (ids such as {@code F-000123} differ in a few low digits, which {@code String.hashCode}
     * alone maps to neighbouring values).
     */
    public static int shardOf(String facilityId) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < facilityId.length(); i++) {
            h = (h ^ facilityId.charAt(i)) * 0x100000001B3L;
        }
        return (int) (mix64(h) >>> 57); // the top 7 bits: 0..127
    }

    /** The key of the facility's shard of {@code pair}. */
    public static String ltvShardKey(String pair, String facilityId) {
        return ltvShardKeys(pair)[shardOf(facilityId)];
    }

    /** The key of shard {@code shard} of {@code pair}. */
    public static String ltvShardKey(String pair, int shard) {
        return ltvShardKeys(pair)[shard];
    }

    /** The keys of every shard of {@code pair}, by shard: one in each key group. Do not modify. */
    public static String[] ltvShardKeys(String pair) {
        return LTV_KEYS.computeIfAbsent(pair, p -> {
            int offset = pairOffset(p);
            String[] keys = new String[LTV_SHARDS];
            for (int shard = 0; shard < LTV_SHARDS; shard++) {
                keys[shard] = keyInGroup(p + SHARD + shard + COUNTER, (shard + offset) % MAX_PARALLELISM);
            }
            return keys;
        });
    }

    /** Whether {@code key} is a key of this layout's LTV shards (not, say, a {@code pair#n} key of 8 shards). */
    public static boolean isLtvShardKey(String key) {
        int hash = key.indexOf(SHARD);
        int colon = key.lastIndexOf(COUNTER);
        if (hash <= 0 || colon < hash) {
            return false;
        }
        try {
            int shard = Integer.parseInt(key.substring(hash + 1, colon));
            return shard >= 0 && shard < LTV_SHARDS && ltvShardKey(key.substring(0, hash), shard).equals(key);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The shard number of an LTV shard key; 0 for a key without one. */
    public static int shardOfKey(String key) {
        int hash = key.indexOf(SHARD);
        if (hash < 0) {
            return 0;
        }
        int colon = key.indexOf(COUNTER, hash);
        return Integer.parseInt(key.substring(hash + 1, colon < 0 ? key.length() : colon));
    }

    /** The pair an LTV shard key or a pair key names. */
    public static String pairOfKey(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == SHARD || c == PAIR) {
                return key.substring(0, i);
            }
        }
        return key;
    }

    /** Where a pair's shard 0 sits: from the pair's name alone, so that it never moves with the configuration. */
    private static int pairOffset(String pair) {
        long h = 0;
        for (int i = 0; i < pair.length(); i++) {
            h = (h ^ pair.charAt(i)) * 0x100000001B3L;
        }
        return (int) (mix64(h) >>> 57);
    }

    /** The finalizer of MurmurHash3's 64-bit variant: every input bit moves every output bit. */
    private static long mix64(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    // ---- Portfolio shards ----

    /** Wallet shards of the portfolio stage: one per key group. */
    public static final int PORTFOLIO_SHARDS = MAX_PARALLELISM;
    private static final String PORTFOLIO_PREFIX = "wallets#";
    private static final String[] PORTFOLIO_KEYS = new String[PORTFOLIO_SHARDS];

    static {
        for (int shard = 0; shard < PORTFOLIO_SHARDS; shard++) {
            PORTFOLIO_KEYS[shard] = keyInGroup(PORTFOLIO_PREFIX + shard + COUNTER, shard);
        }
    }

    /**
     * The key of a wallet's portfolio shard ({@code wallets#17:203}): shard {@code s} sits in key
     * group {@code s}, and a wallet's shard is the same well-mixed hash of its id as a facility's,
     * so wallets spread evenly over the subtasks at any parallelism and a rescale moves whole shards.
     */
    public static String portfolioShardKey(String wallet) {
        return PORTFOLIO_KEYS[shardOf(wallet)];
    }

    /** The keys of every portfolio shard, by shard: one in each key group. */
    public static List<String> portfolioShardKeys() {
        return List.of(PORTFOLIO_KEYS);
    }

    // ---- Pair keys ----

    /**
     * The keys of the pair-keyed stages for a set of pairs. Sorted by name, the {@code i}-th of
     * {@code n} pairs takes the {@code i}-th of {@code n} key groups chosen so that no two share a
     * subtask at any parallelism from {@code n} to 128 (the first such set in order, found by a
     * bounded search; when the bound is reached, {@code ceil(i * 128 / n)}, which still gives each
     * pair its own subtask at parallelism {@code n}).
     *
     * <p>The keys follow the pair set: adding or removing a pair can move another pair's key, and
     * its state with it. A restored operator checks for state under keys this set does not use
     * ({@link #reaches}).
     */
    public static final class PairKeys implements Serializable {

        private static final long serialVersionUID = 1L;

        private final TreeMap<String, String> keys;

        private PairKeys(TreeMap<String, String> keys) {
            this.keys = keys;
        }

        public static PairKeys of(Collection<String> pairs) {
            List<String> sorted = new ArrayList<>(new TreeSet<>(pairs));
            int[] groups = spreadGroups(sorted.size());
            TreeMap<String, String> keys = new TreeMap<>();
            for (int i = 0; i < sorted.size(); i++) {
                keys.put(sorted.get(i), keyInGroup(sorted.get(i) + PAIR, groups[i]));
            }
            return new PairKeys(keys);
        }

        /**
         * The key of {@code pair}; a pair outside the set (a record the stage dead-letters, or
         * restored state of a pair no longer configured) keys by its name and a fixed suffix.
         */
        public String keyOf(String pair) {
            String key = keys.get(pair);
            return key != null ? key : pair + PAIR;
        }

        /**
         * Whether restored state under {@code key} is reached by this set's keys: it is its pair's
         * key, or its pair is outside the set (held and reported, whatever its key). Not so for a
         * configured pair's plain name (earlier versions) or its key under another pair set.
         */
        public boolean reaches(String key) {
            String pair = pairOfKey(key);
            String current = keys.get(pair);
            return current == null || current.equals(key);
        }

        public Map<String, String> keys() {
            return java.util.Collections.unmodifiableMap(keys);
        }
    }

    /** Search steps before {@link #spreadGroups} gives up on every parallelism and takes the even split. */
    private static final int SEARCH_BUDGET = 200_000;

    /** Key groups for {@code n} keys, ascending: see {@link PairKeys}. */
    static int[] spreadGroups(int n) {
        if (n > MAX_PARALLELISM) {
            throw new IllegalArgumentException(n + " pairs: at most " + MAX_PARALLELISM);
        }
        int[] groups = new int[n];
        int[] budget = {SEARCH_BUDGET};
        if (n > 0 && search(groups, 0, n, budget)) {
            return groups;
        }
        for (int i = 0; i < n; i++) {
            groups[i] = (i * MAX_PARALLELISM + n - 1) / n;
        }
        return groups;
    }

    private static boolean search(int[] groups, int filled, int n, int[] budget) {
        if (filled == n) {
            return true;
        }
        for (int g = filled == 0 ? 0 : groups[filled - 1] + 1; g <= MAX_PARALLELISM - (n - filled); g++) {
            if (--budget[0] < 0) {
                return false;
            }
            groups[filled] = g;
            if (apartAtEveryParallelism(groups, filled + 1, n) && search(groups, filled + 1, n, budget)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the last of the first {@code count} groups shares no subtask with the others at any parallelism from n. */
    private static boolean apartAtEveryParallelism(int[] groups, int count, int n) {
        int last = groups[count - 1];
        for (int p = n; p <= MAX_PARALLELISM; p++) {
            int subtask = subtaskOf(last, p);
            for (int i = 0; i < count - 1; i++) {
                if (subtaskOf(groups[i], p) == subtask) {
                    return false;
                }
            }
        }
        return true;
    }
}
