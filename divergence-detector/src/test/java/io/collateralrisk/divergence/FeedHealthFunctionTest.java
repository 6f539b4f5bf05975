package io.collateralrisk.divergence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DivergenceEvent;
import io.collateralrisk.model.DivergenceResolved;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The feed-health operator in event time, fed evaluations and opening signals by hand: which
 * incident state and price each evaluation gets, when an incident opens and closes, what a
 * restore keeps, and that nothing fires past the horizon.
 *
 * <p>The running scenario: calm at 0 s; readings above from 10 s (9%) to 40 s (7%), where the
 * opening pattern signals; the conservative price at 40 s is the primary, 93.
 */
class FeedHealthFunctionTest {

    private static final RiskConfig CONFIG = FeedHealthFixtures.CONFIG;
    private static final String PAIR = "BTC-USD";

    private static final long SECOND = 1_000;
    private static final long T0 = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();

    private static final long OPENED_AT = at(40);
    private static final long RUN_STARTED_AT = at(10);
    private static final String INCIDENT_ID = EventIds.of("DIVERGENCE_INCIDENT", PAIR, OPENED_AT, String.valueOf(RUN_STARTED_AT));

    private static final ReferencePrice CALM = evaluation(0, "100", "100", "100");
    private static final ReferencePrice RUN_START = evaluation(10, "91", "100", "99");
    private static final ReferencePrice OPENING = evaluation(40, "93", "100", "99");
    private static final FeedHealthInput SIGNAL = signal(OPENING, RUN_STARTED_AT, 2, "0.090000", RUN_STARTED_AT);

    @Test
    void theDefaultsAreFivePercentAndFiveMinutesOfQuiet() {
        // The instants below are written for these.
        assertThat(CONFIG.divergence().threshold()).isEqualByComparingTo("0.05");
        assertThat(CONFIG.divergence().reconcileAfterMs()).isEqualTo(300 * SECOND);
    }

    // --- opening

    @Test
    void theEvaluationThatOpensAnIncidentSeesItWhateverTheArrivalOrder() throws Exception {
        List<FeedHealthInput> inOrder = List.of(in(CALM), in(RUN_START), in(OPENING), SIGNAL);
        List<FeedHealthInput> signalFirst = List.of(SIGNAL, in(OPENING), in(RUN_START), in(CALM));
        List<FeedHealthInput> evaluationBetween = List.of(in(RUN_START), SIGNAL, in(CALM), in(OPENING));

        List<ReferencePrice> out = openOnce(inOrder);

        assertThat(out).extracting(ReferencePrice::eventTime, ReferencePrice::incidentOpen, ReferencePrice::price)
                .containsExactly(
                        tuple(at(0), false, new BigDecimal("100")),
                        // Above, but the run is not long enough yet: still the median.
                        tuple(at(10), false, new BigDecimal("99")),
                        // Opened by its own reading: the lowest of primary 93, TWAP 100, median 99.
                        tuple(at(40), true, new BigDecimal("93")));
        assertThat(out.get(2).evaluationId()).isEqualTo(OPENING.evaluationId());
        assertThat(openOnce(signalFirst)).isEqualTo(out);
        assertThat(openOnce(evaluationBetween)).isEqualTo(out);
    }

