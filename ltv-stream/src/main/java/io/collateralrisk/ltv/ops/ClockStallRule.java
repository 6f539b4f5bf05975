package io.collateralrisk.ltv.ops;

import io.collateralrisk.model.OpsAlert;
import java.io.Serializable;

/**
 * {@code WATERMARK_STALLED} and {@code WATERMARK_RESUMED} for one input, on the wall clock: the
 * input's clock (its watermark) has not advanced for {@code threshold} while its records keep
 * arriving (the latest within the threshold, and after the clock last moved), and then moves
 * again. A quiet input, whose clock waits for records that do not come, is not stalled.
 */
public final class ClockStallRule implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final long thresholdMs;
    private final String configHash;

    public ClockStallRule(String topic, long thresholdMs, String configHash) {
        this.topic = topic;
        this.thresholdMs = thresholdMs;
        this.configHash = configHash;
    }

    /** The watch (re)starts at {@code now}: a stall is measured from here, not from before a restore. */
    public void started(ClockWatch w, long now) {
        w.movedAt = Math.max(w.movedAt, now);
    }

    public void arrived(ClockWatch w, long now) {
        w.arrivedAt = now;
    }

    /**
     * A check at wall time {@code now} with the input's clock at {@code watermark}
     * ({@link Long#MIN_VALUE}: none yet).
     *
     * @return the alert to raise, or null
     */
    public OpsAlert check(ClockWatch w, long now, long watermark) {
        if (watermark != Long.MIN_VALUE && (w.clock == null || watermark > w.clock)) {
            long movedBefore = w.movedAt;
            w.clock = watermark;
            w.movedAt = now;
            if (w.stalled) {
                w.stalled = false;
                OpsAlert resumed = OpsAlert.resumed(topic, watermark, w.stalledClock, movedBefore, now, configHash);
                w.stalledClock = null;
                return resumed;
            }
            return null;
        }
        boolean still = now - w.movedAt >= thresholdMs;
        boolean arriving = w.arrivedAt > w.movedAt && now - w.arrivedAt < thresholdMs;
        if (!w.stalled && still && arriving) {
            w.stalled = true;
            w.stalledClock = w.clock;
            return OpsAlert.stalled(topic, w.clock, w.movedAt, now, thresholdMs, configHash);
        }
        return null;
    }
}
