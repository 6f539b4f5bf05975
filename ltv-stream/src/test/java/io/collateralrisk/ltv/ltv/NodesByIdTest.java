package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodesByIdTest {

    private static DebtPerCollateralTree.Node node(String id) {
        return new DebtPerCollateralTree.Node(id, BigDecimal.ONE, BigDecimal.ONE);
    }

    /** Random puts, replacements and removals, growing the table and shrinking it again, against a HashMap. */
    @Test
    void findsWhatAHashMapFindsThroughGrowthRemovalsAndShrinking() {
        Random random = new Random(5);
        NodesById<DebtPerCollateralTree.Node> table = new NodesById<>();
        Map<String, DebtPerCollateralTree.Node> expected = new HashMap<>();
        for (int phase = 0; phase < 2; phase++) {
            if (phase == 1) {
                // Most ids leave: the table shrinks, and the few hundred left are still found.
                for (String id : new java.util.ArrayList<>(expected.keySet())) {
                    if (Integer.parseInt(id.substring(2)) >= 300) {
                        table.remove(id);
                        expected.remove(id);
                    }
                }
            }
            for (int i = 0; i < 20_000; i++) {
                String id = "F-" + random.nextInt(phase == 0 ? 5_000 : 300);
                if (random.nextInt(3) == 0) {
                    table.remove(id);
                    expected.remove(id);
                } else {
                    DebtPerCollateralTree.Node n = node(id);
                    table.put(n);
                    expected.put(id, n);
                }
            }
            for (int i = 0; i < 5_000; i++) {
                String id = "F-" + i;
                assertThat(table.get(id)).as(id).isSameAs(expected.get(id));
            }
            assertThat(table.size()).isEqualTo(expected.size());
        }
        expected.keySet().forEach(table::remove);
        assertThat(table.size()).isZero();
        assertThat(table.get("F-1")).isNull();
    }
}
