package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.KeyGroupKeys;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The portfolio operator moves state in and out of {@link PortfolioBook} on the price clock:
 * events wait for the clock or are applied late, prices move portfolios, and a restore or a
 * rescale gives the same events as a run that never stopped.
 */
class PortfolioOperatorTest {

    private static final RiskConfig CONFIG = ConfigLoader.parse("""
            assets:
              SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}
            pairs: {ETH-USD: {}}
            """);
    private static final int MAX = KeyGroupKeys.MAX_PARALLELISM;
    private static final String PAIR = "BTC-USD";
    /** 2024-03-01T12:00:00Z and named instants after it. */
    private static final long NOON = 1_709_294_400_000L;
    private static final long T1 = NOON + 1_000;
    private static final long T2 = NOON + 2_000;
    private static final long T3 = NOON + 3_000;
    private static final long T4 = NOON + 4_000;

    private PortfolioOperator operator;

    // ------------------------------------------------------------------ clock

    @Test
    void anEventAheadOfTheClockWaitsAndAPriceAtItsInstantSeesIt() throws Exception {
        try (var h = harness(1, 0, null)) {
            price(h, NOON, "10000");
            watermark(h, NOON);
            // 1 BTC (8000 virtual USD at 10000) against 7000 USD: 0.875, solvent. At 9600: 7680, 0.911, at risk.
            event(h, install("W-1", 0, "P-1", "1", "7000", 1, T1));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            price(h, T1, "9600");
            assertThat(h.extractOutputValues()).isEmpty();
            watermark(h, T1);
            List<SolvencyEvent> out = h.extractOutputValues();
            // The install at T1 applied before the evaluation at T1, which moved the portfolio.
            assertThat(out).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_AT_RISK");
            assertThat(out.get(0).cause()).isEqualTo(EventIds.evaluationId(PAIR, T1));
            assertThat(out.get(0).appliedLate()).isFalse();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void anEventTheClockHasPassedIsAppliedAtOnceAndMarkedLate() throws Exception {
        try (var h = harness(1, 0, null)) {
            price(h, NOON, "10000");
            watermark(h, T2);
            event(h, install("W-1", 0, "P-1", "1", "9000", 1, T1));
            List<SolvencyEvent> out = h.extractOutputValues();
            // 9000 against 8000 virtual: insolvent at once, and an install that did it.
            assertThat(out).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_INSOLVENT", SolvencyEvent.ACTION_WOULD_BE_INSOLVENT);
            assertThat(out).allSatisfy(e -> {
                assertThat(e.appliedLate()).isTrue();
                assertThat(e.eventTime()).isEqualTo(T1);
                assertThat(e.cause()).isEqualTo("P-1@1");
            });
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void pricesMoveAPortfolioToAtRiskThenInsolventAndBack() throws Exception {
        try (var h = harness(1, 0, null)) {
            priceAndClock(h, NOON, "10000");
            event(h, install("W-1", 2, "P-1", "1", "7000", 1, T1));
            priceAndClock(h, T1, "10000");
            assertThat(h.extractOutputValues()).isEmpty();
            priceAndClock(h, T2, "9600");
            priceAndClock(h, T3, "8000");
            priceAndClock(h, T4, "9000");
            priceAndClock(h, T4 + 1_000, "12000");
            assertThat(h.extractOutputValues()).extracting(SolvencyEvent::type, SolvencyEvent::state, SolvencyEvent::previousState)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("PORTFOLIO_AT_RISK", "AT_RISK", "SOLVENT"),
                            org.assertj.core.groups.Tuple.tuple("PORTFOLIO_INSOLVENT", "INSOLVENT", "AT_RISK"),
                            // 7200 virtual against 7000: 0.972, below 0.99 (1 less hysteresis): at risk again.
                            org.assertj.core.groups.Tuple.tuple("PORTFOLIO_AT_RISK", "AT_RISK", "INSOLVENT"),
                            org.assertj.core.groups.Tuple.tuple("PORTFOLIO_SOLVENT", "SOLVENT", "AT_RISK"));
            SolvencyEvent insolvent = h.extractOutputValues().get(1);
            assertThat(insolvent.eventId()).isEqualTo(SolvencyEvent.eventId("PORTFOLIO_INSOLVENT", "W-1", 2, T3, EventIds.evaluationId(PAIR, T3)));
            assertThat(insolvent.tokens()).filteredOn(t -> t.token().equals("BTC")).singleElement()
                    .satisfies(t -> assertThat(t.evaluationId()).isEqualTo(EventIds.evaluationId(PAIR, T3)));
            assertThat(insolvent.positions()).containsExactly(new SolvencyEvent.PositionVersion("P-1", 1));
        }
    }

    /** BTC and ETH fall at one instant: together (not either alone) they put the portfolio at risk. */
    @ParameterizedTest
    @CsvSource({"BTC-USD, ETH-USD", "ETH-USD, BTC-USD"})
    void evaluationsOfOneInstantApplyTogetherWhateverTheirArrivalOrder(String first, String second) throws Exception {
        try (var h = harness(1, 0, null)) {
            h.processElement1(quote("BTC-USD", NOON, "10000"), NOON);
            h.processElement1(quote("ETH-USD", NOON, "1000"), NOON);
            watermark(h, NOON);
            // 8000 + 7692.31 virtual USD against 12000: 0.765.
            event(h, new PortfolioInput(new PositionInstalled(NOON, "W-1", 0, "P-1", "amm", new PositionBalances(
                    Map.of("BTC", new BigDecimal("1"), "ETH", new BigDecimal("10")), Map.of("USD", new BigDecimal("12000")), Map.of()), 1),
                    null, null, null, "l", "{}"));
            Map<String, String> at = Map.of("BTC-USD", "8000", "ETH-USD", "800");
            h.processElement1(quote(first, T1, at.get(first)), T1);
            h.processElement1(quote(second, T1, at.get(second)), T1);
            watermark(h, T1);
            // BTC alone gives 0.85, ETH alone 0.848: only both at once reach 0.90 (6400 + 6153.85 against 12000: 0.956).
            assertThat(h.extractOutputValues()).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo("PORTFOLIO_AT_RISK");
                assertThat(e.tokens()).extracting(SolvencyEvent.TokenBalance::token, SolvencyEvent.TokenBalance::evaluationId)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("BTC", EventIds.evaluationId("BTC-USD", T1)),
                                org.assertj.core.groups.Tuple.tuple("ETH", EventIds.evaluationId("ETH-USD", T1)),
                                org.assertj.core.groups.Tuple.tuple("USD", null));
            });
        }
    }

