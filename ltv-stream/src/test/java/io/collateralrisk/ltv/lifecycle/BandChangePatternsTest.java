package io.collateralrisk.ltv.lifecycle;

import static io.collateralrisk.ltv.lifecycle.Band.HEALTHY;
import static io.collateralrisk.ltv.lifecycle.Band.LIQUIDATION;
import static io.collateralrisk.ltv.lifecycle.Band.MARGIN_CALL;
import static io.collateralrisk.ltv.lifecycle.Band.WARNING;
import static io.collateralrisk.ltv.lifecycle.BandChangePatterns.DEFAULT_RAPID_WINDOW;
import static io.collateralrisk.ltv.lifecycle.BandChangePatterns.DEFAULT_REPEATED_WINDOW;
import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.ltv.lifecycle.RiskFlag.MatchedChange;
import io.collateralrisk.model.EventIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CEP patterns over band changes. Pattern semantics are tested on the compiled NFA alone,
 * fed one facility's changes in event-time order as the CEP operator would; keying, event-time
 * ordering and restore on Flink's {@link CepOperator} in a keyed harness; the graph of {@link
 * BandChangePatterns#apply} on a MiniCluster at parallelism 2.
 */
class BandChangePatternsTest {

    private static final long MINUTE = 60_000;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private static final long T0 = Instant.parse("2024-03-04T09:00:00Z").toEpochMilli();
    private static final long TEN_MINUTES_LATER = T0 + 10 * MINUTE;
    private static final long FIFTEEN_MINUTES_LATER = T0 + 15 * MINUTE;
    private static final long TWENTY_MINUTES_LATER = T0 + 20 * MINUTE;
    private static final long HALF_AN_HOUR_LATER = T0 + 30 * MINUTE;
    private static final long FORTY_MINUTES_LATER = T0 + 40 * MINUTE;
    private static final long FIFTY_MINUTES_LATER = T0 + 50 * MINUTE;
    private static final long AN_HOUR_LATER = T0 + HOUR;
    private static final long SEVENTY_MINUTES_LATER = T0 + 70 * MINUTE;

    private static final String A = "facility-a";
    private static final String B = "facility-b";

    private static final TypeSerializer<BandChange> SERIALIZER =
            TypeInformation.of(BandChange.class).createSerializer(new SerializerConfigImpl());

    // --- RAPID_DETERIORATION

    @Test
    void marginCallFortyMinutesAfterEnteringWarningFlagsOnce() throws Exception {
        BandChange warning = move(A, HEALTHY, WARNING, T0);
        BandChange call = move(A, WARNING, MARGIN_CALL, FORTY_MINUTES_LATER);

        List<RiskFlag> flags = rapid().feed(warning, call);

        assertThat(flags).hasSize(1);
        RiskFlag flag = flags.get(0);
        assertThat(flag.type()).isEqualTo(RiskFlag.RAPID_DETERIORATION);
        assertThat(flag.facilityId()).isEqualTo(A);
        assertThat(flag.borrowerId()).isEqualTo("borrower-" + A);
        assertThat(flag.pair()).isEqualTo("BTC-USD");
        assertThat(flag.policy()).isEqualTo("standard");
        assertThat(flag.eventTime()).isEqualTo(FORTY_MINUTES_LATER);
        assertThat(path(flag)).containsExactly(tuple(HEALTHY, WARNING, T0), tuple(WARNING, MARGIN_CALL, FORTY_MINUTES_LATER));
        assertThat(flag.changes())
                .extracting(MatchedChange::eventType, MatchedChange::cause)
                .containsExactly(tuple("LTV_WARNING", warning.cause()), tuple("MARGIN_CALL_ISSUED", call.cause()));
        assertThat(flag.recipients()).containsExactly("lender");
        assertThat(flag.eventId())
                .isEqualTo(EventIds.of(
                        RiskFlag.RAPID_DETERIORATION, A, FORTY_MINUTES_LATER, warning.cause() + "," + call.cause()));
    }

    @Test
    void theSameDeteriorationContinuingIntoLiquidationDoesNotFlagAgain() throws Exception {
        List<RiskFlag> flags = rapid().feed(
                move(A, HEALTHY, WARNING, T0),
                move(A, WARNING, MARGIN_CALL, TWENTY_MINUTES_LATER),
                move(A, MARGIN_CALL, LIQUIDATION, HALF_AN_HOUR_LATER));

        assertThat(flags).extracting(RiskFlag::eventTime).containsExactly(TWENTY_MINUTES_LATER);
    }

