package io.collateralrisk.ltv.price;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The job runs with {@code pipeline.generic-types: false}: a Kryo fallback in these types would fail it at start. */
class PriceTypesSerializationTest {

    private static final long T = 1_709_294_400_000L;

    @Test
    void priceTick() {
        assertSerializedAsPojoWithoutKryo(PriceTick.class);
    }

    @Test
    void referencePrice() {
        // Its List fields (used, excluded) must get Flink's list type, not a generic one.
        assertSerializedAsPojoWithoutKryo(ReferencePrice.class);
    }

    @Test
    void priceAlert() {
        assertSerializedAsPojoWithoutKryo(PriceAlert.class);
    }

    @Test
    void deadLetter() {
        assertSerializedAsPojoWithoutKryo(DeadLetter.class);
    }

    @Test
    void sourceQuote() {
        assertSerializedAsPojoWithoutKryo(SourceQuote.class);
    }

    @Test
    void twapPoint() {
        assertSerializedAsPojoWithoutKryo(TwapPoint.class);
    }

    @Test
    void runningTwap() {
        assertSerializedAsPojoWithoutKryo(RunningTwap.class);
    }

    @Test
    void runningTwapSurvivesARoundTripWithItsSumAndScales() throws Exception {
        RunningTwap twap = new RunningTwap();
        java.util.Map<Long, TwapPoint> store = new java.util.HashMap<>();
        RunningTwap.Points points = RunningTwap.Points.of(store);
        twap.append(T - 400_000, new BigDecimal("5120.00"), points);
        twap.append(T - 200_000, new BigDecimal("5121.123"), points);
        twap.append(T - 100_000, new BigDecimal("5122"), points);
        twap.slide(T - 300_000, points);
        RunningTwap copy = roundTrip(twap, RunningTwap.class);
        assertThat(copy).usingRecursiveComparison().isEqualTo(twap);
        assertThat(copy.at(T, 300_000, null, 8)).isEqualTo(twap.at(T, 300_000, null, 8));
    }

    @Test
    void referencePriceWithListsAndNullPricesSurvivesARoundTrip() throws IOException {
        ReferencePrice unavailable = new ReferencePrice(
                "event-id",
                "evaluation-id",
                T,
                "BTC-USD",
                PriceStatus.UNAVAILABLE,
                null,
                null,
                new BigDecimal("5123.45"),
                null,
                false,
                List.of(new SourcePrice("coinbase", SourceKind.EXCHANGE, new BigDecimal("5123.450"), T)),
                List.of(new ExcludedSource("chainlink", SourceKind.ORACLE, ExcludedSource.STALE, new BigDecimal("5100"), T - 1)),
                "config-hash");
        assertThat(roundTrip(unavailable, ReferencePrice.class)).isEqualTo(unavailable);
    }

    @Test
    void tickWithARoundBeyond64BitsAndNoVolumeSurvivesARoundTrip() throws IOException {
        PriceTick tick = new PriceTick(
                T, "BTC-USD", "chainlink", SourceKind.ORACLE, new BigDecimal("5120.00"), null, new BigInteger("18446744073709562301"));
        assertThat(roundTrip(tick, PriceTick.class)).isEqualTo(tick);
        TwapPoint gap = new TwapPoint(T, null);
        assertThat(roundTrip(gap, TwapPoint.class)).isEqualTo(gap);
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
