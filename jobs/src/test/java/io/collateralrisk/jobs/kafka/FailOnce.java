package io.collateralrisk.jobs.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A pass-through operator that fails its job once: it throws instead of passing on a record once
 * at least {@code afterRecords} records have passed (all subtasks together) and at least one
 * checkpoint has completed, so the job must restart from that checkpoint. Test code only: the
 * production graph never contains it.
 *
 * <p>Until it has thrown it also paces its input to {@code perSecond} records a second per
 * subtask. Unpaced, a source reads a whole day into the network buffers within a second or two;
 * checkpoint barriers then queue behind it, and the first checkpoint completes only when most of
 * the day has been processed. Paced below what the job can take, checkpoints complete every
 * interval and the failure lands where it was aimed, between two of them.
 *
 * <p>Flink rebuilds the operator on every restart, so what must outlive the failure (how many
 * records passed, whether a checkpoint completed, whether it already threw) is a {@link Trigger}
 * shared by every subtask and every attempt, found by name: a MiniCluster runs them all in the
 * test's JVM. Each trigger is armed under a name of its own, so runs never see each other's.
 */
final class FailOnce<T> implements MapFunction<T, T>, CheckpointListener {

    /** What one armed failure has seen, across subtasks and restarts. */
    static final class Trigger {
        private final long afterRecords;
        private final AtomicLong passed = new AtomicLong();
        private final AtomicLong lastCompletedCheckpoint = new AtomicLong();
        private final AtomicBoolean fired = new AtomicBoolean();
        private volatile long firedAtRecord = -1;

        private Trigger(long afterRecords) {
            this.afterRecords = afterRecords;
        }

        boolean fired() {
            return fired.get();
        }

        /** How many records had passed when it threw (at least {@code afterRecords}). */
        long firedAtRecord() {
            return firedAtRecord;
        }

        /** Records passed on, before the failure and after the restart. */
        long passed() {
            return passed.get();
        }
    }

    /** The exception it throws: recognisable in a failed job's causes. */
    static final class InjectedFailure extends RuntimeException {
        InjectedFailure(String message) {
            super(message);
        }
    }

    private static final Map<String, Trigger> TRIGGERS = new ConcurrentHashMap<>();

    private final String name;
    private final double nanosPerRecord;
    private transient long startedNanos;
    private transient long records;

    private FailOnce(String name, double perSecond) {
        this.name = name;
        this.nanosPerRecord = 1e9 / perSecond;
    }

    /** Arms a failure under a new name; the returned trigger tells afterwards what happened. */
    static Trigger arm(String name, long afterRecords) {
        Trigger trigger = new Trigger(afterRecords);
        if (TRIGGERS.putIfAbsent(name, trigger) != null) {
            throw new IllegalStateException("a failure is already armed as " + name);
        }
        return trigger;
    }

    static void disarm(String name) {
        TRIGGERS.remove(name);
    }

    /** {@code stream} through the armed failure, paced to {@code perSecond} until it fires, chained to it at its parallelism. */
    static <T> DataStream<T> insert(DataStream<T> stream, String name, double perSecond) {
        if (!TRIGGERS.containsKey(name)) {
            throw new IllegalStateException("no failure armed as " + name);
        }
        return stream.map(new FailOnce<T>(name, perSecond), stream.getType())
                .setParallelism(stream.getParallelism())
                .uid("fail-once-" + name).name("fail once");
    }

    @Override
    public T map(T record) {
        Trigger t = TRIGGERS.get(name);
        if (!t.fired()) {
            pace();
        }
        long passed = t.passed.incrementAndGet();
        if (passed >= t.afterRecords && t.lastCompletedCheckpoint.get() > 0 && t.fired.compareAndSet(false, true)) {
            t.passed.decrementAndGet();
            t.firedAtRecord = passed;
            throw new InjectedFailure("injected failure at record " + passed + ", after checkpoint " + t.lastCompletedCheckpoint.get() + " completed");
        }
        return record;
    }

    private void pace() {
        long now = System.nanoTime();
        if (records++ == 0) {
            startedNanos = now;
        }
        long wait = startedNanos + (long) (records * nanosPerRecord) - now;
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        TRIGGERS.get(name).lastCompletedCheckpoint.accumulateAndGet(checkpointId, Math::max);
    }
}
