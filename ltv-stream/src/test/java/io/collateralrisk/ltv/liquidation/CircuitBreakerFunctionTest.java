package io.collateralrisk.ltv.liquidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.lifecycle.Decision;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.ltv.ltv.PriceUpdate;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The breaker stage in Flink's keyed harness: inputs buffered until the watermark passes their
 * instant, then taken in the stage's fixed order whatever order they arrived in; its holds, window
 * and timers survive a snapshot and restore. At most 3 triggers in 15 minutes.
 */
class CircuitBreakerFunctionTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("lifecycle: {circuitBreaker: {maxLiquidations: 3, window: 15m}}");
    private static final long MINUTE = 60_000L;
    private static final long T0 = Instant.parse("2024-03-11T09:00:00Z").toEpochMilli();

    @Test
    void triggersFromEveryShardAreCountedInFacilityIdOrderWhateverTheirArrivalAndTheRestHeld() throws Exception {
        List<String> ids = IntStream.rangeClosed(1, 5).mapToObj(i -> "F-" + i).toList();
        assertThat(ids.stream().map(id -> LtvStage.shardOf("BTC-USD", id)).collect(Collectors.toSet())).hasSizeGreaterThan(1);
        try (var h = harness()) {
            h.processElement(price(T0, "55000"));
            for (int i = ids.size() - 1; i >= 0; i--) { // arrival order reversed: the order taken is the facilities'
                LifecycleEvent t = CircuitBreakerRulesTest.trigger(ids.get(i), T0, "55000");
                h.processElement(new StreamRecord<>(BreakerInput.of(t), T0));
                h.processElement(new StreamRecord<>(BreakerInput.of(new BandChange(t.facilityId(), t.borrowerId(), t.pair(), t.policy(),
                        T0, Band.HEALTHY, Band.LIQUIDATION, t.type(), t.eventId())), T0));
            }
            assertThat(take(h)).as("nothing before the watermark passes the instant").isEmpty();
            h.processWatermark(T0);

            List<LifecycleEvent> out = take(h);
            assertThat(out).extracting(e -> e.facilityId() + " " + e.type()).containsExactly(
                    "F-1 LIQUIDATION_TRIGGERED", "F-2 LIQUIDATION_TRIGGERED", "F-3 LIQUIDATION_TRIGGERED",
                    "F-4 LIQUIDATION_HELD", "F-5 LIQUIDATION_HELD");
            // CEP is told of the hold that left the job, not of the trigger it replaced.
            List<BandChange> changes = new ArrayList<>();
            h.getSideOutput(CircuitBreakerFunction.BAND_CHANGES).forEach(r -> changes.add(r.getValue()));
            assertThat(changes).extracting(c -> c.facilityId() + " " + c.eventType())
                    .containsExactly("F-1 LIQUIDATION_TRIGGERED", "F-2 LIQUIDATION_TRIGGERED", "F-3 LIQUIDATION_TRIGGERED",
                            "F-4 LIQUIDATION_HELD", "F-5 LIQUIDATION_HELD");
            assertThat(changes.get(3).cause()).isEqualTo(out.get(3).eventId());

            // The LTV stage's timeout of a held liquidation does not leave; a trigger's own does.
            LifecycleEvent held4 = CircuitBreakerRulesTest.trigger("F-4", T0, "55000");
            h.processElement(new StreamRecord<>(BreakerInput.of(withType(held4, Decision.LIQUIDATION_UNCONFIRMED, T0 + 30 * MINUTE)), T0 + 30 * MINUTE));
            LifecycleEvent triggered1 = CircuitBreakerRulesTest.trigger("F-1", T0, "55000");
            h.processElement(new StreamRecord<>(BreakerInput.of(withType(triggered1, Decision.LIQUIDATION_UNCONFIRMED, T0 + 30 * MINUTE)), T0 + 30 * MINUTE));
            // F-5's amounts change: the LTV stage takes it back.
            h.processElement(new StreamRecord<>(BreakerInput.of(command("F-5", FacilityCommand.UPSERT, T0 + 20 * MINUTE)), T0 + 20 * MINUTE));
            h.processWatermark(T0 + 30 * MINUTE);
            assertThat(take(h)).extracting(e -> e.facilityId() + " " + e.type()).containsExactly(
                    "F-1 LIQUIDATION_UNCONFIRMED", "F-4 LIQUIDATION_HOLD_ESCALATED");
        }
    }

    @Test
    void aReleaseAfterARestoreReTestsTheHoldsAtTheLatestEvaluationWithoutCountingThem() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.processElement(price(T0, "55000"));
            for (String id : List.of("F-1", "F-2", "F-3", "F-4", "F-5")) {
                h.processElement(new StreamRecord<>(BreakerInput.of(CircuitBreakerRulesTest.trigger(id, T0, "55000")), T0));
            }
            h.processWatermark(T0);
            assertThat(take(h)).extracting(LifecycleEvent::type).containsExactly("LIQUIDATION_TRIGGERED",
                    "LIQUIDATION_TRIGGERED", "LIQUIDATION_TRIGGERED", "LIQUIDATION_HELD", "LIQUIDATION_HELD");
            h.processElement(price(T0 + MINUTE, "54000"));
            h.processWatermark(T0 + MINUTE);
            snapshot = h.snapshot(1L, T0 + MINUTE);
        }
        try (var h = unopened()) {
            h.initializeState(snapshot);
            h.open();
            // At one instant the release comes first: it re-tests at the evaluation before it (54,000).
            h.processElement(price(T0 + 2 * MINUTE, "80000"));
            h.processElement(new StreamRecord<>(BreakerInput.of(new HoldsReleased(T0 + 2 * MINUTE, "BTC-USD", "ops", "reviewed")), T0 + 2 * MINUTE));
            h.processWatermark(T0 + 2 * MINUTE);
            List<LifecycleEvent> out = take(h);
            assertThat(out).extracting(e -> e.facilityId() + " " + e.type() + " " + e.ltvPrice().toPlainString()).containsExactly(
                    "F-4 LIQUIDATION_TRIGGERED 54000", "F-5 LIQUIDATION_TRIGGERED 54000");
            assertThat(out.get(0).liquidationId()).isEqualTo(CircuitBreakerRulesTest.trigger("F-4", T0, "55000").liquidationId());
            // The escalation timers of the released holds fire no more; the released triggers' confirmation timeouts do.
            h.processWatermark(T0 + 40 * MINUTE);
            assertThat(take(h)).extracting(e -> e.facilityId() + " " + e.type())
                    .containsExactly("F-4 LIQUIDATION_UNCONFIRMED", "F-5 LIQUIDATION_UNCONFIRMED");
        }
    }

    /** What the stage emitted since the last take. */
    private static List<LifecycleEvent> take(KeyedOneInputStreamOperatorTestHarness<String, BreakerInput, LifecycleEvent> h) {
        List<LifecycleEvent> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    @Test
    void aReleaseWhileAnIncidentIsOpenHoldsAgainUntilItClosesThenTheReTestDecides() throws Exception {
        try (var h = harness()) {
            h.processElement(price(T0, "55000"));
            for (String id : List.of("F-1", "F-2", "F-3", "F-4")) {
                h.processElement(new StreamRecord<>(BreakerInput.of(CircuitBreakerRulesTest.trigger(id, T0, "55000")), T0));
            }
            h.processWatermark(T0);
            assertThat(take(h)).extracting(e -> e.facilityId() + " " + e.type()).endsWith("F-4 LIQUIDATION_HELD");

            h.processElement(new StreamRecord<>(BreakerInput.of(new PriceUpdate("BTC-USD", "BTC-USD", T0 + MINUTE, "E-1",
                    new BigDecimal("54000"), true, true, 0)), T0 + MINUTE));
            h.processElement(new StreamRecord<>(BreakerInput.of(new HoldsReleased(T0 + 2 * MINUTE, "BTC-USD", "ops", "reviewed")), T0 + 2 * MINUTE));
            h.processWatermark(T0 + 2 * MINUTE);
            assertThat(take(h)).extracting(e -> e.facilityId() + " " + e.type() + " " + e.holdReason())
                    .containsExactly("F-4 LIQUIDATION_HELD DIVERGENCE_INCIDENT");

            // The incident closes with the facility no longer at liquidation (LTV 0.833): released, band kept.
            h.processElement(price(T0 + 3 * MINUTE, "60000"));
            h.processWatermark(T0 + 3 * MINUTE);
            List<LifecycleEvent> out = take(h);
            assertThat(out).extracting(e -> e.facilityId() + " " + e.type()).containsExactly("F-4 LIQUIDATION_RELEASED");
            assertThat(out.get(0).bandAfter()).isEqualTo("LIQUIDATION");
        }
    }

    /** Null: the harness's heap backend. */
    StateBackend stateBackend() {
        return null;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, BreakerInput, LifecycleEvent> harness() throws Exception {
        var h = unopened();
        h.open();
        return h;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, BreakerInput, LifecycleEvent> unopened() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new CircuitBreakerFunction(CONFIG, "test", Long.MAX_VALUE)), BreakerInput::pair, Types.STRING);
        if (stateBackend() != null) {
            h.setStateBackend(stateBackend());
        }
        return h;
    }

    private static StreamRecord<BreakerInput> price(long t, String price) {
        return new StreamRecord<>(BreakerInput.of(new PriceUpdate("BTC-USD", "BTC-USD", t, "E-" + t, new BigDecimal(price), true, false, 0)), t);
    }

    private static FacilityCommand command(String id, String kind, long t) {
        return new FacilityCommand(kind, t, id, "B-" + id, "bitgo", "BTC-USD", "standard", new BigDecimal("1.00000000"), 2,
                new BigDecimal("50000.00"), 1, false, null, false, "c");
    }

    private static LifecycleEvent withType(LifecycleEvent e, String type, long t) {
        return new LifecycleEvent(e.eventId() + type, type, t, e.facilityId(), e.borrowerId(), e.custodian(), e.pair(), e.ltv(),
                e.ltvInfinite(), e.bandBefore(), e.bandAfter(), e.policy(), e.initialMargin(), e.warning(), e.marginCall(), e.liquidation(),
                e.liquidationTarget(), e.hysteresis(), e.curePeriodMs(), e.collateral(), e.collateralVersion(), e.outstanding(),
                e.debtVersion(), e.ltvPrice(), e.evaluationId(), e.incidentOpen(), e.triggerWarning(), e.triggerMarginCall(),
                e.triggerLiquidation(), e.collateralToCure(), e.debtToCure(), e.cureDeadline(), e.reason(), e.holdReason(),
                e.liquidationId(), e.liquidateCollateral(), e.shortfall(), e.priceDisputed(), e.appliedLate(), e.recipients(),
                e.configHash(), e.codeVersion(), e.ingestedAt());
    }
}
