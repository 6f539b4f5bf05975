package io.collateralrisk.jobs.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.ltv.facility.FacilityInput;
import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.Times;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.operators.TimestampsAndWatermarksOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ParseInputTest {

    private static final long READ_AT = 1_767_225_600_123L;
    private static final RiskConfig CONFIG = RiskConfig.defaults();
    /** The reference clock of the records below: the broker's clock live. */
    private static final long CLOCK = Times.parseIso("2023-03-10T12:00:00Z");

    @Test
    void aParsedPriceTickCarriesTheTimeItsSourceReadIt() throws Exception {
        String payload = "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"pair\":\"BTC-USD\","
                + "\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"61234.56\"}";
        try (OneInputStreamOperatorTestHarness<InputRecord, PriceTick> h =
                ProcessFunctionTestHarnesses.forProcessFunction(ParseInput.prices(RiskConfig.defaults()))) {
            h.processElement(new InputRecord("prices", "prices/0@7", Times.parseIso("2024-03-01T12:00:00Z"), payload, READ_AT), 0L);

            assertThat(h.extractOutputValues()).singleElement().satisfies(tick -> {
                assertThat(tick.price()).isEqualTo(new BigDecimal("61234.56"));
                assertThat(tick.ingestedAt()).isEqualTo(READ_AT);
            });
        }
    }

    static String tick(Object eventTime) {
        String time = eventTime instanceof String s ? "\"" + s + "\"" : String.valueOf(eventTime);
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":" + time + ",\"pair\":\"BTC-USD\",\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"20000\"}";
    }

    /** What parsing one record gives: the ticks out and the dead letters. */
    private record Parsed<T>(List<StreamRecord<? extends T>> out, List<DeadLetter> deadLetters) {}

    private static <T> Parsed<T> parse(ParseInput<T> parse, String topic, String payload, long referenceClock) throws Exception {
        try (OneInputStreamOperatorTestHarness<InputRecord, T> h = ProcessFunctionTestHarnesses.forProcessFunction(parse)) {
            // The source stamps each raw record with its reference clock (ReferenceClockWatermarks.stampReferenceClock).
            h.processElement(new InputRecord(topic, topic + "/0@42", referenceClock, payload, READ_AT), referenceClock);
            List<DeadLetter> dead = h.getSideOutput(DeadLetters.TAG) == null ? List.of()
                    : h.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
            return new Parsed<>(h.extractOutputStreamRecords(), dead);
        }
    }

    @Nested
    class ClockGuards {

        @Test
        void aTickStampedBefore1970IsInvalidAndItsDeadLetterCarriesTheReferenceClock() throws Exception {
            String payload = tick("1969-12-31T23:59:59Z");
            Parsed<PriceTick> p = parse(ParseInput.prices(CONFIG), "prices", payload, CLOCK);

            assertThat(p.out()).isEmpty();
            assertThat(p.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("INVALID_TIME:eventTime");
                assertThat(d.reasonCategory()).isEqualTo("INVALID_TIME");
                assertThat(d.eventTime()).isEqualTo(CLOCK);
                assertThat(d.payload()).isEqualTo(payload);
            });
        }

        @Test
        void aTickExactlyMaxAheadOfItsReferenceClockIsAccepted() throws Exception {
            long t = CLOCK + CONFIG.maxAheadMs();
            Parsed<PriceTick> p = parse(ParseInput.prices(CONFIG), "prices", tick(t), CLOCK);

            assertThat(p.deadLetters()).isEmpty();
            assertThat(p.out()).singleElement().satisfies(r -> {
                assertThat(r.getValue().eventTime()).isEqualTo(t);
                // Parsing keeps the reference clock as the record's timestamp for the watermark step.
                assertThat(r.getTimestamp()).isEqualTo(CLOCK);
            });
        }

        @Test
        void aTickOneMillisecondFurtherAheadIsAFutureEventStampedWithItsReferenceClock() throws Exception {
            String payload = tick(CLOCK + CONFIG.maxAheadMs() + 1);
            Parsed<PriceTick> p = parse(ParseInput.prices(CONFIG), "prices", payload, CLOCK);

            assertThat(p.out()).isEmpty();
            assertThat(p.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("FUTURE_EVENT");
                assertThat(d.eventTime()).isEqualTo(CLOCK);
                assertThat(d.payload()).isEqualTo(payload);
                assertThat(d.detail()).contains("2023-03-10T12:01:00.001Z", "2023-03-10T12:00:00Z");
            });
        }

        @Test
        void aTickStampedIn2031IsAFutureEvent() throws Exception {
            Parsed<PriceTick> p = parse(ParseInput.prices(CONFIG), "prices", tick("2031-03-10T12:00:00Z"), CLOCK);

            assertThat(p.out()).isEmpty();
            assertThat(p.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("FUTURE_EVENT");
                assertThat(d.eventTime()).isEqualTo(CLOCK);
            });
        }

        @Test
        void aRecordRefusedForAnotherReasonNeverCarriesItsBrokenClockOnward() throws Exception {
            String unknownPair = tick("2031-03-10T12:00:00Z").replace("BTC-USD", "XYZ-USD");
            assertThat(parse(ParseInput.prices(CONFIG), "prices", unknownPair, CLOCK).deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("UNKNOWN_PAIR");
                assertThat(d.eventTime()).isEqualTo(CLOCK);
            });
            String noZone = tick("2023-03-10T12:00:00");
            assertThat(parse(ParseInput.prices(CONFIG), "prices", noZone, CLOCK).deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.reason()).isEqualTo("INVALID_TIME:eventTime");
                assertThat(d.eventTime()).isEqualTo(CLOCK);
            });
            // A valid time the guard accepts stays the dead letter's own.
            String negative = tick(CLOCK - 1000).replace("\"20000\"", "\"-5\"");
            assertThat(parse(ParseInput.prices(CONFIG), "prices", negative, CLOCK).deadLetters()).singleElement()
                    .satisfies(d -> assertThat(d.eventTime()).isEqualTo(CLOCK - 1000));
        }

        @Test
        void facilityEventsAndControlEventsAreGuardedAlike() throws Exception {
            ParseInput<FacilityInput> facilities = ParseInput.facilityEvents(CONFIG);
            String ahead = "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"2031-01-01T00:00:00Z\",\"facilityId\":\"F-1\",\"outstanding\":\"100\",\"version\":2}";
            String before1970 = ahead.replace("2031-01-01", "1969-06-01");
            String good = ahead.replace("2031-01-01T00:00:00Z", "2023-03-10T11:00:00Z");
            assertThat(parse(facilities, "facility-events", ahead, CLOCK).deadLetters()).extracting(DeadLetter::reason).containsExactly("FUTURE_EVENT");
            assertThat(parse(facilities, "facility-events", before1970, CLOCK).deadLetters()).extracting(DeadLetter::reason)
                    .containsExactly("INVALID_TIME:eventTime");
            assertThat(parse(facilities, "facility-events", good, CLOCK).out()).hasSize(1);

            ParseInput<ControlInput> control = ParseInput.control(CONFIG);
            String resolved = "{\"type\":\"DIVERGENCE_RESOLVED\",\"eventTime\":\"2031-01-01T00:00:00Z\",\"pair\":\"BTC-USD\","
                    + "\"incidentId\":\"i\",\"resolvedBy\":\"ops\",\"reason\":\"checked\"}";
            assertThat(parse(control, "risk-control", resolved, CLOCK).deadLetters()).extracting(DeadLetter::reason).containsExactly("FUTURE_EVENT");
            String released = "{\"type\":\"HOLDS_RELEASED\",\"eventTime\":\"2031-01-01T00:00:00Z\",\"pair\":\"BTC-USD\","
                    + "\"releasedBy\":\"ops\",\"reason\":\"checked\"}";
            assertThat(parse(control, "risk-control", released, CLOCK).deadLetters()).extracting(DeadLetter::reason).containsExactly("FUTURE_EVENT");
            assertThat(parse(control, "risk-control", released.replace("2031-01-01T00:00:00Z", "2023-03-10T11:00:00Z"), CLOCK).out())
                    .singleElement().satisfies(c -> assertThat(c.getValue().record().holdsReleased()).isNotNull());
        }

        @Test
        void portfolioEventsAndCustodySnapshotsAreGuardedAlike() throws Exception {
            ParseInput<?> portfolios = ParseInput.portfolioEvents(CONFIG);
            String install = "{\"type\":\"POSITION_INSTALLED\",\"eventTime\":\"2031-01-01T00:00:00Z\",\"wallet\":\"W-1\",\"portfolio\":0,"
                    + "\"position\":\"P-1\",\"producer\":\"amm\",\"credits\":{\"BTC\":\"1\"},\"debts\":{\"USD\":\"100\"},\"deltas\":{},\"version\":1}";
            assertThat(parse(portfolios, "portfolio-events", install, CLOCK).deadLetters()).extracting(DeadLetter::reason)
                    .containsExactly("FUTURE_EVENT");
            assertThat(parse(portfolios, "portfolio-events", install.replace("2031-01-01", "1969-06-01"), CLOCK).deadLetters())
                    .extracting(DeadLetter::reason).containsExactly("INVALID_TIME:eventTime");
            assertThat(parse(portfolios, "portfolio-events", install.replace("2031-01-01T00:00:00Z", "2023-03-10T11:00:00Z"), CLOCK).out())
                    .hasSize(1);

            ParseInput<?> custody = ParseInput.custodySnapshots(CONFIG);
            String snapshot = "{\"type\":\"CUSTODY_SNAPSHOT\",\"eventTime\":\"2031-01-01T00:00:00Z\",\"custody\":\"main-pool/USDC\","
                    + "\"mint\":\"EPjF\",\"slot\":251234567,\"insurance\":\"0\",\"impairmentLosses\":\"0\",\"userLosses\":\"0\","
                    + "\"owned\":\"100\",\"base\":\"100\",\"locked\":\"10\",\"longed\":\"0\",\"shorted\":\"0\","
                    + "\"guaranteedUsd\":\"0\",\"feeReserves\":\"0\"}";
            assertThat(parse(custody, "custody-snapshots", snapshot, CLOCK).deadLetters()).extracting(DeadLetter::reason)
                    .containsExactly("FUTURE_EVENT");
            assertThat(parse(custody, "custody-snapshots", snapshot.replace("2031-01-01", "1969-06-01"), CLOCK).deadLetters())
                    .extracting(DeadLetter::reason).containsExactly("INVALID_TIME:eventTime");
            assertThat(parse(custody, "custody-snapshots", snapshot.replace("2031-01-01T00:00:00Z", "2023-03-10T11:00:00Z"), CLOCK).out())
                    .hasSize(1);
        }

        @Test
        void aRecordWithNoReferenceClockIsJudgedOn1970Alone() throws Exception {
            assertThat(parse(ParseInput.prices(CONFIG), "prices", tick("2031-03-10T12:00:00Z"), ClockGuard.UNKNOWN).out()).hasSize(1);
            assertThat(parse(ParseInput.prices(CONFIG), "prices", tick(-1), ClockGuard.UNKNOWN).deadLetters()).singleElement()
                    .satisfies(d -> assertThat(d.eventTime()).isZero());
        }
    }

    @Nested
    class WatermarkCap {

        @Test
        void anAcceptedTickMovesTheWatermarkNoFurtherThanItsReferenceClockAndKeepsItsEventTime() throws Exception {
            long outOfOrder = CONFIG.outOfOrderMs();
            ReferenceClockWatermarks<PriceTick> strategy =
                    new ReferenceClockWatermarks<>(Duration.ofMillis(outOfOrder), (PriceTick t, long ignored) -> t.eventTime());
            try (var h = new OneInputStreamOperatorTestHarness<PriceTick, PriceTick>(new TimestampsAndWatermarksOperatorFactory<>(strategy, true),
                    TypeInformation.of(PriceTick.class).createSerializer(new SerializerConfigImpl()))) {
                h.getExecutionConfig().setAutoWatermarkInterval(100);
                h.open();
                long ahead = CLOCK + 50_000;
                // Accepted (50 s ahead, within maxAhead), reaching the watermark step with its reference clock as timestamp.
                h.processElement(new StreamRecord<>(tickAt(ahead), CLOCK));
                h.setProcessingTime(1_000);

                assertThat(watermarks(h)).last().isEqualTo(CLOCK - outOfOrder - 1);
                assertThat(h.extractOutputStreamRecords()).singleElement()
                        .satisfies(r -> assertThat(r.getTimestamp()).as("the decision time stays the event time").isEqualTo(ahead));

                // A later record whose clock has moved lets the watermark follow its event time.
                h.processElement(new StreamRecord<>(tickAt(CLOCK + 60_000), CLOCK + 120_000));
                h.setProcessingTime(2_000);
                assertThat(watermarks(h)).last().isEqualTo(CLOCK + 60_000 - outOfOrder - 1);
            }
        }
    }

    private static PriceTick tickAt(long t) {
        return new PriceTick(t, "BTC-USD", "coinbase", io.collateralrisk.model.SourceKind.EXCHANGE, new BigDecimal("20000"), null, null);
    }

    private static List<Long> watermarks(OneInputStreamOperatorTestHarness<?, ?> h) {
        return h.getOutput().stream().filter(o -> o instanceof Watermark).map(o -> ((Watermark) o).getTimestamp()).toList();
    }
}
