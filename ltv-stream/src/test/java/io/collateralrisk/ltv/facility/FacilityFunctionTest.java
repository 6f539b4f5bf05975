package io.collateralrisk.ltv.facility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.CollateralUpdated;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.DebtUpdated;
import io.collateralrisk.model.FacilityClosed;
import io.collateralrisk.model.FacilityEvent;
import io.collateralrisk.model.FacilityOpened;
import io.collateralrisk.model.LiquidationExecuted;
import io.collateralrisk.model.LiquidationFailed;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import io.collateralrisk.model.PriceTick;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The facility stage in event time: what each facility event does to the record and what it
 * tells the LTV stage, what is refused and why, that lateness never drops an event, that versions
 * survive a restore, and that a closed facility's marker does not outlive its retention.
 */
class FacilityFunctionTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();

    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long CLOSED_RETENTION = Duration.ofDays(30).toMillis();

    private static final long OPENED_AT = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    private static final long MINUTE_LATER = OPENED_AT + MINUTE;
    private static final long TWO_MINUTES_LATER = OPENED_AT + 2 * MINUTE;
    private static final long THREE_MINUTES_LATER = OPENED_AT + 3 * MINUTE;
    private static final long FOUR_MINUTES_LATER = OPENED_AT + 4 * MINUTE;
    private static final long HOUR_LATER = OPENED_AT + HOUR;
    private static final long CLOSED_AT = Instant.parse("2024-03-02T09:30:00Z").toEpochMilli();
    private static final long MARKER_EXPIRES = CLOSED_AT + CLOSED_RETENTION;

    private static final Facility F1 = new Facility("F-1", "B-1", "bitgo", "BTC-USD");
    private static final Facility F2 = new Facility("F-2", "B-2", "anchorage", "ETH-USD");
    private static final Facility NEVER_OPENED = new Facility("F-9", "B-9", "bitgo", "BTC-USD");

    private static final AtomicLong OFFSETS = new AtomicLong();

    @BeforeAll
    static void retentionIsTheSpecifiedThirtyDays() {
        // The expiry instants below are written against the spec's default.
        assertThat(CONFIG.lifecycle().closedRetentionMs()).isEqualTo(CLOSED_RETENTION);
        assertThat(CONFIG.policies()).containsKeys("standard", "tri-party").doesNotContainKey("gold");
    }

    // --- opening and amounts

    @Test
    void openThenCollateralThenDebtEmitUpsertsCarryingTheWholeRecord() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "1.50000000", 3),
                    F1.debt(TWO_MINUTES_LATER, "4100.00", 7));

            // Unknown amounts travel as null with version -1: the LTV stage waits for both.
            assertThat(h.extractOutputValues()).containsExactly(
                    new FacilityCommand(FacilityCommand.UPSERT, OPENED_AT, "F-1", "B-1", "bitgo", "BTC-USD", "standard",
                            null, -1, null, -1, false, null, false, "OPENED"),
                    new FacilityCommand(FacilityCommand.UPSERT, MINUTE_LATER, "F-1", "B-1", "bitgo", "BTC-USD", "standard",
                            dec("1.50000000"), 3, null, -1, false, null, false, "COLLATERAL|3"),
                    new FacilityCommand(FacilityCommand.UPSERT, TWO_MINUTES_LATER, "F-1", "B-1", "bitgo", "BTC-USD", "standard",
                            dec("1.50000000"), 3, dec("4100.00"), 7, false, null, false, "DEBT|7"));
            assertThat(refused(h)).isEmpty();
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void staleCollateralVersionChangesNothing() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "1.5", 3),
                    F1.debt(MINUTE_LATER, "4100.00", 7));
            int before = h.extractOutputValues().size();

            send(h,
                    F1.collateral(TWO_MINUTES_LATER, "2.0", 3), // equal version
                    F1.collateral(TWO_MINUTES_LATER, "2.0", 2)); // older version
            // Counted, not an error: neither a command nor a refusal.
            assertThat(h.extractOutputValues()).hasSize(before);
            assertThat(refused(h)).isEmpty();

            // Compared with 1.5, not with the refused 2.0: 1.6 is an increase, so no risk.
            send(h, F1.collateral(THREE_MINUTES_LATER, "1.6", 4));
            assertThat(last(h)).extracting(
                            FacilityCommand::collateral, FacilityCommand::collateralVersion,
                            FacilityCommand::outstanding, FacilityCommand::debtVersion, FacilityCommand::riskIncreased)
                    .containsExactly(dec("1.6"), 4L, dec("4100.00"), 7L, false);
        }
    }

    @Test
    void staleDebtVersionChangesNothing() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "1.5", 3),
                    F1.debt(MINUTE_LATER, "4100.00", 7));
            int before = h.extractOutputValues().size();

            send(h,
                    F1.debt(TWO_MINUTES_LATER, "1000.00", 7), // equal version
                    F1.debt(TWO_MINUTES_LATER, "1000.00", 5)); // older version
            assertThat(h.extractOutputValues()).hasSize(before);
            assertThat(refused(h)).isEmpty();

            // Compared with 4100, not with the refused 1000: 4000 is a decrease, so no risk.
            send(h, F1.debt(THREE_MINUTES_LATER, "4000.00", 8));
            assertThat(last(h)).extracting(
                            FacilityCommand::outstanding, FacilityCommand::debtVersion,
                            FacilityCommand::collateral, FacilityCommand::collateralVersion, FacilityCommand::riskIncreased)
                    .containsExactly(dec("4000.00"), 8L, dec("1.5"), 3L, false);
        }
    }

    @Test
    void collateralAndDebtVersionsAreIndependent() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.debt(MINUTE_LATER, "4100.00", 7),
                    // Below the debt's version 7, yet the first collateral version: applied.
                    F1.collateral(TWO_MINUTES_LATER, "1.5", 1),
                    // Below the collateral's 1 only if the versions were shared: applied.
                    F1.debt(THREE_MINUTES_LATER, "4200.00", 8));

            assertThat(h.extractOutputValues()).extracting(FacilityCommand::cause, FacilityCommand::collateralVersion, FacilityCommand::debtVersion)
                    .containsExactly(
                            tuple("OPENED", -1L, -1L),
                            tuple("DEBT|7", -1L, 7L),
                            tuple("COLLATERAL|1", 1L, 7L),
                            tuple("DEBT|8", 1L, 8L));
        }
    }

    @Test
    void zeroAmountsAreValid() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "0", 1),
                    F1.debt(TWO_MINUTES_LATER, "0.00", 1),
                    F1.collateral(THREE_MINUTES_LATER, "1.5", 2),
                    F1.collateral(FOUR_MINUTES_LATER, "0", 3)); // everything withdrawn

            assertThat(refused(h)).isEmpty();
            assertThat(h.extractOutputValues())
                    .extracting(FacilityCommand::collateral, FacilityCommand::outstanding, FacilityCommand::riskIncreased)
                    .containsExactly(
                            tuple(null, null, false),
                            tuple(dec("0"), null, false),
                            tuple(dec("0"), dec("0.00"), false),
                            tuple(dec("1.5"), dec("0.00"), false),
                            tuple(dec("0"), dec("0.00"), true));
        }
    }

    @Test
    void riskIncreasedOnlyForDebtUpOrCollateralDown() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "2.0", 1), // first value: nothing to compare with
                    F1.debt(MINUTE_LATER, "100.00", 1), // first value
                    F1.debt(TWO_MINUTES_LATER, "150.00", 2), // up
                    F1.debt(TWO_MINUTES_LATER, "120.00", 3), // down
                    F1.debt(TWO_MINUTES_LATER, "120.0", 4), // same amount at another scale
                    F1.collateral(THREE_MINUTES_LATER, "1.5", 2), // down
                    F1.collateral(THREE_MINUTES_LATER, "1.8", 3), // up
                    F1.collateral(THREE_MINUTES_LATER, "1.80000000", 4), // same amount at another scale
                    F1.executed(FOUR_MINUTES_LATER, "L-1"),
                    F1.failed(FOUR_MINUTES_LATER, "L-2"),
                    F1.closed(FOUR_MINUTES_LATER));

            assertThat(h.extractOutputValues()).extracting(FacilityCommand::cause, FacilityCommand::riskIncreased)
                    .containsExactly(
                            tuple("OPENED", false),
                            tuple("COLLATERAL|1", false),
                            tuple("DEBT|1", false),
                            tuple("DEBT|2", true),
                            tuple("DEBT|3", false),
                            tuple("DEBT|4", false),
                            tuple("COLLATERAL|2", true),
                            tuple("COLLATERAL|3", false),
                            tuple("COLLATERAL|4", false),
                            tuple("EXECUTED|L-1", false),
                            tuple("FAILED|L-2", false),
                            tuple("CLOSED", false));
        }
    }

    // --- refusals

    @Test
    void eventsForAFacilityNeverOpenedAreRefusedWithTheirPayloadAndLocation() throws Exception {
        List<FacilityInput> inputs = List.of(
                NEVER_OPENED.collateral(OPENED_AT, "1.5", 1),
                NEVER_OPENED.debt(MINUTE_LATER, "4100.00", 1),
                NEVER_OPENED.executed(TWO_MINUTES_LATER, "L-1"),
                NEVER_OPENED.failed(THREE_MINUTES_LATER, "L-2"),
                NEVER_OPENED.closed(FOUR_MINUTES_LATER));
        try (var h = harness()) {
            send(h, inputs.toArray(FacilityInput[]::new));

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(refused(h)).extracting(DeadLetter::reason, DeadLetter::topic, DeadLetter::eventTime, DeadLetter::location, DeadLetter::payload)
                    .containsExactlyElementsOf(inputs.stream()
                            .map(i -> tuple("UNKNOWN_FACILITY", Topics.FACILITY_EVENTS, i.eventTime(), i.location(), i.payload()))
                            .toList());
            assertThat(refused(h)).extracting(DeadLetter::eventId).doesNotHaveDuplicates();
            // A refusal must not create the facility it refuses.
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void unknownPolicyIsRefusedAndLeavesNoState() throws Exception {
        FacilityInput gold = F1.opened(OPENED_AT, "gold");
        try (var h = harness()) {
            send(h, gold);

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(refused(h)).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("UNKNOWN_POLICY");
                assertThat(d.location()).isEqualTo(gold.location());
                assertThat(d.payload()).isEqualTo(gold.payload());
                assertThat(d.detail()).contains("gold");
            });
            assertThat(h.numKeyedStateEntries()).isZero();

            // Not half-opened: its amounts are refused, and a correct open still works.
            send(h, F1.collateral(MINUTE_LATER, "1.5", 1), F1.opened(TWO_MINUTES_LATER, "tri-party"));
            assertThat(refused(h)).extracting(DeadLetter::reason).containsExactly("UNKNOWN_POLICY", "UNKNOWN_FACILITY");
            assertThat(h.extractOutputValues()).singleElement()
                    .extracting(FacilityCommand::kind, FacilityCommand::policy)
                    .containsExactly(FacilityCommand.UPSERT, "tri-party");
        }
    }

    @Test
    void secondOpenIsRefusedAndTheFirstRecordIsKept() throws Exception {
        FacilityInput reopen = new Facility("F-1", "B-other", "anchorage", "ETH-USD").opened(TWO_MINUTES_LATER, "tri-party");
        try (var h = harness()) {
            send(h, F1.opened(OPENED_AT, "standard"), F1.collateral(MINUTE_LATER, "1.5", 3));
            send(h, reopen);

            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(refused(h)).extracting(DeadLetter::reason, DeadLetter::location, DeadLetter::payload)
                    .containsExactly(tuple("ALREADY_OPEN", reopen.location(), reopen.payload()));

            // The refused open overwrote nothing: identity, policy and collateral are the first ones.
            send(h, F1.debt(THREE_MINUTES_LATER, "4100.00", 1));
            assertThat(last(h)).extracting(
                            FacilityCommand::borrowerId, FacilityCommand::custodian, FacilityCommand::pair, FacilityCommand::policy,
                            FacilityCommand::collateral, FacilityCommand::collateralVersion)
                    .containsExactly("B-1", "bitgo", "BTC-USD", "standard", dec("1.5"), 3L);
        }
    }

    // --- liquidation outcomes

    @Test
    void liquidationOutcomesPassThroughWithTheirIdAndChangeNoAmount() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "1.5", 3),
                    F1.debt(MINUTE_LATER, "4100.00", 7),
                    F1.executed(TWO_MINUTES_LATER, "LIQ-F-1-a"),
                    F1.failed(THREE_MINUTES_LATER, "LIQ-F-1-b"));

            List<FacilityCommand> out = h.extractOutputValues();
            assertThat(out.subList(3, out.size()))
                    .extracting(FacilityCommand::kind, FacilityCommand::eventTime, FacilityCommand::liquidationId, FacilityCommand::cause)
                    .containsExactly(
                            tuple(FacilityCommand.EXECUTED, TWO_MINUTES_LATER, "LIQ-F-1-a", "EXECUTED|LIQ-F-1-a"),
                            tuple(FacilityCommand.FAILED, THREE_MINUTES_LATER, "LIQ-F-1-b", "FAILED|LIQ-F-1-b"));
            // Amounts change only through the custodian's and lending core's own updates.
            assertThat(out.subList(3, out.size()))
                    .extracting(FacilityCommand::facilityId, FacilityCommand::collateral, FacilityCommand::collateralVersion,
                            FacilityCommand::outstanding, FacilityCommand::debtVersion)
                    .containsOnly(tuple("F-1", dec("1.5"), 3L, dec("4100.00"), 7L));
            assertThat(out).filteredOn(c -> c.kind().equals(FacilityCommand.UPSERT))
                    .extracting(FacilityCommand::liquidationId).containsOnlyNulls();

            // The outcome changed no version: the next update is judged against 3 and 7 as before.
            send(h, F1.collateral(FOUR_MINUTES_LATER, "1.1", 3));
            assertThat(h.extractOutputValues()).hasSize(out.size());
        }
    }

    // --- closing and the closed marker

    @Test
    void closedFacilityRefusesEventsWhileTheMarkerStaysAndIsForgottenAfterRetention() throws Exception {
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "1.5", 3),
                    F1.debt(MINUTE_LATER, "4100.00", 7),
                    F1.closed(CLOSED_AT));
            h.processWatermark(CLOSED_AT);

            // The LTV stage clears the facility from this last record.
            assertThat(last(h)).isEqualTo(new FacilityCommand(FacilityCommand.CLOSE, CLOSED_AT, "F-1", "B-1", "bitgo", "BTC-USD",
                    "standard", dec("1.5"), 3, dec("4100.00"), 7, false, null, false, "CLOSED"));
            int commands = h.extractOutputValues().size();
            assertThat(h.numKeyedStateEntries()).isEqualTo(1); // the marker
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // its expiry

            send(h,
                    F1.collateral(CLOSED_AT + HOUR, "2.0", 4),
                    F1.debt(CLOSED_AT + HOUR, "0.00", 8),
                    F1.executed(CLOSED_AT + HOUR, "L-1"),
                    F1.failed(CLOSED_AT + HOUR, "L-2"),
                    F1.opened(CLOSED_AT + HOUR, "standard"),
                    F1.closed(CLOSED_AT + HOUR));
            // Just before expiry the marker still recognises the facility.
            h.processWatermark(MARKER_EXPIRES - 1);
            send(h, F1.collateral(MARKER_EXPIRES - 1, "2.0", 5));

            assertThat(h.extractOutputValues()).hasSize(commands);
            assertThat(refused(h)).extracting(DeadLetter::reason).hasSize(7).containsOnly("FACILITY_CLOSED");
            // A second close must not add a second expiry timer.
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);

            h.processWatermark(MARKER_EXPIRES);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();

            send(h, F1.debt(MARKER_EXPIRES + 1, "1.00", 9));
            assertThat(refused(h)).last().extracting(DeadLetter::reason).isEqualTo("UNKNOWN_FACILITY");
            assertThat(h.extractOutputValues()).hasSize(commands);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void markerExpiryBeyondTheEventTimeHorizonIsNotRegistered() throws Exception {
        // A replay's event time ends at its horizon: a timer after it would only fire on the end-of-input watermark.
        try (var h = harness(MARKER_EXPIRES - 1)) {
            send(h, F1.opened(OPENED_AT, "standard"), F1.closed(CLOSED_AT));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);

            h.processWatermark(Long.MAX_VALUE);
            // The marker is still there: late events for the facility are still recognised.
            send(h, F1.debt(CLOSED_AT + HOUR, "1.00", 1));
            assertThat(refused(h)).extracting(DeadLetter::reason).containsExactly("FACILITY_CLOSED");
        }
        // At the horizon exactly the expiry is within event time.
        try (var h = harness(MARKER_EXPIRES)) {
            send(h, F1.opened(OPENED_AT, "standard"), F1.closed(CLOSED_AT));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(MARKER_EXPIRES);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    // --- lateness

    @Test
    void lateEventsAreAppliedNeverDroppedAndMarkedLate() throws Exception {
        try (var h = harness()) {
            h.processWatermark(HOUR_LATER);
            send(h,
                    F1.opened(OPENED_AT, "standard"), // behind the watermark
                    F1.collateral(HOUR_LATER, "1.5", 1), // at the watermark: that instant is done
                    F1.debt(HOUR_LATER + 1, "4100.00", 1), // ahead of it: on time
                    F1.debt(MINUTE_LATER, "4200.00", 2),
                    F1.executed(TWO_MINUTES_LATER, "L-1"),
                    F1.failed(TWO_MINUTES_LATER, "L-2"),
                    F1.closed(THREE_MINUTES_LATER));

            assertThat(refused(h)).isEmpty();
            assertThat(h.extractOutputValues()).extracting(FacilityCommand::cause, FacilityCommand::eventTime, FacilityCommand::appliedLate)
                    .containsExactly(
                            tuple("OPENED", OPENED_AT, true),
                            tuple("COLLATERAL|1", HOUR_LATER, true),
                            tuple("DEBT|1", HOUR_LATER + 1, false),
                            tuple("DEBT|2", MINUTE_LATER, true),
                            tuple("EXECUTED|L-1", TWO_MINUTES_LATER, true),
                            tuple("FAILED|L-2", TWO_MINUTES_LATER, true),
                            tuple("CLOSED", THREE_MINUTES_LATER, true));
            // Versions, not arrival times, decide: the late debt at version 2 was the newer one.
            assertThat(h.extractOutputValues().get(3)).extracting(FacilityCommand::outstanding, FacilityCommand::riskIncreased)
                    .containsExactly(dec("4200.00"), true);
            // The late close still keeps its marker for the retention from its own event time.
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(THREE_MINUTES_LATER + CLOSED_RETENTION - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(THREE_MINUTES_LATER + CLOSED_RETENTION);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    // --- restore

    @Test
    void versionsAndMarkersSurviveASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            send(h,
                    F1.opened(OPENED_AT, "standard"),
                    F1.collateral(MINUTE_LATER, "1.5", 3),
                    F1.debt(MINUTE_LATER, "4100.00", 7),
                    F2.opened(OPENED_AT, "tri-party"),
                    F2.closed(CLOSED_AT));
            h.processWatermark(CLOSED_AT);
            snapshot = h.snapshot(1L, CLOSED_AT);
        }

        try (var h = restore(snapshot)) {
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            send(h,
                    F1.collateral(CLOSED_AT + MINUTE, "9.0", 3), // equal to the restored version
                    F1.debt(CLOSED_AT + MINUTE, "1.00", 6), // older than the restored version
                    F2.debt(CLOSED_AT + MINUTE, "1.00", 1));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(refused(h)).extracting(DeadLetter::reason).containsExactly("FACILITY_CLOSED");

            // The whole record came back: identity, the other amount and the amount compared against.
            send(h, F1.collateral(CLOSED_AT + 2 * MINUTE, "1.2", 4));
            assertThat(h.extractOutputValues()).containsExactly(new FacilityCommand(FacilityCommand.UPSERT, CLOSED_AT + 2 * MINUTE,
                    "F-1", "B-1", "bitgo", "BTC-USD", "standard", dec("1.2"), 4, dec("4100.00"), 7, true, null, false, "COLLATERAL|4"));

            // The restored expiry timer still removes F-2's marker, and only that.
            h.processWatermark(MARKER_EXPIRES);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isZero();
            send(h, F2.debt(MARKER_EXPIRES + 1, "1.00", 2), F1.debt(MARKER_EXPIRES + 1, "4000.00", 8));
            assertThat(refused(h)).extracting(DeadLetter::reason).containsExactly("FACILITY_CLOSED", "UNKNOWN_FACILITY");
            assertThat(last(h)).extracting(FacilityCommand::cause, FacilityCommand::appliedLate).containsExactly("DEBT|8", false);
        }
    }

    @Test
    void anEventTheWatermarkHadPassedBeforeARestoreIsStillLateAfterIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            send(h, F1.opened(OPENED_AT, "standard"));
            h.processWatermark(CLOSED_AT);
            send(h, F1.collateral(MINUTE_LATER, "1.5", 3));
            assertThat(last(h)).extracting(FacilityCommand::appliedLate).isEqualTo(true);
            snapshot = h.snapshot(1L, CLOSED_AT);
        }
        try (var h = restore(snapshot)) {
            // No watermark yet since the restore: the event is as late as it was before it.
            send(h, F1.debt(MINUTE_LATER, "4100.00", 7));
            assertThat(last(h)).extracting(FacilityCommand::cause, FacilityCommand::appliedLate).containsExactly("DEBT|7", true);
            send(h, F1.debt(CLOSED_AT + MINUTE, "4200.00", 8));
            assertThat(last(h)).extracting(FacilityCommand::cause, FacilityCommand::appliedLate).containsExactly("DEBT|8", false);
        }
    }

    @Test
    void aClockThatMovedWithoutAnyFacilityEventIsKeptAcrossARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            send(h, F1.opened(OPENED_AT, "standard"));
            // The price clock moves on while facility-events is quiet: no event reaches this subtask.
            h.processWatermark(CLOSED_AT);
            snapshot = h.snapshot(1L, CLOSED_AT);
        }
        try (var h = restore(snapshot)) {
            send(h, F1.debt(MINUTE_LATER, "4100.00", 7));
            assertThat(last(h)).extracting(FacilityCommand::cause, FacilityCommand::appliedLate).containsExactly("DEBT|7", true);
        }
    }

    // --- helpers

    private static Harness harness() throws Exception {
        return harness(Long.MAX_VALUE);
    }

    private static Harness harness(long eventTimeHorizon) throws Exception {
        Harness h = new Harness(new FacilityFunction(CONFIG, eventTimeHorizon));
        h.open();
        return h;
    }

    private static Harness restore(OperatorSubtaskState snapshot) throws Exception {
        Harness h = new Harness(new FacilityFunction(CONFIG, Long.MAX_VALUE));
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    /**
     * The stage as it runs live: facility events on the first input, which carries no clock (idle),
     * and the price clock's watermarks on the second.
     */
    private static final class Harness extends KeyedTwoInputStreamOperatorTestHarness<String, FacilityInput, PriceTick, FacilityCommand> {

        Harness(FacilityFunction function) throws Exception {
            super(new FacilityFunction.Operator(function), FacilityInput::facilityId, PriceTick::pair, Types.STRING);
        }

        @Override
        public void open() throws Exception {
            super.open();
            processWatermarkStatus1(WatermarkStatus.IDLE);
        }

        void processElement(FacilityInput input, long timestamp) throws Exception {
            processElement1(new StreamRecord<>(input, timestamp));
        }

        void processWatermark(long priceClock) throws Exception {
            processWatermark2(new Watermark(priceClock));
        }
    }

    private static void send(Harness h, FacilityInput... inputs)
            throws Exception {
        for (FacilityInput input : inputs) {
            h.processElement(input, input.eventTime());
        }
    }

    private static FacilityCommand last(Harness h) {
        List<FacilityCommand> out = h.extractOutputValues();
        assertThat(out).isNotEmpty();
        return out.get(out.size() - 1);
    }

    private static List<DeadLetter> refused(Harness h) {
        Queue<StreamRecord<DeadLetter>> records = h.getSideOutput(FacilityFunction.REFUSED);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }

    /** Builds the {@code facility-events} inputs of one facility, each with its own payload and offset. */
    private record Facility(String id, String borrower, String custodian, String pair) {

        FacilityInput opened(long t, String policy) {
            return input("FACILITY_OPENED", new FacilityOpened(t, id, borrower, custodian, pair, policy),
                    "\"borrowerId\":\"%s\",\"custodian\":\"%s\",\"pair\":\"%s\",\"policy\":\"%s\"".formatted(borrower, custodian, pair, policy));
        }

        FacilityInput collateral(long t, String amount, long version) {
            return input("COLLATERAL_UPDATED", new CollateralUpdated(t, id, dec(amount), version), "\"collateral\":\"%s\",\"version\":%d".formatted(amount, version));
        }

        FacilityInput debt(long t, String amount, long version) {
            return input("DEBT_UPDATED", new DebtUpdated(t, id, dec(amount), version), "\"outstanding\":\"%s\",\"version\":%d".formatted(amount, version));
        }

        FacilityInput executed(long t, String liquidationId) {
            return input("LIQUIDATION_EXECUTED", new LiquidationExecuted(t, id, liquidationId, dec("0.4"), dec("8000.00")),
                    "\"liquidationId\":\"%s\",\"collateralSold\":\"0.4\",\"proceeds\":\"8000.00\"".formatted(liquidationId));
        }

        FacilityInput failed(long t, String liquidationId) {
            return input("LIQUIDATION_FAILED", new LiquidationFailed(t, id, liquidationId, "venue halted"),
                    "\"liquidationId\":\"%s\",\"reason\":\"venue halted\"".formatted(liquidationId));
        }

        FacilityInput closed(long t) {
            return input("FACILITY_CLOSED", new FacilityClosed(t, id), null);
        }

        private FacilityInput input(String type, FacilityEvent event, String fields) {
            String payload = "{\"type\":\"%s\",\"eventTime\":\"%s\",\"facilityId\":\"%s\"%s}"
                    .formatted(type, Instant.ofEpochMilli(event.eventTime()), id, fields == null ? "" : "," + fields);
            return FacilityInput.of(event, Topics.FACILITY_EVENTS + "/0@" + OFFSETS.getAndIncrement(), payload);
        }
    }
}
