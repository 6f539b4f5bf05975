package io.collateralrisk.ltv.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.OpsAlert;
import org.junit.jupiter.api.Test;

class ClockStallRuleTest {

    private static final long THRESHOLD = 1_000;
    private static final long T = 50_000;
    private static final long CLOCK = 1_678_406_400_000L;

    private final ClockStallRule rule = new ClockStallRule("prices", THRESHOLD, "cfg");

    /** A watch started at T whose clock moved to CLOCK at T. */
    private ClockWatch movedAtT() {
        ClockWatch w = new ClockWatch();
        rule.started(w, T);
        assertThat(rule.check(w, T, CLOCK)).isNull();
        return w;
    }

    @Test
    void aClockStillForTheThresholdWhileRecordsArriveIsStalledOnce() {
        ClockWatch w = movedAtT();
        rule.arrived(w, T + 500);
        assertThat(rule.check(w, T + THRESHOLD - 1, CLOCK)).isNull();

        OpsAlert stalled = rule.check(w, T + THRESHOLD, CLOCK);
        assertThat(stalled).isNotNull();
        assertThat(stalled.type()).isEqualTo(OpsAlert.WATERMARK_STALLED);
        assertThat(stalled.clock()).isEqualTo(CLOCK);
        assertThat(stalled.clockMovedAt()).isEqualTo(T);
        assertThat(stalled.detectedAt()).isEqualTo(T + THRESHOLD);
        assertThat(stalled.thresholdMs()).isEqualTo(THRESHOLD);
        assertThat(w.stalled).isTrue();

        rule.arrived(w, T + THRESHOLD + 10);
        assertThat(rule.check(w, T + THRESHOLD + 20, CLOCK)).isNull();
    }

    @Test
    void theSameClockAgainIsNoMove() {
        ClockWatch w = movedAtT();
        assertThat(rule.check(w, T + 600, CLOCK)).isNull();
        rule.arrived(w, T + 700);
        assertThat(rule.check(w, T + THRESHOLD, CLOCK)).isNotNull();
    }

    @Test
    void aQuietInputIsNotStalled() {
        ClockWatch w = movedAtT();
        assertThat(rule.check(w, T + 10 * THRESHOLD, CLOCK)).isNull();
        // A record that arrived when the clock last moved is not one arriving after it.
        rule.arrived(w, T);
        assertThat(rule.check(w, T + THRESHOLD, CLOCK)).isNull();
    }

    @Test
    void aRecordIsArrivingOnlyWithinTheThresholdBeforeTheCheck() {
        ClockWatch w = movedAtT();
        rule.arrived(w, T + 1);
        assertThat(rule.check(w, T + 1 + THRESHOLD, CLOCK)).isNull();
        ClockWatch v = movedAtT();
        rule.arrived(v, T + 1);
        assertThat(rule.check(v, T + THRESHOLD, CLOCK)).isNotNull();
    }

    @Test
    void anInputWithNoClockYetStallsWithoutOne() {
        ClockWatch w = new ClockWatch();
        rule.started(w, T);
        assertThat(rule.check(w, T + 100, Long.MIN_VALUE)).isNull();
        assertThat(w.clock).isNull();
        rule.arrived(w, T + 200);
        OpsAlert stalled = rule.check(w, T + THRESHOLD, Long.MIN_VALUE);
        assertThat(stalled).isNotNull();
        assertThat(stalled.clock()).isNull();
        assertThat(stalled.clockMovedAt()).isEqualTo(T);
    }

    @Test
    void theClockMovingAgainResumesOnceAndAStallCanFollow() {
        ClockWatch w = movedAtT();
        rule.arrived(w, T + 500);
        assertThat(rule.check(w, T + THRESHOLD, CLOCK)).isNotNull();

        OpsAlert resumed = rule.check(w, T + 3_000, CLOCK + 60_000);
        assertThat(resumed).isNotNull();
        assertThat(resumed.type()).isEqualTo(OpsAlert.WATERMARK_RESUMED);
        assertThat(resumed.clock()).isEqualTo(CLOCK + 60_000);
        assertThat(resumed.stalledClock()).isEqualTo(CLOCK);
        assertThat(resumed.clockMovedAt()).isEqualTo(T);
        assertThat(resumed.detectedAt()).isEqualTo(T + 3_000);
        assertThat(w.stalled).isFalse();
        assertThat(w.stalledClock).isNull();
        assertThat(rule.check(w, T + 3_500, CLOCK + 120_000)).isNull();

        rule.arrived(w, T + 4_000);
        assertThat(rule.check(w, T + 3_500 + THRESHOLD, CLOCK + 120_000)).isNotNull();
    }

    @Test
    void aRestartedWatchMeasuresFromItsStart() {
        ClockWatch w = movedAtT();
        rule.started(w, T + 5_000);
        rule.arrived(w, T + 5_100);
        assertThat(rule.check(w, T + 5_500, CLOCK)).isNull();
        assertThat(rule.check(w, T + 5_000 + THRESHOLD, CLOCK)).isNotNull();
        rule.started(w, T);
        assertThat(w.movedAt).isEqualTo(T + 5_000);
    }
}
