package io.collateralrisk.ltv.ltv;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DebtPerCollateralTreeTest {

    /** Facility i: 1 BTC and debt 10 x i, so D / C grows with i. */
    private static DebtPerCollateralTree.Node facility(int i) {
        return new DebtPerCollateralTree.Node(String.format("F%06d", i), BigDecimal.valueOf(10L * i + 10), BigDecimal.ONE);
    }

    /**
     * A book loaded in order of its LTVs (as a bulk load may come) stays balanced, and every prefix
     * count and sum is right after inserts, removals and a rebuild.
     */
    @Test
    void staysBalancedWhateverTheOrderAndCountsEveryPrefix() {
        int n = 50_000;
        DebtPerCollateralTree tree = new DebtPerCollateralTree();
        List<DebtPerCollateralTree.Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DebtPerCollateralTree.Node f = facility(i);
            nodes.add(f);
            tree.insert(f);
        }
        assertThat(tree.depth()).isLessThan(80); // 2 ln n is about 22; a list would be 50,000
        assertPrefixes(tree, nodes);

        // Every other facility leaves.
        Random random = new Random(3);
        List<DebtPerCollateralTree.Node> kept = new ArrayList<>();
        for (DebtPerCollateralTree.Node f : nodes) {
            if (random.nextBoolean()) {
                tree.remove(f);
            } else {
                kept.add(f);
            }
        }
        assertThat(tree.size()).isEqualTo(kept.size());
        assertPrefixes(tree, kept);

        DebtPerCollateralTree rebuilt = new DebtPerCollateralTree();
        rebuilt.build(kept);
        assertThat(rebuilt.depth()).isLessThan(80);
        assertPrefixes(rebuilt, kept);
    }

    /** Ascending {@code nodes}: the prefix at debt per collateral x is those with debt at most x. */
    private static void assertPrefixes(DebtPerCollateralTree tree, List<DebtPerCollateralTree.Node> sorted) {
        BigDecimal sum = BigDecimal.ZERO;
        int step = Math.max(1, sorted.size() / 200);
        for (int i = 0; i < sorted.size(); i++) {
            sum = sum.add(sorted.get(i).debt);
            if (i % step == 0 || i == sorted.size() - 1) {
                BigDecimal x = sorted.get(i).debt;
                DebtPerCollateralTree.Sums within = tree.atMost(x, false);
                assertThat(within.count()).isEqualTo(i + 1);
                assertThat(within.debt()).isEqualByComparingTo(sum);
                assertThat(within.collateral()).isEqualByComparingTo(BigDecimal.valueOf(i + 1));
                assertThat(tree.atMost(x, true).count()).isEqualTo(i);
            }
        }
        List<DebtPerCollateralTree.Node> worst = new ArrayList<>();
        tree.worst(3, worst);
        assertThat(worst).containsExactly(sorted.get(sorted.size() - 1), sorted.get(sorted.size() - 2), sorted.get(sorted.size() - 3));
    }
}
