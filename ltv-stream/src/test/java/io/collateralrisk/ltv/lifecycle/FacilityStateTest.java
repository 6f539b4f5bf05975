package io.collateralrisk.ltv.lifecycle;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The per-facility state: a Flink POJO (no Kryo), and compact after it was deserialized. */
class FacilityStateTest {

    @Test
    void isSerializedAsAPojo() {
        assertSerializedAsPojoWithoutKryo(FacilityState.class);
    }

    @Test
    void aDeserializedStateCompactsToTheSameValuesWithSharedStringsAndNoBigIntegers() throws Exception {
        FacilityState original = new FacilityState();
        original.facilityId = "F-1";
        original.borrowerId = "B-1";
        original.custodian = "bitgo";
        original.pair = "BTC-USD";
        original.policy = "standard";
        original.collateral = new BigDecimal("1.23456789");
        original.outstanding = new BigDecimal("80000.00");
        // Wider than a long: kept as it is.
        BigDecimal wide = new BigDecimal("12345678901234567890.123456789012345678");
        original.collateralVersion = 3;
        original.debtVersion = 4;
        original.band = Band.LIQUIDATION;
        original.holdTrigger = Decision.THRESHOLD;
        original.holdReason = Decision.HOLD_PRICE_UNAVAILABLE;
        original.holdSince = 7L;

        FacilityState s = roundTrip(original);
        // What Flink's decimal serializer gives back: distinct strings, a BigInteger behind each decimal.
        assertThat(s.custodian).isNotSameAs(original.custodian);
        assertThat(bigInteger(s.collateral)).isNotNull();

        s.compact();

        assertThat(s.custodian).isSameAs("bitgo");
        assertThat(s.pair).isSameAs("BTC-USD");
        assertThat(s.policy).isSameAs("standard");
        assertThat(s.holdTrigger).isSameAs(Decision.THRESHOLD);
        assertThat(s.holdReason).isSameAs(Decision.HOLD_PRICE_UNAVAILABLE);
        assertThat(s.collateral).isEqualTo(original.collateral); // value and scale
        assertThat(s.outstanding).isEqualTo(original.outstanding);
        assertThat(bigInteger(s.collateral)).isNull();
        assertThat(bigInteger(s.outstanding)).isNull();
        assertThat(s.facilityId).isEqualTo("F-1");
        assertThat(s.holdSince).isEqualTo(7L);
        assertThat(s.band).isEqualTo(Band.LIQUIDATION);

        original.collateral = wide;
        FacilityState w = roundTrip(original);
        w.compact();
        assertThat(w.collateral).isEqualTo(wide);

        FacilityState empty = new FacilityState();
        empty.compact();
        assertThat(empty.collateral).isNull();
        assertThat(empty.custodian).isNull();
    }

    private static FacilityState roundTrip(FacilityState s) throws IOException {
        TypeSerializer<FacilityState> serializer = TypeInformation.of(FacilityState.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    /** The BigInteger a decimal holds beside its compact long, if any (tests run with java.math opened). */
    private static BigInteger bigInteger(BigDecimal d) throws ReflectiveOperationException {
        Field intVal = BigDecimal.class.getDeclaredField("intVal");
        intVal.setAccessible(true);
        return (BigInteger) intVal.get(d);
    }
}
