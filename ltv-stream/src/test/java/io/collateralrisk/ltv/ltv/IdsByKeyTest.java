package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The chunked ordered set against a {@code TreeSet} of the same (key, id) pairs. */
class IdsByKeyTest {

    private record Entry(long key, String id) {}

    private static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::key).thenComparing(Entry::id);

    private final IdsByKey set = new IdsByKey();
    private final NavigableSet<Entry> model = new TreeSet<>(ORDER);

    @Test
    void anEmptySetHasNothing() {
        assertThat(set.size()).isZero();
        assertThat(set.containsKey(0)).isFalse();
        assertThat(set.remove(1, "a")).isFalse();
        assertThat(ids(set::forEach)).isEmpty();
        assertThat(ids(a -> set.forEachFrom(Long.MIN_VALUE, a))).isEmpty();
    }

    @Test
    void entriesAreOrderedByKeyThenIdAndRangesAreHalfOpenAsStated() {
        add(5, "b");
        add(5, "a");
        add(-3, "z");
        add(9, "a");
        assertThat(set.add(5, "a")).as("already there").isFalse();

        assertThat(ids(set::forEach)).containsExactly("z", "a", "b", "a");
        assertThat(ids(a -> set.forEachFrom(5, a))).containsExactly("a", "b", "a");
        assertThat(ids(a -> set.forEachFrom(6, a))).containsExactly("a");
        assertThat(ids(a -> set.forEachBelow(5, a))).containsExactly("z");
        assertThat(ids(a -> set.forEachBelow(6, a))).containsExactly("z", "a", "b");
        assertThat(set.containsKey(5)).isTrue();
        assertThat(set.containsKey(6)).isFalse();
        assertThat(set.remove(5, "c")).isFalse();
        assertThat(set.remove(5, "a")).isTrue();
        assertThat(ids(set::forEach)).containsExactly("z", "b", "a");
        assertThat(set.size()).isEqualTo(3);
    }

    @Test
    void keysInOrderFillWholeChunksAndSurviveRemovalFromEitherEnd() {
        int n = IdsByKey.CHUNK * 5 + 3;
        for (int i = 0; i < n; i++) {
            add(i, "f");
        }
        for (int i = -1; i > -n; i--) {
            add(i, "f");
        }
        check();
        for (int i = 0; i < n; i += 2) {
            remove(i, "f");
            remove(-i - 1, "f");
        }
        check();
        set.clear();
        model.clear();
        check();
        add(1, "again");
        check();
    }

    @Test
    void randomAddsAndRemovesKeepEveryQueryEqualToTheModel() {
        Random random = new Random(3);
        for (int round = 0; round < 20_000; round++) {
            // Few distinct keys and ids: ties and repeats are common.
            long key = random.nextInt(400) - 200;
            String id = "F-" + random.nextInt(30);
            int op = random.nextInt(10);
            if (op < 6) {
                add(key, id);
            } else if (op < 9) {
                remove(key, id);
            } else if (!model.isEmpty()) {
                // Remove a present entry, so that chunks empty and merge.
                Entry e = new ArrayList<>(model).get(random.nextInt(model.size()));
                remove(e.key(), e.id());
            }
            if (round % 500 == 0) {
                check();
            }
            long probe = random.nextInt(440) - 220;
            assertThat(set.containsKey(probe)).isEqualTo(model.stream().anyMatch(e -> e.key() == probe));
        }
        check();
        // Then drain it in random order.
        List<Entry> all = new ArrayList<>(model);
        java.util.Collections.shuffle(all, random);
        for (Entry e : all) {
            remove(e.key(), e.id());
        }
        check();
    }

    private void add(long key, String id) {
        assertThat(set.add(key, id)).isEqualTo(model.add(new Entry(key, id)));
    }

    private void remove(long key, String id) {
        assertThat(set.remove(key, id)).isEqualTo(model.remove(new Entry(key, id)));
    }

    private void check() {
        assertThat(set.size()).isEqualTo(model.size());
        assertThat(ids(set::forEach)).isEqualTo(model.stream().map(Entry::id).toList());
        for (long bound = -210; bound <= 210; bound += 7) {
            long b = bound;
            assertThat(ids(a -> set.forEachFrom(b, a))).as("from %d", b)
                    .isEqualTo(model.tailSet(new Entry(b, ""), true).stream().map(Entry::id).toList());
            assertThat(ids(a -> set.forEachBelow(b, a))).as("below %d", b)
                    .isEqualTo(model.headSet(new Entry(b, ""), false).stream().map(Entry::id).toList());
        }
    }

    private static List<String> ids(java.util.function.Consumer<java.util.function.Consumer<String>> walk) {
        List<String> out = new ArrayList<>();
        walk.accept(out::add);
        return out;
    }
}
