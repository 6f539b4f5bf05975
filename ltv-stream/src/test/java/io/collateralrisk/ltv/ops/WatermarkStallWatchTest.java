package io.collateralrisk.ltv.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.OpsAlert;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.json.OutputJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The price clock watched on a controlled wall clock: stalled while ticks keep arriving, resumed
 * when it moves, and a quiet input (no ticks, so no clock to move) never stalled.
 */
class WatermarkStallWatchTest {

    private static final String HASH = "a".repeat(64);
    private static final long THRESHOLD = 300_000;
    /** Event time: 2023-03-10T12:00:00Z, years behind the wall clock, which is no stall. */
    private static final long T = Instant.parse("2023-03-10T12:00:00Z").toEpochMilli();
    /** Wall clock of the test's start. */
    private static final long WALL = Instant.parse("2026-12-07T15:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, String, OpsAlert> harness;
    private long now;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new WatermarkStallWatch("prices", THRESHOLD, HASH)), topic -> topic, Types.STRING);
        now = WALL;
        harness.setProcessingTime(now);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aClockThatStopsWhileTicksArriveIsStalledOnTheWallClockAndResumesWhenItMoves() throws Exception {
        harness.processWatermark(new Watermark(T));
        // Ticks every 10 s for 4 min 50 s; the clock stays at T (a partition holds it back).
        for (int i = 0; i < 30; i++) {
            arrive();
            advance(10_000);
        }
        assertThat(alerts()).isEmpty();
        // No tick for the last seconds: the check runs on the wall clock all the same.
        advance(11_000);
        List<OpsAlert> stalled = alerts();
        assertThat(stalled).extracting(OpsAlert::type, OpsAlert::topic, OpsAlert::clock, OpsAlert::eventTime)
                .containsExactly(tuple(OpsAlert.WATERMARK_STALLED, "prices", T, T));
        OpsAlert s = stalled.get(0);
        assertThat(s.detectedAt() - s.clockMovedAt()).isGreaterThanOrEqualTo(THRESHOLD).isLessThan(THRESHOLD + 2_000);
        OutputContract.assertValid(OutputJson.opsAlert(s));

        // Still stalled: said once.
        for (int i = 0; i < 60; i++) {
            arrive();
            advance(10_000);
        }
        assertThat(alerts()).isEmpty();

        harness.processWatermark(new Watermark(T + 60_000));
        advance(1_000);
        List<OpsAlert> resumed = alerts();
        assertThat(resumed).extracting(OpsAlert::type, OpsAlert::clock, OpsAlert::stalledClock)
                .containsExactly(tuple(OpsAlert.WATERMARK_RESUMED, T + 60_000, T));
        OutputContract.assertValid(OutputJson.opsAlert(resumed.get(0)));
    }

    @Test
    void aQuietInputIsNotStalled() throws Exception {
        harness.processWatermark(new Watermark(T));
        arrive();
        // An hour without a tick: the clock waits for records that do not come.
        for (int i = 0; i < 360; i++) {
            advance(10_000);
        }
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aClockMovingWithTheTicksIsNotStalledHoweverFarBehindTheWallClock() throws Exception {
        for (int i = 0; i < 120; i++) {
            harness.processWatermark(new Watermark(T + i * 5_000L));
            arrive();
            advance(5_000);
        }
        assertThat(alerts()).isEmpty();
    }

    @Test
    void ticksThatNeverStartTheClockAreStalledAtTheWallTime() throws Exception {
        for (int i = 0; i < 31; i++) {
            arrive();
            advance(10_000);
        }
        assertThat(alerts()).extracting(OpsAlert::type, OpsAlert::clock)
                .containsExactly(tuple(OpsAlert.WATERMARK_STALLED, null));
    }

    private void arrive() throws Exception {
        harness.processElement("prices", 0);
    }

    /** Moves the wall clock a second at a time, as the checks run. */
    private void advance(long ms) throws Exception {
        long until = now + ms;
        while (now < until) {
            now = Math.min(until, now + 1_000);
            harness.setProcessingTime(now);
        }
    }

    private List<OpsAlert> alerts() {
        List<OpsAlert> alerts = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return alerts;
    }
}