    private static List<ReferencePrice> openOnce(List<FeedHealthInput> inputs) throws Exception {
        try (var h = harness()) {
            send(h, inputs);
            h.processWatermark(at(39));
            // Nothing at 40 s before the watermark passes it: its signal may still be on its way.
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime).containsExactly(at(0), at(10));
            assertThat(incidents(h)).isEmpty();

            h.processWatermark(at(40));
            assertThat(incidents(h)).extracting(DivergenceEvent::type).containsExactly(DivergenceEvent.OPENED);
            return h.extractOutputValues();
        }
    }

    @Test
    void openedCarriesDeterministicIdsAndThePricesAtOpen() throws Exception {
        List<DivergenceEvent> once = opened();

        assertThat(once).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(DivergenceEvent.OPENED);
            assertThat(e.pair()).isEqualTo(PAIR);
            assertThat(e.eventTime()).isEqualTo(OPENED_AT);
            assertThat(e.openedAt()).isEqualTo(OPENED_AT);
            assertThat(e.runStartedAt()).isEqualTo(RUN_STARTED_AT);
            // Named after the pair, the instant it opened and the run behind it; the event after its type and incident.
            assertThat(e.incidentId()).isEqualTo(INCIDENT_ID);
            assertThat(e.eventId()).isEqualTo(EventIds.of(DivergenceEvent.OPENED, PAIR, OPENED_AT, INCIDENT_ID));
            assertThat(e.threshold()).isEqualByComparingTo("0.05");
            assertThat(e.primaryAtOpen()).isEqualTo(new BigDecimal("93"));
            assertThat(e.twapAtOpen()).isEqualTo(new BigDecimal("100"));
            assertThat(e.medianAtOpen()).isEqualTo(new BigDecimal("99"));
            assertThat(e.divergenceAtOpen()).isEqualTo(new BigDecimal("0.070000"));
            // The run's peak came before the opening reading.
            assertThat(e.peakDivergence()).isEqualTo(new BigDecimal("0.090000"));
            assertThat(e.peakAt()).isEqualTo(RUN_STARTED_AT);
            assertThat(e.primaryAtClose()).isNull();
            assertThat(e.twapAtClose()).isNull();
            assertThat(e.medianAtClose()).isNull();
            assertThat(e.durationSeconds()).isNull();
            assertThat(e.closedBy()).isNull();
            assertThat(e.resolvedBy()).isNull();
            assertThat(e.reviewStatus()).isEqualTo("PENDING");
            assertThat(e.configHash()).isEqualTo(CONFIG.configHash());
        });
        assertThat(opened()).isEqualTo(once);
    }

    private static List<DivergenceEvent> opened() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            return incidents(h);
        }
    }

    @Test
    void aSignalWhileAnIncidentIsOpenDoesNotOpenASecond() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            // The divergence goes on: the pattern signals again on a fresh run.
            ReferencePrice later = evaluation(80, "92", "100", "99");
            send(h, in(evaluation(50, "92", "100", "99")), in(later), signal(later, at(50), 2, "0.080000", at(50)));
            h.processWatermark(at(80));

            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::incidentId)
                    .containsExactly(tuple(DivergenceEvent.OPENED, INCIDENT_ID));
            assertThat(last(h).incidentOpen()).isTrue();
        }
    }

    // --- the source read time behind each event, for the tick-to-event latency

    @Test
    void theOpeningCarriesTheReadTimeOfTheEvaluationThatOpenedItAndACloseCarriesNone() throws Exception {
        try (var h = harness()) {
            send(h, List.of(in(CALM), in(RUN_START), in(readAt(OPENING, 6_000)), SIGNAL));
            h.processWatermark(OPENED_AT);
            send(h, in(readAt(evaluation(50, "102", "100", "100"), 7_000)), in(readAt(evaluation(350, "100.4", "100", "100.1"), 8_000)));
            h.processWatermark(at(350));

            // The close falls on an evaluation's instant, but the quiet period's end decided it.
            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::ingestedAt)
                    .containsExactly(tuple(DivergenceEvent.OPENED, 6_000L), tuple(DivergenceEvent.CLOSED, 0L));
            // The evaluations keep theirs through the feed-health verdict.
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime, ReferencePrice::ingestedAt)
                    .containsExactly(tuple(at(0), 0L), tuple(at(10), 0L), tuple(OPENED_AT, 6_000L), tuple(at(50), 7_000L),
                            tuple(at(350), 8_000L));
        }
    }

    private static ReferencePrice readAt(ReferencePrice r, long readAt) {
        return new ReferencePrice(r.eventId(), r.evaluationId(), r.eventTime(), r.pair(), r.status(), r.price(), r.median(), r.twap(),
                r.primary(), r.incidentOpen(), r.used(), r.excluded(), r.configHash(), readAt);
    }

    // --- closing by reconciliation

    @Test
    void reconciledExactlyFiveMinutesAfterTheQuietStarted() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            send(h, in(evaluation(50, "102", "100", "100")));
            for (int s = 110; s <= 290; s += 60) {
                send(h, in(evaluation(s, "101", "100", "100")));
            }
            send(h, in(evaluation(349, "101", "100.5", "100.2")));
            h.processWatermark(at(349));

            assertThat(incidents(h)).hasSize(1);
            // Quiet but still open: the conservative price until it closes.
            assertThat(last(h).eventTime()).isEqualTo(at(349));
            assertThat(last(h).incidentOpen()).isTrue();
            assertThat(last(h).price()).isEqualTo(new BigDecimal("100.2"));

            // By the timer alone: no evaluation at 350 s.
            h.processWatermark(at(350));

            assertThat(incidents(h)).hasSize(2);
            DivergenceEvent closed = incidents(h).get(1);
            assertThat(closed.type()).isEqualTo(DivergenceEvent.CLOSED);
            assertThat(closed.eventTime()).isEqualTo(at(350));
            assertThat(closed.incidentId()).isEqualTo(INCIDENT_ID);
            assertThat(closed.eventId()).isEqualTo(EventIds.of(DivergenceEvent.CLOSED, PAIR, at(350), INCIDENT_ID));
            assertThat(closed.closedBy()).isEqualTo("RECONCILED");
            // Reconciled is not reviewed: the incident still waits for an operator.
            assertThat(closed.reviewStatus()).isEqualTo("PENDING");
            assertThat(closed.resolvedBy()).isNull();
            assertThat(closed.durationSeconds()).isEqualTo(310L);
            assertThat(closed.openedAt()).isEqualTo(OPENED_AT);
            assertThat(closed.primaryAtOpen()).isEqualTo(new BigDecimal("93"));
            // The prices of the last reading before the close.
            assertThat(closed.primaryAtClose()).isEqualTo(new BigDecimal("101"));
            assertThat(closed.twapAtClose()).isEqualTo(new BigDecimal("100.5"));
            assertThat(closed.medianAtClose()).isEqualTo(new BigDecimal("100.2"));
            assertThat(closed.peakDivergence()).isEqualTo(new BigDecimal("0.090000"));

            send(h, in(evaluation(360, "101", "100", "100.3")));
            h.processWatermark(at(360));
            assertThat(last(h).incidentOpen()).isFalse();
            assertThat(last(h).price()).isEqualTo(new BigDecimal("100.3"));

            // Closed and every instant done: no state or timer left behind.
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void theEvaluationAtTheClosingInstantIsAlreadyPricedAsClosed() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            send(h, in(evaluation(50, "102", "100", "100")), in(evaluation(350, "100.4", "100", "100.1")));
            h.processWatermark(at(350));

            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::eventTime)
                    .containsExactly(tuple(DivergenceEvent.OPENED, OPENED_AT), tuple(DivergenceEvent.CLOSED, at(350)));
            assertThat(incidents(h).get(1).primaryAtClose()).isEqualTo(new BigDecimal("100.4"));
            assertThat(last(h).eventTime()).isEqualTo(at(350));
            assertThat(last(h).incidentOpen()).isFalse();
            assertThat(last(h).price()).isEqualTo(new BigDecimal("100.1"));
        }
    }

    @Test
    void aReadingAtTheThresholdCountsAsQuietAndOneAboveRestartsTheQuietPeriod() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            send(h,
                    in(evaluation(50, "105", "100", "100")), // exactly 5%: at the threshold is quiet
                    in(evaluation(200, "94", "100", "99")), // above again
                    in(evaluation(250, "101", "100", "100")));
            h.processWatermark(at(350));
            assertThat(incidents(h)).extracting(DivergenceEvent::type).containsExactly(DivergenceEvent.OPENED);

            h.processWatermark(at(549));
            assertThat(incidents(h)).hasSize(1);

            h.processWatermark(at(550));
            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::eventTime)
                    .containsExactly(tuple(DivergenceEvent.OPENED, OPENED_AT), tuple(DivergenceEvent.CLOSED, at(550)));
            assertThat(h.extractOutputValues()).filteredOn(p -> p.eventTime() >= at(50))
                    .extracting(ReferencePrice::incidentOpen).containsOnly(true);
        }
    }

    @Test
    void aReadingAboveAtTheVeryInstantTheQuietEndsKeepsTheIncidentOpen() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            send(h, in(evaluation(50, "101", "100", "100")), in(evaluation(350, "94", "100", "99")));
            h.processWatermark(at(350));

            assertThat(incidents(h)).hasSize(1);
            assertThat(last(h).incidentOpen()).isTrue();
            assertThat(last(h).price()).isEqualTo(new BigDecimal("94"));

            // The quiet starts over at the next calm reading.
            send(h, in(evaluation(360, "101", "100", "100")));
            h.processWatermark(at(659));
            assertThat(incidents(h)).hasSize(1);
            h.processWatermark(at(660));
            assertThat(incidents(h).get(1).eventTime()).isEqualTo(at(660));
        }
    }

    @Test
    void aStalePrimaryNeitherClosesTheIncidentNorCountsAsQuiet() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            // Ten minutes without a primary: evaluations, but no readings.
            for (int s = 60; s <= 600; s += 60) {
                send(h, in(evaluation(s, null, "100", "101")));
            }
            // Below quorum for a moment as well: no price at all, conservative or not.
            send(h, in(evaluation(630, null, "100", null)));
            h.processWatermark(at(630));

            assertThat(incidents(h)).hasSize(1);
            // No quiet period is running.
            assertThat(h.numEventTimeTimers()).isZero();
            List<ReferencePrice> stale = h.extractOutputValues().subList(3, 14);
            assertThat(stale).extracting(ReferencePrice::incidentOpen).containsOnly(true);
            // The lowest of what is available: TWAP 100 under median 101.
            assertThat(stale.subList(0, 10)).extracting(ReferencePrice::price).containsOnly(new BigDecimal("100"));
            assertThat(stale.get(10).price()).isNull();

            // The quiet period starts at the first calm reading once the primary is back.
            send(h, in(evaluation(660, "101", "100", "100")));
            h.processWatermark(at(959));
            assertThat(incidents(h)).hasSize(1);
            h.processWatermark(at(960));
            assertThat(incidents(h).get(1)).satisfies(closed -> {
                assertThat(closed.eventTime()).isEqualTo(at(960));
                assertThat(closed.closedBy()).isEqualTo("RECONCILED");
                assertThat(closed.durationSeconds()).isEqualTo(920L);
            });
        }
    }

    // --- closing by hand

    @Test
    void aResolutionClosesTheIncidentAtOnce() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            // Quiet from 50 s: a reconciliation timer runs for 350 s.
            send(h, in(evaluation(50, "102", "100", "100")));
            send(h, in(evaluation(100, "101", "100", "100.5")), resolution(100, INCIDENT_ID));
            h.processWatermark(at(100));

            assertThat(incidents(h)).hasSize(2);
            DivergenceEvent closed = incidents(h).get(1);
            assertThat(closed.type()).isEqualTo(DivergenceEvent.CLOSED);
            assertThat(closed.eventTime()).isEqualTo(at(100));
            assertThat(closed.eventId()).isEqualTo(EventIds.of(DivergenceEvent.CLOSED, PAIR, at(100), INCIDENT_ID));
            assertThat(closed.closedBy()).isEqualTo("RESOLVED");
            assertThat(closed.reviewStatus()).isEqualTo("RESOLVED");
            assertThat(closed.resolvedBy()).isEqualTo("ops-jane");
            assertThat(closed.resolution()).isEqualTo("oracle confirmed");
            assertThat(closed.durationSeconds()).isEqualTo(60L);
            assertThat(closed.primaryAtClose()).isEqualTo(new BigDecimal("101"));
            assertThat(closed.medianAtClose()).isEqualTo(new BigDecimal("100.5"));
            // The evaluation at the instant of the resolution is already at the normal price.
            assertThat(last(h).incidentOpen()).isFalse();
            assertThat(last(h).price()).isEqualTo(new BigDecimal("100.5"));
            assertThat(refused(h)).isEmpty();

            // The reconciliation timer of the closed incident closes nothing.
            h.processWatermark(at(400));
            assertThat(incidents(h)).hasSize(2);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aResolutionNamingAnotherIncidentIsRefusedAndChangesNothing() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            send(h, in(evaluation(100, "92", "100", "99")), resolution(100, "some-other-incident"));
            h.processWatermark(at(100));

            assertThat(refused(h)).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("UNKNOWN_INCIDENT");
                assertThat(d.topic()).isEqualTo(Topics.RISK_CONTROL);
                assertThat(d.eventTime()).isEqualTo(at(100));
                assertThat(d.location()).isEqualTo(LOCATION);
                assertThat(d.payload()).isEqualTo(payload("some-other-incident"));
                assertThat(d.detail()).contains("some-other-incident");
            });
            assertThat(incidents(h)).hasSize(1);
            assertThat(last(h).incidentOpen()).isTrue();
        }
    }

    @Test
    void aResolutionWithNoIncidentOpenIsRefused() throws Exception {
        try (var h = harness()) {
            send(h, in(CALM), resolution(20, INCIDENT_ID));
            h.processWatermark(at(20));

            assertThat(refused(h)).extracting(DeadLetter::reason, DeadLetter::eventTime)
                    .containsExactly(tuple("UNKNOWN_INCIDENT", at(20)));
            assertThat(incidents(h)).isEmpty();
        }
    }

    @Test
    void aLateResolutionIsAppliedAtOnce() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            for (int s = 60; s <= 200; s += 20) {
                send(h, in(evaluation(s, "92", "100", "99")));
            }
            h.processWatermark(at(200));
            assertThat(incidents(h)).hasSize(1);

            // Behind the watermark: control events are never dropped for lateness.
            send(h, resolution(150, INCIDENT_ID));

            // Without waiting for another watermark.
            assertThat(incidents(h)).hasSize(2);
            assertThat(incidents(h).get(1)).satisfies(closed -> {
                assertThat(closed.type()).isEqualTo(DivergenceEvent.CLOSED);
                // Stamped with the resolution's own time, although evaluations after it already went out as open.
                assertThat(closed.eventTime()).isEqualTo(at(150));
                assertThat(closed.durationSeconds()).isEqualTo(110L);
                assertThat(closed.closedBy()).isEqualTo("RESOLVED");
                assertThat(closed.resolvedBy()).isEqualTo("ops-jane");
                assertThat(closed.incidentId()).isEqualTo(INCIDENT_ID);
            });
            send(h, in(evaluation(210, "92", "100", "99")));
            h.processWatermark(at(210));
            assertThat(last(h).incidentOpen()).isFalse();
            assertThat(last(h).price()).isEqualTo(new BigDecimal("99"));

            // A late resolution of nothing open is refused at once too.
            send(h, resolution(205, INCIDENT_ID));
            assertThat(refused(h)).extracting(DeadLetter::reason).containsExactly("UNKNOWN_INCIDENT");
        }
    }

    @Test
    void aLateResolutionStampedBeforeTheOpeningClosesAtTheOpening() throws Exception {
        try (var h = harness()) {
            openAt40(h);
            send(h, in(evaluation(200, "92", "100", "99")));
            h.processWatermark(at(200));

            // An operator's clock behind the feed's: the incident cannot close before it opened.
            send(h, resolution(30, INCIDENT_ID));

            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::eventTime, DivergenceEvent::durationSeconds)
                    .containsExactly(
                            tuple(DivergenceEvent.OPENED, OPENED_AT, null),
                            tuple(DivergenceEvent.CLOSED, OPENED_AT, 0L));
            assertThat(refused(h)).isEmpty();
        }
    }

    // --- restore

    @Test
    void anOpenIncidentAndItsQuietTimerSurviveARestore() throws Exception {
        List<Step> beforeSnapshot = List.of(
                h -> openAt40(h),
                h -> send(h, in(evaluation(50, "102", "100", "100"))),
                h -> h.processWatermark(at(100)),
                // Pending at the snapshot: not yet evaluated.
                h -> send(h, in(evaluation(120, "101", "100", "100"))));
        List<Step> afterSnapshot = List.of(
                h -> send(h, in(evaluation(200, "101", "100.5", "100.2"))),
                h -> h.processWatermark(at(400)));

        Outputs uninterrupted;
        try (var h = harness()) {
            for (Step s : beforeSnapshot) {
                s.run(h);
            }
            for (Step s : afterSnapshot) {
                s.run(h);
            }
            uninterrupted = Outputs.of(h);
        }

        OperatorSubtaskState snapshot;
        Outputs beforeRestore;
        try (var h = harness()) {
            for (Step s : beforeSnapshot) {
                s.run(h);
            }
            // The pending instant at 120 s and the quiet timer at 350 s.
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            snapshot = h.snapshot(1L, at(100));
            beforeRestore = Outputs.of(h);
        }
        Outputs afterRestore;
        try (var h = restore(snapshot)) {
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            for (Step s : afterSnapshot) {
                s.run(h);
            }
            afterRestore = Outputs.of(h);
        }

        // The scenario must exercise what a restore could lose: the open incident, its quiet start and timer, a pending evaluation.
        assertThat(uninterrupted.prices()).extracting(ReferencePrice::eventTime, ReferencePrice::incidentOpen)
                .containsExactly(
                        tuple(at(0), false),
                        tuple(at(10), false),
                        tuple(at(40), true),
                        tuple(at(50), true),
                        tuple(at(120), true),
                        tuple(at(200), true));
        assertThat(uninterrupted.incidents()).extracting(DivergenceEvent::type, DivergenceEvent::eventTime, DivergenceEvent::incidentId)
                .containsExactly(
                        tuple(DivergenceEvent.OPENED, OPENED_AT, INCIDENT_ID),
                        tuple(DivergenceEvent.CLOSED, at(350), INCIDENT_ID));
        assertThat(afterRestore.incidents()).extracting(DivergenceEvent::type).containsExactly(DivergenceEvent.CLOSED);
        assertThat(beforeRestore.plus(afterRestore)).isEqualTo(uninterrupted);
    }

    @Test
    void aResolutionAtAnInstantProcessedBeforeARestoreIsTakenAtOnceAfterIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            openAt40(h);
            send(h, in(evaluation(50, "102", "100", "100")));
            h.processWatermark(at(100));
            snapshot = h.snapshot(1L, at(100));
        }
        try (var h = restore(snapshot)) {
            // No watermark since the restore; the operator had processed up to 100 s before it, so
            // a resolution at 60 s is taken at once, as it would have been without the restore.
            send(h, resolution(60, INCIDENT_ID));
            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::closedBy)
                    .containsExactly(tuple(DivergenceEvent.CLOSED, "RESOLVED"));
        }
    }

    // --- the horizon

    @Test
    void noTimerFiresAfterTheEventTimeHorizon() throws Exception {
        List<Step> replay = List.of(
                h -> openAt40(h),
                h -> send(h, in(evaluation(50, "102", "100", "100")), in(evaluation(200, "101", "100", "100"))),
                // The end of a bounded input.
                h -> h.processWatermark(Long.MAX_VALUE));

        try (var h = harness(at(200))) {
            for (Step s : replay) {
                s.run(h);
            }
            // Input ends at 200 s: the reconciliation due at 350 s is never fired by the final watermark.
            assertThat(incidents(h)).extracting(DivergenceEvent::type).containsExactly(DivergenceEvent.OPENED);
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime).endsWith(at(200));
        }
        try (var h = harness(at(350))) {
            for (Step s : replay) {
                s.run(h);
            }
            // At the horizon itself it still fires.
            assertThat(incidents(h)).extracting(DivergenceEvent::type, DivergenceEvent::eventTime)
                    .containsExactly(tuple(DivergenceEvent.OPENED, OPENED_AT), tuple(DivergenceEvent.CLOSED, at(350)));
        }
    }

    // --- fixtures

    private static final String LOCATION = "risk-control/0@17";

    private static long at(int seconds) {
        return T0 + seconds * SECOND;
    }

    private static ReferencePrice evaluation(int seconds, String primary, String twap, String median) {
        return FeedHealthFixtures.evaluation(PAIR, at(seconds), primary, twap, median);
    }

    private static FeedHealthInput in(ReferencePrice evaluation) {
        return FeedHealthInput.of(evaluation);
    }

    /** What the opening pattern sends for the reading of {@code completing}. */
    private static FeedHealthInput signal(ReferencePrice completing, long runStartedAt, int readings, String peak, long peakAt) {
        DivergenceReading last = DivergenceMath.reading(completing, CONFIG.divergence().threshold());
        return FeedHealthInput.of(
                new IncidentSignal(PAIR, completing.eventTime(), runStartedAt, readings, new BigDecimal(peak), peakAt, last));
    }

    private static FeedHealthInput resolution(int seconds, String incidentId) {
        return FeedHealthInput.of(
                new DivergenceResolved(at(seconds), PAIR, incidentId, "ops-jane", "oracle confirmed"), LOCATION, payload(incidentId));
    }

    private static String payload(String incidentId) {
        return "{\"type\":\"DIVERGENCE_RESOLVED\",\"pair\":\"" + PAIR + "\",\"incidentId\":\"" + incidentId + "\"}";
    }

    /** The running scenario up to the open incident at 40 s. */
    private static void openAt40(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h) throws Exception {
        send(h, List.of(in(CALM), in(RUN_START), in(OPENING), SIGNAL));
        h.processWatermark(OPENED_AT);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> harness() throws Exception {
        return harness(Long.MAX_VALUE);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> harness(long horizon)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new FeedHealthFunction(CONFIG, horizon), FeedHealthInput::pair, Types.STRING);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> restore(
            OperatorSubtaskState snapshot) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeedHealthFunction(CONFIG, Long.MAX_VALUE)), FeedHealthInput::pair, Types.STRING);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h, FeedHealthInput... inputs)
            throws Exception {
        send(h, List.of(inputs));
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h, List<FeedHealthInput> inputs)
            throws Exception {
        for (FeedHealthInput input : inputs) {
            h.processElement(input, input.eventTime());
        }
    }

    private static ReferencePrice last(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h) {
        List<ReferencePrice> out = h.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private static List<DivergenceEvent> incidents(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h) {
        return side(h, FeedHealthFunction.INCIDENTS);
    }

    private static List<DeadLetter> refused(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h) {
        return side(h, FeedHealthFunction.REFUSED);
    }

    private static <X> List<X> side(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h, OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = h.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    @FunctionalInterface
    private interface Step {
        void run(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h) throws Exception;
    }

    private record Outputs(List<ReferencePrice> prices, List<DivergenceEvent> incidents, List<DeadLetter> refused) {

        static Outputs of(KeyedOneInputStreamOperatorTestHarness<String, FeedHealthInput, ReferencePrice> h) {
            return new Outputs(h.extractOutputValues(), FeedHealthFunctionTest.incidents(h), FeedHealthFunctionTest.refused(h));
        }

        Outputs plus(Outputs later) {
            return new Outputs(concat(prices, later.prices), concat(incidents, later.incidents), concat(refused, later.refused));
        }

        private static <T> List<T> concat(List<T> a, List<T> b) {
            List<T> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }
}
