package io.collateralrisk.ltv.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.ltv.LtvFunction;
import io.collateralrisk.ltv.ltv.LtvOperator;
import io.collateralrisk.ltv.ltv.LtvStage;
import io.collateralrisk.ltv.ltv.PriceUpdate;
import io.collateralrisk.ltv.price.PriceStage;
import io.collateralrisk.ltv.price.ReferencePriceFunction;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.LifecycleEvent;
import io.collateralrisk.model.OpsAlert;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * State taken under a configuration with a pair (ETH-USD) and a policy ({@code bespoke}) that the
 * configuration it is restored under has lost: the operators start, the facilities on them are
 * held through prices, deadlines and amount changes, {@code STATE_WITHOUT_CONFIG} names each once
 * with its facilities, and the price evaluation reports the changed hash ({@code CONFIG_CHANGED}).
 */
class RestoreWithoutConfigTest {

    /** The defaults plus ETH-USD and a policy with the standard thresholds. */
    private static final RiskConfig BEFORE = ConfigLoader.parse("""
            pairs:
              ETH-USD: {quorum: 1}
            policies:
              bespoke: {initialMargin: 0.60, warning: 0.70, marginCall: 0.80, liquidation: 0.90, curePeriod: 48h, liquidationTarget: 0.60, hysteresis: 0.01}
            """);
    private static final RiskConfig AFTER = RiskConfig.defaults();

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    private static final long CALL = T0 + HOUR;
    private static final long DEADLINE = CALL + Duration.ofHours(48).toMillis();