    @Test
    void marginCallSeventyMinutesAfterEnteringWarningDoesNotFlag() throws Exception {
        assertThat(rapid().feed(move(A, HEALTHY, WARNING, T0), move(A, WARNING, MARGIN_CALL, SEVENTY_MINUTES_LATER)))
                .isEmpty();
    }

    @Test
    void theWindowIsExclusiveOfItsEnd() throws Exception {
        assertThat(rapid().feed(move(A, HEALTHY, WARNING, T0), move(A, WARNING, MARGIN_CALL, AN_HOUR_LATER))).isEmpty();
        assertThat(rapid().feed(move(A, HEALTHY, WARNING, T0), move(A, WARNING, MARGIN_CALL, AN_HOUR_LATER - 1)))
                .hasSize(1);
    }

    @Test
    void theWindowIsAParameter() throws Exception {
        Driver halfHour = rapid(Duration.ofMinutes(30));

        assertThat(halfHour.feed(move(A, HEALTHY, WARNING, T0), move(A, WARNING, MARGIN_CALL, FORTY_MINUTES_LATER))).isEmpty();
        for (Duration invalid : new Duration[] {null, Duration.ZERO, Duration.ofMinutes(-1)}) {
            assertThatThrownBy(() -> BandChangePatterns.rapidDeterioration(invalid)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> BandChangePatterns.repeatedMarginCalls(invalid)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"HEALTHY, LIQUIDATION", "HEALTHY, MARGIN_CALL", "WARNING, LIQUIDATION"})
    void oneChangeThatSkipsABandFlagsOnItsOwn(Band from, Band to) throws Exception {
        BandChange jump = move(A, from, to, T0);

        List<RiskFlag> flags = rapid().feed(jump);

        assertThat(flags).hasSize(1);
        assertThat(path(flags.get(0))).containsExactly(tuple(from, to, T0));
        assertThat(flags.get(0).eventId()).isEqualTo(EventIds.of(RiskFlag.RAPID_DETERIORATION, A, T0, jump.cause()));
    }

    @Test
    void warningToMarginCallWithNoRecentEntryIntoWarningIsTheOrdinaryPath() throws Exception {
        // The first change seen, or one long after the facility entered WARNING.
        assertThat(rapid().feed(move(A, WARNING, MARGIN_CALL, T0))).isEmpty();
        assertThat(rapid().feed(move(A, MARGIN_CALL, LIQUIDATION, T0))).isEmpty();
    }

    @Test
    void aStartFollowedByABandSkippingChangeFlagsOnceWithBothChanges() throws Exception {
        // Completes the two-change and the one-change reading on the same event: the skip strategy keeps one.
        List<RiskFlag> flags = rapid().feed(move(A, HEALTHY, WARNING, T0), move(A, WARNING, LIQUIDATION, TEN_MINUTES_LATER));

        assertThat(flags).hasSize(1);
        assertThat(path(flags.get(0))).containsExactly(tuple(HEALTHY, WARNING, T0), tuple(WARNING, LIQUIDATION, TEN_MINUTES_LATER));
    }

    @Test
    void aWobbleFlagsEachReEntryIntoMarginCallThatFollowsARecentEntryIntoWarning() throws Exception {
        // In WARNING for long: the first call is ordinary; the cure and the call 15 minutes later are rapid.
        List<RiskFlag> wobble = rapid().feed(
                move(A, WARNING, MARGIN_CALL, T0),
                move(A, MARGIN_CALL, WARNING, FIFTEEN_MINUTES_LATER),
                move(A, WARNING, MARGIN_CALL, HALF_AN_HOUR_LATER));

        assertThat(wobble).hasSize(1);
        assertThat(path(wobble.get(0)))
                .containsExactly(
                        tuple(MARGIN_CALL, WARNING, FIFTEEN_MINUTES_LATER), tuple(WARNING, MARGIN_CALL, HALF_AN_HOUR_LATER));

        // Entered WARNING ten minutes before the first call: both calls are rapid, each flags once.
        List<RiskFlag> fromHealthy = rapid().feed(
                move(A, HEALTHY, WARNING, T0 - 10 * MINUTE),
                move(A, WARNING, MARGIN_CALL, T0),
                move(A, MARGIN_CALL, WARNING, FIFTEEN_MINUTES_LATER),
                move(A, WARNING, MARGIN_CALL, HALF_AN_HOUR_LATER));

        assertThat(fromHealthy).extracting(RiskFlag::eventTime).containsExactly(T0, HALF_AN_HOUR_LATER);
        assertThat(path(fromHealthy.get(0)))
                .containsExactly(tuple(HEALTHY, WARNING, T0 - 10 * MINUTE), tuple(WARNING, MARGIN_CALL, T0));
        assertThat(path(fromHealthy.get(1))).isEqualTo(path(wobble.get(0)));
    }

    @Test
    void flappingBeforeTheCallFlagsOnceWithTheAdjacentEntryIntoWarning() throws Exception {
        List<RiskFlag> flags = rapid().feed(
                move(A, HEALTHY, WARNING, T0),
                move(A, WARNING, HEALTHY, TEN_MINUTES_LATER),
                move(A, HEALTHY, WARNING, TWENTY_MINUTES_LATER),
                move(A, WARNING, MARGIN_CALL, FORTY_MINUTES_LATER));

        assertThat(flags).hasSize(1);
        assertThat(path(flags.get(0)))
                .containsExactly(tuple(HEALTHY, WARNING, TWENTY_MINUTES_LATER), tuple(WARNING, MARGIN_CALL, FORTY_MINUTES_LATER));
    }

    // --- REPEATED_MARGIN_CALLS

    @Test
    void threeMarginCallsInSixDaysFlag() throws Exception {
        BandChange first = move(A, WARNING, MARGIN_CALL, T0);
        BandChange second = move(A, WARNING, MARGIN_CALL, T0 + 3 * DAY);
        BandChange third = move(A, WARNING, MARGIN_CALL, T0 + 6 * DAY);

        List<RiskFlag> flags = repeated().feed(
                first,
                move(A, MARGIN_CALL, WARNING, T0 + DAY),
                second,
                move(A, MARGIN_CALL, WARNING, T0 + 4 * DAY),
                move(A, WARNING, HEALTHY, T0 + 5 * DAY),
                move(A, HEALTHY, WARNING, T0 + 6 * DAY - HOUR),
                third);

        assertThat(flags).hasSize(1);
        RiskFlag flag = flags.get(0);
        assertThat(flag.type()).isEqualTo(RiskFlag.REPEATED_MARGIN_CALLS);
        assertThat(flag.eventTime()).isEqualTo(T0 + 6 * DAY);
        assertThat(flag.changes()).extracting(MatchedChange::cause).containsExactly(first.cause(), second.cause(), third.cause());
        assertThat(flag.recipients()).containsExactly("lender");
        assertThat(flag.eventId())
                .isEqualTo(EventIds.of(
                        RiskFlag.REPEATED_MARGIN_CALLS,
                        A,
                        T0 + 6 * DAY,
                        first.cause() + "," + second.cause() + "," + third.cause()));
    }

    @Test
    void threeMarginCallsInEightDaysDoNotFlag() throws Exception {
        assertThat(repeated().feed(calls(A, 0, 4, 8))).isEmpty();
    }

    @Test
    void threeMarginCallsExactlySevenDaysApartDoNotFlag() throws Exception {
        assertThat(repeated().feed(calls(A, 0, 3, 7))).isEmpty();
    }

    @Test
    void fourMarginCallsInSevenDaysFlagOnceAndSixFlagTwice() throws Exception {
        Driver driver = repeated();

        List<RiskFlag> afterFour = driver.feed(calls(A, 0, 1, 2, 3));
        List<RiskFlag> afterSix = driver.feed(calls(A, 4, 5));

        assertThat(afterFour).extracting(RiskFlag::eventTime).containsExactly(T0 + 2 * DAY);
        assertThat(afterSix).extracting(RiskFlag::eventTime).containsExactly(T0 + 5 * DAY);
        assertThat(times(afterSix.get(0))).containsExactly(T0 + 3 * DAY, T0 + 4 * DAY, T0 + 5 * DAY);
    }

    @Test
    void theSevenDayWindowSlides() throws Exception {
        List<RiskFlag> flags = repeated().feed(calls(A, 0, 5, 8, 9));

        assertThat(flags).hasSize(1);
        assertThat(times(flags.get(0))).containsExactly(T0 + 5 * DAY, T0 + 8 * DAY, T0 + 9 * DAY);
    }

    @Test
    void onlyMarginCallsIssuedCount() throws Exception {
        List<RiskFlag> flags = repeated().feed(
                move(A, WARNING, MARGIN_CALL, T0),
                move(A, MARGIN_CALL, LIQUIDATION, T0 + DAY),
                move(A, LIQUIDATION, MARGIN_CALL, "LIQUIDATION_EXECUTED", T0 + DAY + HOUR),
                move(A, MARGIN_CALL, WARNING, T0 + 2 * DAY),
                move(A, WARNING, LIQUIDATION, T0 + 3 * DAY),
                move(A, LIQUIDATION, WARNING, "LIQUIDATION_EXECUTED", T0 + 3 * DAY + HOUR),
                move(A, WARNING, MARGIN_CALL, T0 + 4 * DAY));

        assertThat(flags).isEmpty();
    }

    // --- ids

    @Test
    void theSameInputGivesTheSameFlagsAndIds() throws Exception {
        BandChange[] day = {
            move(A, HEALTHY, WARNING, T0),
            move(A, WARNING, MARGIN_CALL, TWENTY_MINUTES_LATER),
            move(A, MARGIN_CALL, WARNING, FORTY_MINUTES_LATER),
            move(A, WARNING, LIQUIDATION, FIFTY_MINUTES_LATER),
        };

        List<RiskFlag> once = rapid().feed(day);
        List<RiskFlag> again = rapid().feed(day);

        assertThat(once).hasSize(2);
        assertThat(again).isEqualTo(once);
        assertThat(once).extracting(RiskFlag::eventId).doesNotHaveDuplicates();
    }

    // --- on the CEP operator: keyed, in event time, restored

    @Test
    void changesOfTwoFacilitiesDoNotCombine() throws Exception {
        try (var h = rapidOperator()) {
            // One facility enters WARNING, another is called: one facility would make a rapid deterioration.
            send(h, move(A, HEALTHY, WARNING, T0), move(B, WARNING, MARGIN_CALL, TEN_MINUTES_LATER));
            h.processWatermark(AN_HOUR_LATER);
            assertThat(h.extractOutputValues()).isEmpty();
        }
        try (var h = repeatedOperator()) {
            send(h, calls(A, 0));
            send(h, calls(B, 1));
            send(h, calls(A, 2));
            h.processWatermark(T0 + 3 * DAY);
            assertThat(h.extractOutputValues()).isEmpty();

            send(h, calls(A, 4));
            h.processWatermark(T0 + 5 * DAY);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(flag -> {
                        assertThat(flag.facilityId()).isEqualTo(A);
                        assertThat(times(flag)).containsExactly(T0, T0 + 2 * DAY, T0 + 4 * DAY);
                    });
        }
    }

    @Test
    void changesArrivingOutOfOrderAreMatchedInEventTimeOrder() throws Exception {
        try (var h = rapidOperator()) {
            send(h, move(A, WARNING, MARGIN_CALL, FORTY_MINUTES_LATER), move(A, HEALTHY, WARNING, T0));
            h.processWatermark(FORTY_MINUTES_LATER);

            assertThat(h.extractOutputValues()).singleElement().satisfies(flag -> assertThat(path(flag))
                    .containsExactly(tuple(HEALTHY, WARNING, T0), tuple(WARNING, MARGIN_CALL, FORTY_MINUTES_LATER)));
        }
    }

    @Test
    void partialMatchesSurviveARestore() throws Exception {
        var rapidPattern = BandChangePatterns.rapidDeterioration(DEFAULT_RAPID_WINDOW);
        var repeatedPattern = BandChangePatterns.repeatedMarginCalls(DEFAULT_REPEATED_WINDOW);
        BandChange[] before = {move(A, HEALTHY, WARNING, T0 + 2 * DAY)};
        BandChange[] after = {move(A, WARNING, MARGIN_CALL, T0 + 2 * DAY + 40 * MINUTE)};
        BandChange[] callsBefore = calls(A, 0, 1);
        BandChange[] callsAfter = calls(A, 2);

        List<RiskFlag> uninterrupted = new ArrayList<>();
        try (var h = operator(rapidPattern, BandChangePatterns.rapidDeteriorationFlags())) {
            send(h, before);
            send(h, after);
            h.processWatermark(T0 + 3 * DAY);
            uninterrupted.addAll(h.extractOutputValues());
        }

        OperatorSubtaskState rapidSnapshot;
        OperatorSubtaskState repeatedSnapshot;
        try (var h = operator(rapidPattern, BandChangePatterns.rapidDeteriorationFlags())) {
            send(h, before);
            h.processWatermark(T0 + 2 * DAY);
            rapidSnapshot = h.snapshot(1L, T0 + 2 * DAY);
        }
        try (var h = operator(repeatedPattern, BandChangePatterns.repeatedMarginCallFlags())) {
            send(h, callsBefore);
            h.processWatermark(T0 + DAY);
            repeatedSnapshot = h.snapshot(1L, T0 + DAY);
        }

        try (var h = restore(rapidPattern, BandChangePatterns.rapidDeteriorationFlags(), rapidSnapshot)) {
            send(h, after);
            h.processWatermark(T0 + 3 * DAY);
            assertThat(h.extractOutputValues()).isEqualTo(uninterrupted).hasSize(1);
        }
        try (var h = restore(repeatedPattern, BandChangePatterns.repeatedMarginCallFlags(), repeatedSnapshot)) {
            send(h, callsAfter);
            h.processWatermark(T0 + 3 * DAY);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(flag -> assertThat(times(flag)).containsExactly(T0, T0 + DAY, T0 + 2 * DAY));
        }
    }

    // --- the graph

    @Test
    void applyFlagsPerFacilityOnAMiniCluster() throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        List<BandChange> input = List.of(
                move(A, HEALTHY, WARNING, T0),
                move(B, WARNING, MARGIN_CALL, T0),
                move(A, WARNING, MARGIN_CALL, FORTY_MINUTES_LATER),
                move(B, MARGIN_CALL, WARNING, T0 + DAY),
                move(B, WARNING, MARGIN_CALL, T0 + 2 * DAY),
                move(B, MARGIN_CALL, WARNING, T0 + 3 * DAY),
                move(B, WARNING, MARGIN_CALL, T0 + 4 * DAY));
        DataStream<BandChange> changes = env.fromData(input)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<BandChange>forMonotonousTimestamps().withTimestampAssigner((c, ts) -> c.eventTime()));