    @Test
    void staleRecordsAreCountedAndRefusedOnesDeadLettered() throws Exception {
        try (var h = harness(1, 0, null)) {
            price(h, NOON, "10000");
            watermark(h, NOON);
            event(h, install("W-1", 0, "P-1", "1", "1000", 3, T1));
            event(h, install("W-1", 0, "P-1", "1", "1000", 2, T1));
            event(h, new PortfolioInput(null, null, new PositionUninstalled(T1, "W-1", 0, "P-9", 1), null, "portfolio-events.jsonl:3", "{}"));
            event(h, new PortfolioInput(null, null, null,
                    new PositionRecordRefused(T1, "W-1", "P-2", 1, "POSITION_INSTALLED", "UNKNOWN_TOKEN", "token 'DOGE'"),
                    "portfolio-events.jsonl:4", "{\"token\":\"DOGE\"}"));
            watermark(h, T1);
            // Version 2 after version 3: a counted no-op, with nothing emitted and nothing dead-lettered.
            assertThat(operator.staleEvents()).isEqualTo(1);
            assertThat(h.extractOutputValues()).isEmpty();
            List<DeadLetter> refused = h.getSideOutput(PortfolioOperator.REFUSED).stream().map(StreamRecord::getValue).toList();
            assertThat(refused).extracting(DeadLetter::reason, DeadLetter::location)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("UNKNOWN_POSITION", "portfolio-events.jsonl:3"),
                            org.assertj.core.groups.Tuple.tuple("UNKNOWN_TOKEN", "portfolio-events.jsonl:4"));
            assertThat(refused).allSatisfy(d -> assertThat(d.topic()).isEqualTo(Topics.PORTFOLIO_EVENTS));
            assertThat(refused.get(1).payload()).isEqualTo("{\"token\":\"DOGE\"}");
        }
    }

    // ------------------------------------------------------------------ restore and rescale

    /** A book of wallets on both sides of prices: every shard, several portfolios, a tail token. */
    private static List<PortfolioInput> book() {
        List<PortfolioInput> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String wallet = String.format("W-%04d", i);
            // Debts from 6000 to 8990 against 1 BTC: they cross the thresholds at different prices.
            events.add(install(wallet, i % 8, "P-" + i, "1", Integer.toString(6_000 + i * 10), 1, NOON));
            if (i % 7 == 0) {
                events.add(new PortfolioInput(new PositionInstalled(NOON, wallet, 7, "T-" + i, "amm",
                        new PositionBalances(Map.of("SOL", new BigDecimal("2")), Map.of("SOL", new BigDecimal("1.2")), Map.of()), 1),
                        null, null, null, "portfolio-events.jsonl:" + i, "{}"));
            }
        }
        return events;
    }

    /** Before the savepoint: the book, prices at NOON and T1 applied; an update ahead of the clock; a price at T2 waiting. */
    private static void before(List<Harness> subtasks) throws Exception {
        price(subtasks, NOON, "10000");
        for (PortfolioInput e : book()) {
            send(subtasks, e);
        }
        watermark(subtasks, NOON);
        price(subtasks, T1, "9300");
        watermark(subtasks, T1);
        send(subtasks, new PortfolioInput(null, new PositionUpdated(T3, "W-0007", 7, "P-7",
                new PositionBalances(Map.of("BTC", new BigDecimal("1")), Map.of("USD", new BigDecimal("9500")), Map.of()), 2),
                null, null, "portfolio-events.jsonl:x", "{}"));
        price(subtasks, T2, "8600");
    }

    private static void after(List<Harness> subtasks) throws Exception {
        watermark(subtasks, T2);
        price(subtasks, T3, "9100");
        watermark(subtasks, T3);
        // Behind the clock now: applied at once, late.
        send(subtasks, new PortfolioInput(null, new PositionUpdated(T1, "W-0014", 6, "P-14",
                new PositionBalances(Map.of("BTC", new BigDecimal("1")), Map.of("USD", new BigDecimal("9900")), Map.of()), 2),
                null, null, "late", "{}"));
        price(subtasks, T4, "12000");
        watermark(subtasks, T4);
    }

    private static List<SolvencyEvent> sorted(List<Harness> subtasks) {
        List<SolvencyEvent> all = new ArrayList<>();
        subtasks.forEach(h -> all.addAll(h.h.extractOutputValues()));
        all.sort(Comparator.comparingLong(SolvencyEvent::eventTime).thenComparing(SolvencyEvent::wallet)
                .thenComparing(SolvencyEvent::eventId));
        return all;
    }

    private List<SolvencyEvent> straight(int parallelism) throws Exception {
        List<Harness> subtasks = subtasks(parallelism, null, 0);
        before(subtasks);
        after(subtasks);
        List<SolvencyEvent> out = sorted(subtasks);
        for (Harness h : subtasks) {
            h.h.close();
        }
        return out;
    }

    /**
     * A shard keeps its quotes and clock in memory between snapshots: a snapshot must carry them. A
     * restored shard values an update at the price it had, and an update its clock had passed is late,
     * before any price or watermark reaches the restored operator.
     */
    @Test
    void aRestoredShardKeepsTheQuoteAndClockItHadBeforeAnyNewPrice() throws Exception {
        OperatorSubtaskState saved;
        try (var h = harness(1, 0, null)) {
            priceAndClock(h, NOON, "10000");
            event(h, install("W-1", 0, "P-1", "1", "7000", 1, T1));
            priceAndClock(h, T1, "10000");
            assertThat(h.extractOutputValues()).isEmpty();
            saved = h.snapshot(1L, 0L);
        }
        try (var h = harness(1, 0, saved)) {
            // 7500 against 8000 virtual at the restored 10000: 0.9375, at risk.
            event(h, new PortfolioInput(null, new PositionUpdated(NOON + 500, "W-1", 0, "P-1",
                    new PositionBalances(Map.of("BTC", new BigDecimal("1")), Map.of("USD", new BigDecimal("7500")), Map.of()), 2),
                    null, null, "portfolio-events.jsonl:late", "{}"));
            List<SolvencyEvent> out = h.extractOutputValues();
            assertThat(out).extracting(SolvencyEvent::type).containsExactly("PORTFOLIO_AT_RISK");
            assertThat(out.get(0).appliedLate()).as("behind the restored clock").isTrue();
            assertThat(out.get(0).tokens()).filteredOn(t -> t.token().equals("BTC")).singleElement()
                    .satisfies(t -> assertThat(t.evaluationId()).isEqualTo(EventIds.evaluationId(PAIR, T1)));
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "2, 1", "1, 2", "2, 3"})
    void aRestoreAtAnyParallelismGivesTheSameEventsAsARunThatNeverStopped(int from, int to) throws Exception {
        List<SolvencyEvent> expected = straight(1);
        assertThat(expected).extracting(SolvencyEvent::type)
                .contains("PORTFOLIO_AT_RISK", "PORTFOLIO_INSOLVENT", "PORTFOLIO_SOLVENT");
        assertThat(expected).anySatisfy(e -> assertThat(e.appliedLate()).isTrue());
        assertThat(straight(2)).isEqualTo(expected);

        List<Harness> first = subtasks(from, null, 0);
        before(first);
        List<SolvencyEvent> out = sorted(first);
        OperatorSubtaskState[] states = new OperatorSubtaskState[from];
        for (int i = 0; i < from; i++) {
            states[i] = first.get(i).h.snapshot(1L, 0L);
            first.get(i).h.close();
        }
        OperatorSubtaskState saved = AbstractStreamOperatorTestHarness.repackageState(states);
        List<Harness> second = subtasks(to, saved, from);
        after(second);
        out.addAll(sorted(second));
        out.sort(Comparator.comparingLong(SolvencyEvent::eventTime).thenComparing(SolvencyEvent::wallet).thenComparing(SolvencyEvent::eventId));
        for (Harness h : second) {
            h.h.close();
        }
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void stateAndInputsAreFlinkPojosThatSurviveARoundTrip() throws IOException {
        for (Class<?> type : List.of(StoredWallet.class, PortfolioInput.class, QuoteUpdate.class, SolvencyEvent.class)) {
            assertThat(TypeInformation.of(type)).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
        }
        PortfolioBook book = new PortfolioBook(CONFIG, "dev");
        book.apply(install("W-1", 3, "P-1", "1", "7000", 4, NOON).event(), false);
        book.apply(install("W-1", 3, "P-2", "0.5", "10", 1, NOON).event(), false);
        book.apply(new PositionUninstalled(NOON, "W-1", 3, "P-2", 2), false);
        StoredWallet stored = book.exportWallet("W-1");
        assertThat(roundTrip(stored, StoredWallet.class)).isEqualTo(stored);
        PortfolioInput in = install("W-1", 3, "P-1", "1", "7000", 4, NOON);
        assertThat(roundTrip(in, PortfolioInput.class)).isEqualTo(in);
        QuoteUpdate unavailable = new QuoteUpdate(PAIR, NOON, "e", null);
        assertThat(roundTrip(unavailable, QuoteUpdate.class)).isEqualTo(unavailable);
    }

    @Test
    void walletShardsAreOnePerKeyGroup() {
        List<String> keys = KeyGroupKeys.portfolioShardKeys();
        assertThat(keys).hasSize(MAX).doesNotHaveDuplicates();
        for (int shard = 0; shard < MAX; shard++) {
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(keys.get(shard), MAX)).isEqualTo(shard);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value, Class<T> type) throws IOException {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    // ------------------------------------------------------------------ helpers

    /** The keyed state backend the harnesses run on. */
    StateBackend stateBackend() {
        return new HashMapStateBackend();
    }

    private record Harness(int subtask, int parallelism, KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> h) {

        boolean owns(String key) {
            return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX, parallelism) == subtask;
        }
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> harness(
            int parallelism, int subtask, OperatorSubtaskState restoredFrom, int savedParallelism) throws Exception {
        operator = new PortfolioOperator(CONFIG, "dev");
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                operator, null, PortfolioInput::shardKey, Types.STRING, MAX, parallelism, subtask);
        h.setStateBackend(stateBackend());
        if (restoredFrom != null) {
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(restoredFrom, MAX, savedParallelism, parallelism, subtask));
        }
        h.open();
        return h;
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> harness(
            int parallelism, int subtask, OperatorSubtaskState restoredFrom) throws Exception {
        return harness(parallelism, subtask, restoredFrom, parallelism);
    }

    private List<Harness> subtasks(int parallelism, OperatorSubtaskState restoredFrom, int savedParallelism) throws Exception {
        List<Harness> subtasks = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            subtasks.add(new Harness(i, parallelism, harness(parallelism, i, restoredFrom, savedParallelism)));
        }
        return subtasks;
    }

    private static PortfolioInput install(String wallet, int portfolio, String position, String btc, String usd, long version, long t) {
        return new PortfolioInput(new PositionInstalled(t, wallet, portfolio, position, "amm",
                new PositionBalances(Map.of("BTC", new BigDecimal(btc)), Map.of("USD", new BigDecimal(usd)), Map.of()), version),
                null, null, null, "portfolio-events.jsonl:" + position, "{}");
    }

    private static QuoteUpdate quote(long t, String price) {
        return quote(PAIR, t, price);
    }

    private static QuoteUpdate quote(String pair, long t, String price) {
        BigDecimal p = new BigDecimal(price);
        String evaluationId = EventIds.evaluationId(pair, t);
        return new QuoteUpdate(pair, t, evaluationId, new PairQuote(pair, evaluationId, t, p, p));
    }

    private static void price(KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> h, long t,
            String price) throws Exception {
        h.processElement1(quote(t, price), t);
    }

    private static void priceAndClock(KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> h,
            long t, String price) throws Exception {
        price(h, t, price);
        watermark(h, t);
    }

    private static void event(KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> h,
            PortfolioInput in) throws Exception {
        h.processElement2(in, in.eventTime());
    }

    private static void watermark(KeyedTwoInputStreamOperatorTestHarness<String, QuoteUpdate, PortfolioInput, SolvencyEvent> h, long t)
            throws Exception {
        h.processBothWatermarks(new Watermark(t));
    }

    private static void price(List<Harness> subtasks, long t, String price) throws Exception {
        for (Harness h : subtasks) {
            price(h.h, t, price);
        }
    }

    private static void send(List<Harness> subtasks, PortfolioInput in) throws Exception {
        for (Harness h : subtasks) {
            if (h.owns(in.shardKey())) {
                event(h.h, in);
            }
        }
    }

    private static void watermark(List<Harness> subtasks, long t) throws Exception {
        for (Harness h : subtasks) {
            watermark(h.h, t);
        }
    }
}