    @Test
    void facilitiesWhosePairOrPolicyIsGoneAreHeldAndAlertedOnce() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = ltv(BEFORE)) {
            before.open();
            send(before, open("F-BESPOKE", "BTC-USD", "bespoke", "1", "80000.00"),
                    open("F-STANDARD", "BTC-USD", "standard", "1", "80000.00"),
                    open("F-ETH", "ETH-USD", "standard", "10", "24000.00"));
            price(before, "BTC-USD", T0, "140000");
            price(before, "ETH-USD", T0, "5000");
            price(before, "BTC-USD", CALL, "98000");
            price(before, "ETH-USD", CALL, "2800");
            before.processBothWatermarks(new Watermark(CALL));
            // All three in margin call, each with a deadline running.
            assertThat(events(before)).extracting(LifecycleEvent::facilityId, LifecycleEvent::type)
                    .containsExactlyInAnyOrder(tuple("F-BESPOKE", "MARGIN_CALL_ISSUED"), tuple("F-STANDARD", "MARGIN_CALL_ISSUED"),
                            tuple("F-ETH", "MARGIN_CALL_ISSUED"));
            snapshot = before.snapshot(1L, CALL);
        }

        try (var after = ltv(AFTER)) {
            after.initializeState(snapshot);
            after.open();
            // The crash liquidates the facility still configured; the one on a lost policy is held.
            price(after, "BTC-USD", CALL + HOUR, "85000");
            after.processBothWatermarks(new Watermark(CALL + HOUR));
            assertThat(events(after)).extracting(LifecycleEvent::facilityId, LifecycleEvent::type)
                    .containsExactly(tuple("F-STANDARD", "LIQUIDATION_TRIGGERED"));
            // New amounts are taken, and decide nothing.
            send(after, new FacilityCommand(FacilityCommand.UPSERT, CALL + 2 * HOUR, "F-BESPOKE", "B-1", "bitgo", "BTC-USD", "bespoke",
                    new BigDecimal("0.5"), 2, new BigDecimal("80000.00"), 1, true, null, false, "COLLATERAL|2"));
            // The deadlines of the held facilities pass: nothing fires, nothing throws; the
            // configured facility's liquidation goes on to its confirmation timeout.
            after.processBothWatermarks(new Watermark(DEADLINE + HOUR));
            assertThat(events(after)).extracting(LifecycleEvent::facilityId, LifecycleEvent::type)
                    .containsExactly(tuple("F-STANDARD", "LIQUIDATION_UNCONFIRMED"));

            List<RestoreReport> reports = reports(after.getSideOutput(RestoreCheck.REPORTS));
            assertThat(reports).singleElement().satisfies(r -> {
                assertThat(r.restored()).isTrue();
                assertThat(r.clock()).isEqualTo(CALL);
            });
            List<OpsAlert> alerts = aggregate(reports);
            assertThat(alerts).extracting(OpsAlert::type, OpsAlert::topic, OpsAlert::operator, OpsAlert::missingKind, OpsAlert::missing,
                            OpsAlert::facilities, OpsAlert::eventTime)
                    .containsExactly(
                            tuple(OpsAlert.STATE_WITHOUT_CONFIG, "facility-events", LtvStage.UID, OpsAlert.PAIR, "ETH-USD", 1L, CALL),
                            tuple(OpsAlert.STATE_WITHOUT_CONFIG, "facility-events", LtvStage.UID, OpsAlert.POLICY, "bespoke", 1L, CALL));
            assertThat(alerts.get(0).eventId()).isEqualTo(EventIds.of(OpsAlert.STATE_WITHOUT_CONFIG, "facility-events", CALL,
                    LtvStage.UID + "|PAIR|ETH-USD|" + AFTER.configHash()));
        }
    }

    @Test
    void aCureDeadlineAlreadyRunningKeepsItsValueUnderAShorterCurePeriod() throws Exception {
        RiskConfig shorter = ConfigLoader.parse("policies:\n  standard: {curePeriod: 24h}\n");
        OperatorSubtaskState snapshot;
        try (var before = ltv(AFTER)) {
            before.open();
            send(before, open("F-1", "BTC-USD", "standard", "1", "80000.00"));
            price(before, "BTC-USD", T0, "140000");
            price(before, "BTC-USD", CALL, "98000");
            before.processBothWatermarks(new Watermark(CALL));
            assertThat(events(before)).extracting(LifecycleEvent::type, LifecycleEvent::cureDeadline)
                    .containsExactly(tuple("MARGIN_CALL_ISSUED", DEADLINE));
            snapshot = before.snapshot(1L, CALL);
        }
        try (var after = ltv(shorter)) {
            after.initializeState(snapshot);
            after.open();
            after.processBothWatermarks(new Watermark(CALL + 25 * HOUR));
            assertThat(events(after)).isEmpty();
            after.processBothWatermarks(new Watermark(DEADLINE));
            assertThat(events(after)).extracting(LifecycleEvent::type, LifecycleEvent::reason, LifecycleEvent::eventTime)
                    .containsExactly(tuple("LIQUIDATION_TRIGGERED", "CURE_EXPIRED", DEADLINE));
            // Nothing is missing: no STATE_WITHOUT_CONFIG.
            assertThat(aggregate(reports(after.getSideOutput(RestoreCheck.REPORTS)))).isEmpty();
        }
    }

    @Test
    void thePriceEvaluationKeepsALostPairUnevaluatedAndReportsTheChangedHash() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = prices(BEFORE)) {
            before.open();
            tick(before, "BTC-USD", "coinbase", T0, "60000");
            tick(before, "BTC-USD", "kraken", T0, "60010");
            tick(before, "ETH-USD", "coinbase", T0, "3000");
            before.processWatermark(new Watermark(T0));
            assertThat(before.extractOutputValues()).extracting(ReferencePrice::pair).containsExactlyInAnyOrder("BTC-USD", "ETH-USD");
            snapshot = before.snapshot(1L, T0);
        }
        try (var after = prices(AFTER)) {
            after.initializeState(snapshot);
            after.open();
            // ETH-USD's stale timer comes due: it used to throw (no pair in the configuration).
            after.processWatermark(new Watermark(T0 + HOUR));
            assertThat(after.extractOutputValues()).extracting(ReferencePrice::pair).containsOnly("BTC-USD");

            List<OpsAlert> alerts = aggregate(reports(after.getSideOutput(RestoreCheck.REPORTS)));
            assertThat(alerts).extracting(OpsAlert::type, OpsAlert::topic, OpsAlert::operator, OpsAlert::previousConfigHash,
                            OpsAlert::missing, OpsAlert::eventTime)
                    .containsExactly(
                            tuple(OpsAlert.CONFIG_CHANGED, "prices", PriceStage.UID, BEFORE.configHash(), null, T0),
                            tuple(OpsAlert.STATE_WITHOUT_CONFIG, "prices", PriceStage.UID, null, "ETH-USD", T0));
            assertThat(alerts.get(0).configHash()).isEqualTo(AFTER.configHash());
        }
    }

    @Test
    void aRestoreUnderTheSameConfigurationSaysNothing() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = prices(AFTER)) {
            before.open();
            tick(before, "BTC-USD", "coinbase", T0, "60000");
            before.processWatermark(new Watermark(T0));
            snapshot = before.snapshot(1L, T0);
        }
        try (var after = prices(AFTER)) {
            after.initializeState(snapshot);
            after.open();
            after.processWatermark(new Watermark(T0 + 1));
            List<RestoreReport> reports = reports(after.getSideOutput(RestoreCheck.REPORTS));
            assertThat(reports).singleElement().satisfies(r -> assertThat(r.previousConfigHashes()).containsExactly(AFTER.configHash()));
            assertThat(aggregate(reports)).isEmpty();
        }
    }

    @Test
    void theAlertsWaitForEverySubtaskAndAddTheirFacilitiesUp() throws Exception {
        RestoreReport first = new RestoreReport(LtvStage.UID, "facility-events", 0, 2, true, List.of(),
                List.of(new RestoreReport.Missing(OpsAlert.POLICY, "bespoke", 3)), T0);
        RestoreReport second = new RestoreReport(LtvStage.UID, "facility-events", 1, 2, true, List.of(),
                List.of(new RestoreReport.Missing(OpsAlert.POLICY, "bespoke", 4)), CALL);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new RestoreAlerts(AFTER.configHash())),
                RestoreReport::operator, Types.STRING)) {
            h.open();
            h.processElement(first, 0);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(second, 0);
            assertThat(h.extractOutputValues()).extracting(OpsAlert::missing, OpsAlert::facilities, OpsAlert::eventTime)
                    .containsExactly(tuple("bespoke", 7L, CALL));
        }
    }

    // --- harnesses

    private static KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent> ltv(RiskConfig config)
            throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new LtvOperator(new LtvFunction(config, "test", Long.MAX_VALUE), LtvStage.restoreCheck(config)),
                null, c -> LtvStage.shardOf(c.pair(), c.facilityId()), Types.STRING);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> prices(RiskConfig config) throws Exception {
        KeyGroupKeys.PairKeys pairKeys = KeyGroupKeys.PairKeys.of(config.pairs().keySet());
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new CheckedKeyedProcessOperator<>(new ReferencePriceFunction(config, Long.MAX_VALUE), PriceStage.restoreCheck(config)),
                t -> pairKeys.keyOf(t.pair()), Types.STRING);
    }

    private static FacilityCommand open(String id, String pair, String policy, String collateral, String outstanding) {
        return new FacilityCommand(FacilityCommand.UPSERT, T0, id, "B-" + id, "bitgo", pair, policy, new BigDecimal(collateral), 1,
                new BigDecimal(outstanding), 1, false, null, false, "OPENED");
    }

    private static void send(KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent> h,
            FacilityCommand... commands) throws Exception {
        for (FacilityCommand c : commands) {
            h.processElement2(c, c.eventTime());
        }
    }

    private static void price(KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent> h,
            String pair, long t, String price) throws Exception {
        h.processElement1(new PriceUpdate(pair, pair, t, EventIds.evaluationId(pair, t), new BigDecimal(price), true, false, 0), t);
    }

    private static void tick(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h, String pair, String source,
            long t, String price) throws Exception {
        h.processElement(new PriceTick(t, pair, source, SourceKind.EXCHANGE, new BigDecimal(price), BigDecimal.ONE, null), t);
    }

    private static List<LifecycleEvent> events(
            KeyedTwoInputStreamOperatorTestHarness<String, PriceUpdate, FacilityCommand, LifecycleEvent> h) {
        List<LifecycleEvent> events = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return events;
    }

    private static List<RestoreReport> reports(java.util.Collection<StreamRecord<RestoreReport>> records) {
        List<RestoreReport> reports = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> reports.add(r.getValue()));
        }
        return reports;
    }

    private static List<OpsAlert> aggregate(List<RestoreReport> reports) {
        return RestoreFindings.alerts(reports, AFTER.configHash());
    }
}
