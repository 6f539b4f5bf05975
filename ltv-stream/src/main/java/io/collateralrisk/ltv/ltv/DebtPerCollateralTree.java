package io.collateralrisk.ltv.ltv;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Facilities with debt ordered by debt per unit of collateral ({@code D / C}, exact; no collateral
 * is infinite), ties by facility id, each subtree keeping its count and the exact sums of its debt
 * and collateral. A facility's LTV at price {@code P} is {@code (D / C) / P}, so at any price the
 * facilities with {@code LTV <= b} are a prefix of this order ({@code D <= b x P x C}), and the
 * count and sums of that prefix are one descent of the tree: a bucket bound, a shocked threshold or
 * the price itself (for the shortfall) costs {@code O(log n)}, whatever the price; the worst
 * facilities are the last ones.
 *
 * <p>A treap (a search tree whose nodes are also a heap by a priority drawn from the id's hash, so
 * it stays balanced in expectation whatever the order of inserts); subtrees of
 * {@value #SUMMED} nodes or more keep their sums. Orders and prefixes are decided
 * on {@code double} quotients when they differ by more than their rounding can explain, and on the
 * exact amounts otherwise, so every answer is exact.
 */
final class DebtPerCollateralTree {

    /**
     * Subtrees smaller than this keep no sums (a few nodes are summed when asked): most nodes are
     * near the leaves, so this saves most of the sums' memory for a few more additions per query.
     */
    private static final int SUMMED = 16;

    /** Relative gap beyond which two quotients rounded to doubles are certainly ordered as they look. */
    private static final double SEPARATED = 1e-9;

    /**
     * Ascending debt per collateral, infinite last; equal ratios by descending id, so that walking
     * from the top gives the worst first and, among equals, the lowest id first.
     */
    static final Comparator<Node> ORDER = DebtPerCollateralTree::compare;

    /** A facility's place in the order; {@code debt} and {@code collateral} must not change while it is in a tree. */
    static class Node {
        final String id;
        final BigDecimal debt;
        final BigDecimal collateral;
        /** {@code D / C} as a double when that is a normal number, +Inf for no collateral, else NaN (exact only). */
        final double ratio;
        private final int priority;
        private int size;
        /** The subtree's sums, null below {@link #SUMMED} nodes. */
        private BigDecimal sumDebt;
        private BigDecimal sumCollateral;
        private Node left;
        private Node right;

        Node(String id, BigDecimal debt, BigDecimal collateral) {
            this.id = id;
            this.debt = debt;
            this.collateral = collateral;
            this.ratio = ratio(debt, collateral);
            this.priority = mix(id.hashCode());
        }

        private static double ratio(BigDecimal debt, BigDecimal collateral) {
            if (collateral.signum() == 0) {
                return Double.POSITIVE_INFINITY;
            }
            double q = debt.doubleValue() / collateral.doubleValue();
            return Double.isFinite(q) && q >= Double.MIN_NORMAL ? q : Double.NaN;
        }

        private static int mix(int h) {
            long z = h * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return (int) (z ^ (z >>> 31));
        }
    }

    /** Count and exact sums of a set of facilities. */
    record Sums(long count, BigDecimal debt, BigDecimal collateral) {
        static final Sums NONE = new Sums(0, BigDecimal.ZERO, BigDecimal.ZERO);

        Sums minus(Sums other) {
            return new Sums(count - other.count, debt.subtract(other.debt), collateral.subtract(other.collateral));
        }
    }

    private Node root;
    /** The two halves of the latest {@link #split}. */
    private Node lower;
    private Node upper;

    int size() {
        return root == null ? 0 : root.size;
    }

    /** The longest path from the root: about 2 ln n in expectation, whatever the order of inserts. */
    int depth() {
        return depth(root);
    }

    private static int depth(Node t) {
        return t == null ? 0 : 1 + Math.max(depth(t.left), depth(t.right));
    }

    /** Every facility in the tree. */
    Sums total() {
        return root == null ? Sums.NONE : new Sums(root.size, debt(root), collateral(root));
    }

    void insert(Node x) {
        root = insert(root, x);
    }

    void remove(Node x) {
        root = remove(root, x);
    }

    /** Replaces the content with {@code nodes} in {@link #ORDER} (distinct ids), in linear time. */
    void build(List<? extends Node> sorted) {
        Node[] stack = new Node[Math.max(1, sorted.size())];
        int top = 0;
        for (Node node : sorted) {
            node.left = null;
            node.right = null;
            Node last = null;
            while (top > 0 && stack[top - 1].priority < node.priority) {
                last = stack[--top];
            }
            node.left = last;
            if (top > 0) {
                stack[top - 1].right = node;
            }
            stack[top++] = node;
        }
        root = top == 0 ? null : stack[0];
        pullAll(root);
    }

    /**
     * The facilities with {@code D <= x x C} ({@code D < x x C} when {@code strict}): at a price
     * {@code P}, those whose LTV is at most (below) {@code x / P}. {@code x} must not be negative.
     */
    Sums atMost(BigDecimal x, boolean strict) {
        double xd = x.doubleValue();
        boolean approximate = Double.isFinite(xd) && xd >= Double.MIN_NORMAL;
        long count = 0;
        BigDecimal debt = BigDecimal.ZERO;
        BigDecimal collateral = BigDecimal.ZERO;
        Node t = root;
        while (t != null) {
            if (within(t, x, xd, approximate, strict)) {
                if (t.left != null) {
                    count += t.left.size;
                    debt = debt.add(debt(t.left));
                    collateral = collateral.add(collateral(t.left));
                }
                count++;
                debt = debt.add(t.debt);
                collateral = collateral.add(t.collateral);
                t = t.right;
            } else {
                t = t.left;
            }
        }
        return new Sums(count, debt, collateral);
    }

    /** Adds the {@code n} last facilities of the order to {@code into}, the worst first. */
    void worst(int n, List<Node> into) {
        List<Node> path = new ArrayList<>();
        Node t = root;
        int added = 0;
        while (added < n && (t != null || !path.isEmpty())) {
            while (t != null) {
                path.add(t);
                t = t.right;
            }
            t = path.remove(path.size() - 1);
            into.add(t);
            added++;
            t = t.left;
        }
    }

    private static boolean within(Node t, BigDecimal x, double xd, boolean approximate, boolean strict) {
        double r = t.ratio;
        if (approximate && r == r) {
            if (r < xd * (1 - SEPARATED)) {
                return true;
            }
            if (r > xd * (1 + SEPARATED)) {
                return false;
            }
        }
        int c = t.debt.compareTo(x.multiply(t.collateral));
        return strict ? c < 0 : c <= 0;
    }

    static int compare(Node a, Node b) {
        int c = compareRatio(a, b);
        return c != 0 ? c : b.id.compareTo(a.id);
    }

    private static int compareRatio(Node a, Node b) {
        double x = a.ratio;
        double y = b.ratio;
        if (x == x && y == y) {
            if (x < y * (1 - SEPARATED)) {
                return -1;
            }
            if (x > y * (1 + SEPARATED)) {
                return 1;
            }
        }
        boolean aInfinite = a.collateral.signum() == 0;
        boolean bInfinite = b.collateral.signum() == 0;
        if (aInfinite || bInfinite) {
            return Boolean.compare(aInfinite, bInfinite);
        }
        return a.debt.multiply(b.collateral).compareTo(b.debt.multiply(a.collateral));
    }

    private Node insert(Node t, Node x) {
        if (t == null || x.priority > t.priority) {
            split(t, x);
            x.left = lower;
            x.right = upper;
            pull(x);
            return x;
        }
        if (compare(x, t) < 0) {
            t.left = insert(t.left, x);
        } else {
            t.right = insert(t.right, x);
        }
        pull(t);
        return t;
    }

    private Node remove(Node t, Node x) {
        if (t == null) {
            return null;
        }
        if (t == x) {
            Node merged = merge(t.left, t.right);
            x.left = null;
            x.right = null;
            return merged;
        }
        if (compare(x, t) < 0) {
            t.left = remove(t.left, x);
        } else {
            t.right = remove(t.right, x);
        }
        pull(t);
        return t;
    }

    /** Splits {@code t} into {@link #lower} (before {@code x}) and {@link #upper} (after it). */
    private void split(Node t, Node x) {
        if (t == null) {
            lower = null;
            upper = null;
            return;
        }
        if (compare(t, x) < 0) {
            split(t.right, x);
            t.right = lower;
            pull(t);
            lower = t;
        } else {
            split(t.left, x);
            t.left = upper;
            pull(t);
            upper = t;
        }
    }

    /** Joins two trees, every node of {@code a} before every node of {@code b}. */
    private static Node merge(Node a, Node b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.priority > b.priority) {
            a.right = merge(a.right, b);
            pull(a);
            return a;
        }
        b.left = merge(a, b.left);
        pull(b);
        return b;
    }

    private static void pullAll(Node t) {
        if (t != null) {
            pullAll(t.left);
            pullAll(t.right);
            pull(t);
        }
    }

    /** Recomputes a node's count and sums from its children's. */
    private static void pull(Node t) {
        t.size = 1 + (t.left == null ? 0 : t.left.size) + (t.right == null ? 0 : t.right.size);
        t.sumDebt = null;
        t.sumCollateral = null;
        if (t.size >= SUMMED) {
            t.sumDebt = debt(t);
            t.sumCollateral = collateral(t);
        }
    }

    /** The subtree's debt: kept, or summed for a small subtree. */
    private static BigDecimal debt(Node t) {
        if (t.sumDebt != null) {
            return t.sumDebt;
        }
        BigDecimal sum = t.debt;
        if (t.left != null) {
            sum = sum.add(debt(t.left));
        }
        if (t.right != null) {
            sum = sum.add(debt(t.right));
        }
        return sum;
    }

    private static BigDecimal collateral(Node t) {
        if (t.sumCollateral != null) {
            return t.sumCollateral;
        }
        BigDecimal sum = t.collateral;
        if (t.left != null) {
            sum = sum.add(collateral(t.left));
        }
        if (t.right != null) {
            sum = sum.add(collateral(t.right));
        }
        return sum;
    }
}
