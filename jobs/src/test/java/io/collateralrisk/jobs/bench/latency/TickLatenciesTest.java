package io.collateralrisk.jobs.bench.latency;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import java.util.List;
import org.junit.jupiter.api.Test;

class TickLatenciesTest {

    private static final String BTC = "BTC-USD";
    private static final String EUR = "BTC-EUR";
    private static final int SCENARIO = 0;

    @Test
    void aTickIsTimedToTheReferencePriceAtItsInstant() {
        TickLatencies l = new TickLatencies();
        l.sent(BTC, 1_000, 10_000, SCENARIO);
        l.sent(BTC, 1_000, 10_004, SCENARIO);
        l.sent(EUR, 1_000, 10_001, SCENARIO);
        assertThat(l.unresolved(SCENARIO)).isEqualTo(3);

        l.referencePrice(BTC, 1_000, 10_050);
        assertThat(l.ticks(SCENARIO)).isEqualTo(new Percentiles(2, 46, 50, 50));
        assertThat(l.unresolved(SCENARIO)).as("the other pair's tick still waits").isEqualTo(1);

        // A second copy (at-least-once) of the same evaluation adds nothing.
        l.referencePrice(BTC, 1_000, 10_900);
        assertThat(l.ticks(SCENARIO).count()).isEqualTo(2);
    }

    @Test
    void aTickTheJobAppliedAfterItsInstantWasEvaluatedIsTimedToThePairsNextEvaluation() {
        TickLatencies l = new TickLatencies();
        l.sent(BTC, 1_000, 10_000, SCENARIO);
        l.sent(BTC, 1_002, 10_002, SCENARIO);
        l.referencePrice(BTC, 1_005, 10_100);
        assertThat(l.ticks(SCENARIO)).isEqualTo(new Percentiles(2, 98, 100, 100));
        assertThat(l.unresolved(SCENARIO)).isZero();
    }

    @Test
    void onlyTicksSentInTheScenariosWindowCountForIt() {
        TickLatencies l = new TickLatencies();
        l.sent(BTC, 1_000, 10_000, TickLatencies.NOT_MEASURED);
        l.sent(BTC, 1_001, 10_001, 1);
        l.referencePrice(BTC, 1_001, 10_011);
        assertThat(l.ticks(1)).isEqualTo(new Percentiles(1, 10, 10, 10));
        assertThat(l.ticks(SCENARIO).count()).isZero();
        assertThat(l.unresolved(TickLatencies.NOT_MEASURED)).isZero();
    }

    @Test
    void aLifecycleEventIsTimedFromTheLastTickOfTheEvaluationThatCausedIt() {
        TickLatencies l = new TickLatencies();
        l.sent(BTC, 1_000, 10_000, SCENARIO);
        l.sent(BTC, 1_000, 10_020, SCENARIO);
        l.lifecycleEvent("e1", BTC, 1_000, EventIds.evaluationId(BTC, 1_000), 10_120);
        assertThat(l.lifecycle(SCENARIO)).isEqualTo(new Percentiles(1, 100, 100, 100));

        // The same event again (at-least-once after a restore): counted once.
        l.lifecycleEvent("e1", BTC, 1_000, EventIds.evaluationId(BTC, 1_000), 10_500);
        assertThat(l.lifecycle(SCENARIO).count()).isEqualTo(1);
    }

    @Test
    void aLifecycleEventNotCausedByAnEvaluationAtItsOwnTimeIsNotCounted() {
        TickLatencies l = new TickLatencies();
        l.sent(BTC, 1_000, 10_000, SCENARIO);
        // A facility event or a deadline at 1,000 decided on the evaluation of 900.
        l.lifecycleEvent("e2", BTC, 1_000, EventIds.evaluationId(BTC, 900), 10_100);
        // An evaluation at an instant no tick of this pair was sent at (a source turning stale).
        l.lifecycleEvent("e3", BTC, 1_200, EventIds.evaluationId(BTC, 1_200), 10_100);
        l.lifecycleEvent("e4", BTC, 1_000, null, 10_100);
        assertThat(l.lifecycle(SCENARIO).count()).isZero();
    }

    @Test
    void theJobHasCaughtUpOnceATickSentAfterAMomentIsEvaluated() {
        TickLatencies l = new TickLatencies();
        assertThat(l.lastEvaluatedSentAt()).isEqualTo(Long.MIN_VALUE);
        l.sent(BTC, 1_000, 10_000, TickLatencies.NOT_MEASURED);
        l.sent(BTC, 1_010, 10_010, TickLatencies.NOT_MEASURED);
        l.referencePrice(BTC, 1_000, 10_500);
        assertThat(l.lastEvaluatedSentAt()).isEqualTo(10_000);
        l.referencePrice(BTC, 1_010, 10_600);
        assertThat(l.lastEvaluatedSentAt()).isEqualTo(10_010);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Long> samples = new java.util.ArrayList<>();
        for (long i = 100; i >= 1; i--) {
            samples.add(i);
        }
        assertThat(Percentiles.of(samples)).isEqualTo(new Percentiles(100, 50, 99, 100));
        assertThat(Percentiles.of(List.of(7L))).isEqualTo(new Percentiles(1, 7, 7, 7));
        assertThat(Percentiles.of(List.of())).isEqualTo(new Percentiles(0, -1, -1, -1));
    }
}
