package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The id-to-keys table against a {@code HashMap}, with ids whose hash codes collide. */
class KeysByIdTest {

    private final KeysById table = new KeysById();
    private final Map<String, long[]> model = new HashMap<>();

    @Test
    void putReplacesTheKeysAndKeepsTheFiledIdObject() {
        String first = new String("F-1");
        table.put(first, 1, 2, 3);
        table.put(new String("F-1"), 4, 5, 6);

        int slot = table.slotOf("F-1");
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.idAt(slot)).isSameAs(first);
        assertThat(new long[] {table.key(slot, 0), table.key(slot, 1), table.key(slot, 2)}).containsExactly(4, 5, 6);
        assertThat(table.slotOf("F-2")).isEqualTo(-1);
    }

    @Test
    void collidingIdsGrowAndShrinkWithoutLosingAnyone() {
        // "Aa" and "BB" share a hash code, so every id below shares one with 2^4 - 1 others.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1 << 4; i++) {
            StringBuilder id = new StringBuilder();
            for (int bit = 0; bit < 4; bit++) {
                id.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            for (int suffix = 0; suffix < 40; suffix++) {
                ids.add(id + "-" + suffix);
            }
            ids.add(id.toString());
        }
        Random random = new Random(5);
        for (int round = 0; round < 30_000; round++) {
            String id = ids.get(random.nextInt(ids.size()));
            if (random.nextInt(3) > 0) {
                long k = random.nextLong();
                table.put(id, k, k + 1, k + 2);
                model.put(id, new long[] {k, k + 1, k + 2});
            } else {
                int slot = table.slotOf(id);
                assertThat(slot >= 0).isEqualTo(model.containsKey(id));
                if (slot >= 0) {
                    table.removeAt(slot);
                    model.remove(id);
                }
            }
            if (round % 1_000 == 0) {
                check(ids);
            }
        }
        check(ids);
        for (String id : ids) {
            int slot = table.slotOf(id);
            if (slot >= 0) {
                table.removeAt(slot);
            }
        }
        model.clear();
        check(ids);
    }

    @Test
    void clearEmptiesTheTable() {
        for (int i = 0; i < 100; i++) {
            table.put("F-" + i, i, i, i);
        }
        table.clear();
        assertThat(table.size()).isZero();
        assertThat(table.slotOf("F-7")).isEqualTo(-1);
        table.put("F-7", 1, 1, 1);
        assertThat(table.size()).isEqualTo(1);
    }

    private void check(List<String> ids) {
        assertThat(table.size()).isEqualTo(model.size());
        for (String id : ids) {
            int slot = table.slotOf(id);
            long[] expected = model.get(id);
            if (expected == null) {
                assertThat(slot).as(id).isEqualTo(-1);
            } else {
                assertThat(slot).as(id).isNotNegative();
                assertThat(new long[] {table.key(slot, 0), table.key(slot, 1), table.key(slot, 2)}).as(id).containsExactly(expected);
            }
        }
    }
}
