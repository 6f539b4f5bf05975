package io.collateralrisk.solvency.custody;

import static io.collateralrisk.solvency.custody.PoolSnapshot.CUSTODY;
import static io.collateralrisk.solvency.custody.PoolSnapshot.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodySnapshot;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.Topics;
import java.math.BigDecimal;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The custody operator moves state in and out of {@link CustodyRules}: events, stale counts, dead letters, restores. */
class CustodyFunctionTest {

    private static final String HASH = "0123456789abcdef".repeat(4);
    private static final String OTHER = "main-pool/SOL";

    private CustodyFunction function;

    private KeyedOneInputStreamOperatorTestHarness<String, CustodyInput, CustodyEvent> harness(OperatorSubtaskState restoreFrom)
            throws Exception {
        function = new CustodyFunction(new CustodyRules(new BigDecimal("0.80"), HASH, "dev"));
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), CustodyInput::custody, Types.STRING);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static StreamRecord<CustodyInput> record(CustodySnapshot s) {
        return new StreamRecord<>(new CustodyInput(s, "custody-snapshots.jsonl:" + s.slot(), "{\"slot\":" + s.slot() + "}"), s.eventTime());
    }

    private static CustodySnapshot of(String custody, CustodySnapshot s) {
        return new CustodySnapshot(s.eventTime(), custody, s.mint(), s.slot(), s.amounts(), s.tradeBlockageUtilizationBps());
    }

    private static List<String> types(KeyedOneInputStreamOperatorTestHarness<String, CustodyInput, CustodyEvent> h) {
        return h.extractOutputValues().stream().map(CustodyEvent::type).toList();
    }

    @Test
    void eachCustodyKeepsItsOwnStateAndEventsFollowTheRules() throws Exception {
        try (var h = harness(null)) {
            h.processElement(record(healthy().at(1)));
            h.processElement(record(of(OTHER, healthy().at(1))));
            h.processElement(record(healthy().owned(9_000).at(2)));
            // owned 9,000 covers neither base, nor base plus collateral, nor the token account.
            assertThat(types(h)).containsExactly(CustodyEvent.INVARIANT_BROKEN, CustodyEvent.INVARIANT_BROKEN, CustodyEvent.INVARIANT_BROKEN);
            assertThat(h.extractOutputValues()).extracting(CustodyEvent::custody).containsOnly(CUSTODY);
            // The other custody's state is its own: its next snapshot breaks nothing.
            h.processElement(record(of(OTHER, healthy().at(2))));
            assertThat(h.extractOutputValues()).hasSize(3);
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        }
    }

    @Test
    void aStaleSlotIsCountedAndChangesNothing() throws Exception {
        try (var h = harness(null)) {
            h.processElement(record(healthy().at(5)));
            h.processElement(record(healthy().owned(9_000).at(5)));
            h.processElement(record(healthy().owned(9_000).at(4)));
            assertThat(function.staleSnapshots()).isEqualTo(2);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(CustodyFunction.REFUSED)).isNull();
            // Slot 5's amounts are still the last applied: a newer healthy snapshot restores nothing.
            h.processElement(record(healthy().at(6)));
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void anotherMintIsDeadLetteredWithItsPayloadAndAppliesNothing() throws Exception {
        try (var h = harness(null)) {
            h.processElement(record(healthy().at(1)));
            h.processElement(record(healthy().mint("other-mint").owned(9_000).at(2)));
            assertThat(h.extractOutputValues()).isEmpty();
            List<DeadLetter> refused = h.getSideOutput(CustodyFunction.REFUSED).stream().map(StreamRecord::getValue).toList();
            assertThat(refused).singleElement().satisfies(d -> {
                assertThat(d.topic()).isEqualTo(Topics.CUSTODY_SNAPSHOTS);
                assertThat(d.reason()).isEqualTo("INVALID_FIELD:mint");
                assertThat(d.location()).isEqualTo("custody-snapshots.jsonl:2");
                assertThat(d.payload()).isEqualTo("{\"slot\":2}");
                assertThat(d.eventTime()).isEqualTo(PoolSnapshot.timeOf(2));
            });
            // Slot 2 was not applied: it is still new for the custody's own mint.
            h.processElement(record(healthy().owned(9_000).at(2)));
            // owned 9,000 covers neither base, nor base plus collateral, nor the token account.
            assertThat(types(h)).containsExactly(CustodyEvent.INVARIANT_BROKEN, CustodyEvent.INVARIANT_BROKEN, CustodyEvent.INVARIANT_BROKEN);
        }
    }

    @Test
    void aRestoredOperatorCarriesOnAsIfNeverStopped() throws Exception {
        List<CustodySnapshot> before = List.of(healthy().at(1), healthy().owned(9_000).locked(8_500).userLosses(10).at(2));
        List<CustodySnapshot> after = List.of(
                healthy().owned(9_000).locked(8_500).userLosses(10).at(2), // stale after the restore too
                healthy().owned(9_000).locked(8_500).userLosses(10).at(3), // still broken, still blocked: nothing new
                healthy().userLosses(25).at(4));

        List<CustodyEvent> straight;
        try (var h = harness(null)) {
            for (CustodySnapshot s : before) {
                h.processElement(record(s));
            }
            for (CustodySnapshot s : after) {
                h.processElement(record(s));
            }
            straight = h.extractOutputValues();
        }

        OperatorSubtaskState snapshot;
        List<CustodyEvent> restored;
        try (var h = harness(null)) {
            for (CustodySnapshot s : before) {
                h.processElement(record(s));
            }
            restored = new java.util.ArrayList<>(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            for (CustodySnapshot s : after) {
                h.processElement(record(s));
            }
            restored.addAll(h.extractOutputValues());
            assertThat(function.staleSnapshots()).isEqualTo(1);
        }
        assertThat(restored).isEqualTo(straight);
        assertThat(straight).extracting(CustodyEvent::type).contains(
                CustodyEvent.INVARIANT_RESTORED, CustodyEvent.LOSS_RECORDED, CustodyEvent.TRADE_BLOCKAGE_CLEARED);
    }
}