        List<RiskFlag> flags = new ArrayList<>();
        DataStream<RiskFlag> out = BandChangePatterns.apply(changes, DEFAULT_RAPID_WINDOW);
        try (CloseableIterator<RiskFlag> it = out.executeAndCollect()) {
            it.forEachRemaining(flags::add);
        }

        assertThat(flags)
                .extracting(RiskFlag::type, RiskFlag::facilityId, RiskFlag::eventTime)
                .containsExactlyInAnyOrder(
                        tuple(RiskFlag.RAPID_DETERIORATION, A, FORTY_MINUTES_LATER),
                        tuple(RiskFlag.REPEATED_MARGIN_CALLS, B, T0 + 4 * DAY));
    }

    @Test
    void applyGivesEachCepOperatorItsStableUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<BandChange> changes = env.fromData(move(A, HEALTHY, WARNING, T0));

        DataStream<RiskFlag> flags = BandChangePatterns.apply(changes, DEFAULT_RAPID_WINDOW);

        assertThat(flags.getTransformation().getInputs())
                .extracting(Transformation::getUid)
                .containsExactlyInAnyOrder("cep-rapid-deterioration", "cep-repeated-margin-calls");
    }

    @Test
    void flagsAndChangesSerializeAsPojosWithoutKryo() {
        // The job runs with pipeline.generic-types: false; CEP keeps band changes in its shared buffer.
        assertSerializedAsPojoWithoutKryo(BandChange.class);
        assertSerializedAsPojoWithoutKryo(RiskFlag.class);
        assertSerializedAsPojoWithoutKryo(MatchedChange.class);
    }

    // --- fixtures

    private static BandChange move(String facility, Band from, Band to, long t) {
        return move(facility, from, to, eventType(from, to), t);
    }

    private static BandChange move(String facility, Band from, Band to, String eventType, long t) {
        String cause = EventIds.of(eventType, facility, t, "fixture");
        return new BandChange(facility, "borrower-" + facility, "BTC-USD", "standard", t, from, to, eventType, cause);
    }

    /** The lifecycle event that reports a move, as the state machine names it. */
    private static String eventType(Band from, Band to) {
        if (!to.worseThan(from)) {
            return switch (to) {
                case HEALTHY -> "LTV_HEALTHY";
                case WARNING -> from == MARGIN_CALL ? "MARGIN_CALL_CURED" : "LTV_WARNING";
                default -> throw new IllegalArgumentException("name the event that reports " + from + " -> " + to);
            };
        }
        return switch (to) {
            case WARNING -> "LTV_WARNING";
            case MARGIN_CALL -> "MARGIN_CALL_ISSUED";
            case LIQUIDATION -> "LIQUIDATION_TRIGGERED";
            default -> throw new IllegalArgumentException(from + " -> " + to);
        };
    }

    /** WARNING -> MARGIN_CALL on each of the given days after T0. */
    private static BandChange[] calls(String facility, int... days) {
        BandChange[] calls = new BandChange[days.length];
        for (int i = 0; i < days.length; i++) {
            calls[i] = move(facility, WARNING, MARGIN_CALL, T0 + days[i] * DAY);
        }
        return calls;
    }

    private static List<Long> times(RiskFlag flag) {
        return flag.changes().stream().map(MatchedChange::eventTime).toList();
    }

    private static List<org.assertj.core.groups.Tuple> path(RiskFlag flag) {
        List<org.assertj.core.groups.Tuple> path = new ArrayList<>();
        for (MatchedChange c : flag.changes()) {
            path.add(tuple(c.from(), c.to(), c.eventTime()));
        }
        return path;
    }

    private static Driver rapid() {
        return rapid(DEFAULT_RAPID_WINDOW);
    }

    private static Driver rapid(Duration window) {
        return new Driver(BandChangePatterns.rapidDeterioration(window), BandChangePatterns.rapidDeteriorationFlags());
    }

    private static Driver repeated() {
        return new Driver(
                BandChangePatterns.repeatedMarginCalls(DEFAULT_REPEATED_WINDOW), BandChangePatterns.repeatedMarginCallFlags());
    }

    /**
     * One facility's NFA, driven as the CEP operator drives it in event time: for each change in
     * time order, prune what the change's time has timed out, then process the change, with the
     * pattern's own skip strategy; matches become flags through the production function.
     */
    private static final class Driver {

        private final NFA<BandChange> nfa;
        private final NFAState state;
        private final SharedBuffer<BandChange> buffer = new SharedBuffer<>(new HeapKeyedStateStore(), SERIALIZER);
        private final AfterMatchSkipStrategy skip;
        private final BandChangePatterns.ToRiskFlag toFlag;

        Driver(Pattern<BandChange, ?> pattern, BandChangePatterns.ToRiskFlag toFlag) {
            this.nfa = NFACompiler.compileFactory(pattern, false).createNFA();
            this.state = nfa.createInitialNFAState();
            this.skip = pattern.getAfterMatchSkipStrategy();
            this.toFlag = toFlag;
        }

        List<RiskFlag> feed(BandChange... changes) throws Exception {
            List<Map<String, List<BandChange>>> matches = new ArrayList<>();
            for (BandChange c : changes) {
                try (SharedBufferAccessor<BandChange> accessor = buffer.getAccessor()) {
                    matches.addAll(nfa.advanceTime(accessor, state, c.eventTime(), skip).f0);
                    matches.addAll(nfa.process(accessor, state, c, c.eventTime(), skip, c::eventTime));
                }
            }
            List<RiskFlag> flags = new ArrayList<>();
            for (Map<String, List<BandChange>> match : matches) {
                toFlag.processMatch(match, null, new ListCollector<>(flags));
            }
            return flags;
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, BandChange, RiskFlag> rapidOperator() throws Exception {
        return operator(
                BandChangePatterns.rapidDeterioration(DEFAULT_RAPID_WINDOW), BandChangePatterns.rapidDeteriorationFlags());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, BandChange, RiskFlag> repeatedOperator() throws Exception {
        return operator(
                BandChangePatterns.repeatedMarginCalls(DEFAULT_REPEATED_WINDOW), BandChangePatterns.repeatedMarginCallFlags());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, BandChange, RiskFlag> operator(
            Pattern<BandChange, ?> pattern, BandChangePatterns.ToRiskFlag toFlag) throws Exception {
        var h = unopened(pattern, toFlag);
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, BandChange, RiskFlag> restore(
            Pattern<BandChange, ?> pattern, BandChangePatterns.ToRiskFlag toFlag, OperatorSubtaskState snapshot) throws Exception {
        var h = unopened(pattern, toFlag);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, BandChange, RiskFlag> unopened(
            Pattern<BandChange, ?> pattern, BandChangePatterns.ToRiskFlag toFlag) throws Exception {
        boolean processingTime = false;
        CepOperator<BandChange, String, RiskFlag> cep = new CepOperator<>(
                SERIALIZER,
                processingTime,
                NFACompiler.compileFactory(pattern, false),
                null,
                pattern.getAfterMatchSkipStrategy(),
                toFlag,
                null);
        return new KeyedOneInputStreamOperatorTestHarness<>(cep, BandChange::facilityId, Types.STRING);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, BandChange, RiskFlag> h, BandChange... changes)
            throws Exception {
        for (BandChange c : changes) {
            h.processElement(new StreamRecord<>(c, c.eventTime()));
        }
    }

    /**
     * Keyed state on plain maps, for one key: all a {@link SharedBuffer} needs (map state), so the
     * NFA runs without an operator or Flink's test jar.
     */
    private static final class HeapKeyedStateStore implements KeyedStateStore {

        @Override
        public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
            return new HeapMapState<>();
        }

        @Override
        public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
            throw new UnsupportedOperationException("value state");
        }

        @Override
        public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
            throw new UnsupportedOperationException("list state");
        }

        @Override
        public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
            throw new UnsupportedOperationException("reducing state");
        }

        @Override
        public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
            throw new UnsupportedOperationException("aggregating state");
        }

        @Override
        public <T> org.apache.flink.api.common.state.v2.ValueState<T> getValueState(
                org.apache.flink.api.common.state.v2.ValueStateDescriptor<T> descriptor) {
            throw new UnsupportedOperationException("state v2");
        }

        @Override
        public <T> org.apache.flink.api.common.state.v2.ListState<T> getListState(
                org.apache.flink.api.common.state.v2.ListStateDescriptor<T> descriptor) {
            throw new UnsupportedOperationException("state v2");
        }

        @Override
        public <UK, UV> org.apache.flink.api.common.state.v2.MapState<UK, UV> getMapState(
                org.apache.flink.api.common.state.v2.MapStateDescriptor<UK, UV> descriptor) {
            throw new UnsupportedOperationException("state v2");
        }

        @Override
        public <T> org.apache.flink.api.common.state.v2.ReducingState<T> getReducingState(
                org.apache.flink.api.common.state.v2.ReducingStateDescriptor<T> descriptor) {
            throw new UnsupportedOperationException("state v2");
        }

        @Override
        public <IN, ACC, OUT> org.apache.flink.api.common.state.v2.AggregatingState<IN, OUT> getAggregatingState(
                org.apache.flink.api.common.state.v2.AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
            throw new UnsupportedOperationException("state v2");
        }
    }

    private static final class HeapMapState<K, V> implements MapState<K, V> {

        private final Map<K, V> map = new HashMap<>();

        @Override
        public V get(K key) {
            return map.get(key);
        }

        @Override
        public void put(K key, V value) {
            map.put(key, value);
        }

        @Override
        public void putAll(Map<K, V> all) {
            map.putAll(all);
        }

        @Override
        public void remove(K key) {
            map.remove(key);
        }

        @Override
        public boolean contains(K key) {
            return map.containsKey(key);
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() {
            return map.entrySet();
        }

        @Override
        public Iterable<K> keys() {
            return map.keySet();
        }

        @Override
        public Iterable<V> values() {
            return map.values();
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return map.entrySet().iterator();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public void clear() {
            map.clear();
        }
    }
}
