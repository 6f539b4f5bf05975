package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClockGuardTest {

    private static final long MAX_AHEAD = 60_000;
    private static final long REF = 1_678_406_400_000L;

    @Test
    void anEventTimeBefore1970IsInvalidAndTheEpochItselfIsNot() {
        assertThat(ClockGuard.refusal(-1, REF, MAX_AHEAD)).isEqualTo(ClockGuard.INVALID_TIME);
        assertThat(ClockGuard.refusal(-1, ClockGuard.UNKNOWN, MAX_AHEAD)).isEqualTo(ClockGuard.INVALID_TIME);
        assertThat(ClockGuard.refusal(0, ClockGuard.UNKNOWN, MAX_AHEAD)).isNull();
    }

    @Test
    void exactlyMaxAheadOfTheReferenceClockIsAcceptedOneMillisecondMoreIsNot() {
        assertThat(ClockGuard.refusal(REF + MAX_AHEAD, REF, MAX_AHEAD)).isNull();
        assertThat(ClockGuard.refusal(REF + MAX_AHEAD + 1, REF, MAX_AHEAD)).isEqualTo(ClockGuard.FUTURE_EVENT);
        assertThat(ClockGuard.refusal(REF - 3_600_000, REF, MAX_AHEAD)).isNull();
    }

    @Test
    void aReferenceClockAtTheEpochIsAClockAndAnUnknownOneJudgesOn1970Alone() {
        assertThat(ClockGuard.refusal(MAX_AHEAD + 1, 0, MAX_AHEAD)).isEqualTo(ClockGuard.FUTURE_EVENT);
        assertThat(ClockGuard.refusal(Long.MAX_VALUE / 2, ClockGuard.UNKNOWN, MAX_AHEAD)).isNull();
    }

    @Test
    void theWatermarkMovesNoFurtherThanTheReferenceClock() {
        assertThat(ClockGuard.watermarkTime(REF + 5_000, REF)).isEqualTo(REF);
        assertThat(ClockGuard.watermarkTime(REF - 5_000, REF)).isEqualTo(REF - 5_000);
        assertThat(ClockGuard.watermarkTime(5_000, 0)).isZero();
        assertThat(ClockGuard.watermarkTime(REF + 5_000, ClockGuard.UNKNOWN)).isEqualTo(REF + 5_000);
    }

    @Test
    void aDeadLetterKeepsAnAcceptedEventTimeElseTakesTheReferenceClockElseTheEpoch() {
        assertThat(ClockGuard.deadLetterTime(REF - 5_000, REF, MAX_AHEAD)).isEqualTo(REF - 5_000);
        assertThat(ClockGuard.deadLetterTime(REF + MAX_AHEAD + 1, REF, MAX_AHEAD)).isEqualTo(REF);
        assertThat(ClockGuard.deadLetterTime(-1, REF, MAX_AHEAD)).isEqualTo(REF);
        assertThat(ClockGuard.deadLetterTime(ClockGuard.UNKNOWN, REF, MAX_AHEAD)).isEqualTo(REF);
        assertThat(ClockGuard.deadLetterTime(ClockGuard.UNKNOWN, ClockGuard.UNKNOWN, MAX_AHEAD)).isZero();
        assertThat(ClockGuard.deadLetterTime(-1, ClockGuard.UNKNOWN, MAX_AHEAD)).isZero();
        assertThat(ClockGuard.deadLetterTime(REF, ClockGuard.UNKNOWN, MAX_AHEAD)).isEqualTo(REF);
    }
}
