package io.collateralrisk.solvency.custody;

import static io.collateralrisk.solvency.custody.PoolSnapshot.TWO_64;
import static io.collateralrisk.solvency.custody.PoolSnapshot.big;
import static io.collateralrisk.solvency.custody.PoolSnapshot.healthy;
import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodySnapshot;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * The job runs with {@code pipeline.generic-types: false}: the custody state, the snapshot and the
 * event must be Flink POJOs, and survive a round trip with amounts beyond 64 bits and null fields.
 */
class CustodyTypesSerializationTest {

    @Test
    void poolStateSnapshotAndEventAreSerializedWithoutKryo() {
        assertSerializedAsPojoWithoutKryo(CustodyPoolState.class);
        assertSerializedAsPojoWithoutKryo(CustodySnapshot.class);
        assertSerializedAsPojoWithoutKryo(CustodyEvent.class);
    }

    @Test
    void aPoolStateWithBrokenInvariantsAndABlockageSurvivesARoundTrip() throws IOException {
        CustodyRules rules = new CustodyRules(new BigDecimal("0.80"), "hash", "version");
        CustodyPoolState state = new CustodyPoolState();
        rules.onSnapshot(state, healthy().impairmentLosses(TWO_64).at(1));
        rules.onSnapshot(state, healthy().owned(9_999).locked(8_000).impairmentLosses(TWO_64.subtract(big(1))).at(2));
        assertThat(state.broken).hasSize(4);
        assertThat(state.blocked()).isTrue();

        CustodyPoolState copy = roundTrip(state, CustodyPoolState.class);
        assertThat(copy).usingRecursiveComparison().isEqualTo(state);
        // The copy carries on exactly as the original does.
        CustodySnapshot next = healthy().impairmentLosses(TWO_64).at(3);
        assertThat(rules.onSnapshot(copy, next)).isEqualTo(rules.onSnapshot(state, next));
    }

    @Test
    void aNewPoolStateSurvivesARoundTrip() throws IOException {
        CustodyPoolState fresh = new CustodyPoolState();
        assertThat(roundTrip(fresh, CustodyPoolState.class)).usingRecursiveComparison().isEqualTo(fresh);
    }

    @Test
    void eventsWithNullFieldsAndAmountsBeyond64BitsSurviveARoundTrip() throws IOException {
        CustodyRules rules = new CustodyRules(new BigDecimal("0.80"), "hash", "version");
        CustodyPoolState state = new CustodyPoolState();
        rules.onSnapshot(state, healthy().userLosses(TWO_64).at(1));
        List<CustodyEvent> events = rules.onSnapshot(
                state, healthy().userLosses(TWO_64.add(TWO_64)).owned(9_999).locked(9_000).tokenAccountBalance((Long) null).at(2)).events();
        assertThat(events).hasSize(4);
        for (CustodyEvent e : events) {
            assertThat(roundTrip(e, CustodyEvent.class)).isEqualTo(e);
        }
        CustodySnapshot snapshot = healthy().positionCollateral((Long) null).tokenAccountBalance(TWO_64).at(5);
        assertThat(roundTrip(snapshot, CustodySnapshot.class)).isEqualTo(snapshot);
    }

    @Test
    void theRulesTravelWithAnOperatorAsJavaSerializedConfiguration() throws Exception {
        CustodyRules rules = new CustodyRules(new BigDecimal("0.75"), "hash", "version");
        CustodyRules copy = InstantiationUtil.clone(rules);
        CustodySnapshot atThreshold = healthy().locked(7_500).at(1);
        assertThat(copy.onSnapshot(new CustodyPoolState(), atThreshold)).isEqualTo(rules.onSnapshot(new CustodyPoolState(), atThreshold));
        assertThat(copy.onSnapshot(new CustodyPoolState(), atThreshold).events()).extracting(CustodyEvent::configHash).containsExactly("hash");
    }

    private static <T> T roundTrip(T value, Class<T> type) throws IOException {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
