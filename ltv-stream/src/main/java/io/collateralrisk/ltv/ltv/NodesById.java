package io.collateralrisk.ltv.ltv;

/**
 * Nodes of a {@link DebtPerCollateralTree} by their facility id: an open-addressing table of the
 * nodes themselves (linear probing, removal by shifting back), about 6 bytes a facility where a
 * {@code HashMap} entry costs about 40.
 */
final class NodesById<N extends DebtPerCollateralTree.Node> {

    private static final int MIN_CAPACITY = 16;

    private DebtPerCollateralTree.Node[] table = new DebtPerCollateralTree.Node[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    N get(String id) {
        int mask = table.length - 1;
        for (int i = slot(id, mask); table[i] != null; i = (i + 1) & mask) {
            if (table[i].id.equals(id)) {
                return (N) table[i];
            }
        }
        return null;
    }

    /** Adds the node, replacing one of the same id. */
    void put(N node) {
        if ((size + 1) * 4L > table.length * 3L) {
            resize(table.length * 2);
        }
        int mask = table.length - 1;
        int i = slot(node.id, mask);
        while (table[i] != null) {
            if (table[i].id.equals(node.id)) {
                table[i] = node;
                return;
            }
            i = (i + 1) & mask;
        }
        table[i] = node;
        size++;
    }

    void remove(String id) {
        int mask = table.length - 1;
        int i = slot(id, mask);
        while (table[i] != null && !table[i].id.equals(id)) {
            i = (i + 1) & mask;
        }
        if (table[i] == null) {
            return;
        }
        // Shift back the entries of the run after the hole that may not stay past it.
        int hole = i;
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = slot(table[j].id, mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                table[hole] = table[j];
                hole = j;
            }
        }
        table[hole] = null;
        size--;
        if (table.length > MIN_CAPACITY && size * 8L < table.length) {
            resize(table.length / 2);
        }
    }

    void clear() {
        table = new DebtPerCollateralTree.Node[MIN_CAPACITY];
        size = 0;
    }

    @SuppressWarnings("unchecked")
    private void resize(int capacity) {
        DebtPerCollateralTree.Node[] old = table;
        table = new DebtPerCollateralTree.Node[capacity];
        size = 0;
        for (DebtPerCollateralTree.Node n : old) {
            if (n != null) {
                put((N) n);
            }
        }
    }

    private static int slot(String id, int mask) {
        int h = id.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
