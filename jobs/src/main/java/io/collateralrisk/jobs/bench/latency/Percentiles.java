package io.collateralrisk.jobs.bench.latency;

import java.util.Collection;

/** Nearest-rank percentiles of latencies in milliseconds; -1 for each figure when there is none. */
public record Percentiles(long count, long p50, long p99, long max) {

    public static Percentiles of(Collection<Long> samples) {
        if (samples.isEmpty()) {
            return new Percentiles(0, -1, -1, -1);
        }
        long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Percentiles(sorted.length, rank(sorted, 50), rank(sorted, 99), sorted[sorted.length - 1]);
    }

    /** The smallest sample with at least {@code percent}% of the samples at or below it. */
    private static long rank(long[] sorted, int percent) {
        int n = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, n - 1)];
    }
}
