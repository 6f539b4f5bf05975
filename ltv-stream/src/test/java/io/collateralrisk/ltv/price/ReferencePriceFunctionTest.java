package io.collateralrisk.ltv.price;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.DeadLetter;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.PriceAlert;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.SourcePrice;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The operator in event time: when a pair is evaluated, what a late tick is, what survives a
 * restore, and that state and timers do not outlive their use.
 */
class ReferencePriceFunctionTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final String PAIR = "BTC-USD";

    private static final long SECOND = 1_000;
    private static final long EXCHANGE_STALE_AFTER = 120 * SECOND + 1;
    private static final long ORACLE_STALE_AFTER = 3_900 * SECOND + 1;

    private static final long T0 = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();
    private static final long ONE_SECOND_LATER = T0 + SECOND;
    private static final long TWO_SECONDS_LATER = T0 + 2 * SECOND;
    private static final long FOUR_SECONDS_LATER = T0 + 4 * SECOND;
    private static final long FIVE_SECONDS_LATER = T0 + 5 * SECOND;
    private static final long TEN_SECONDS_LATER = T0 + 10 * SECOND;
    private static final long MINUTE_LATER = T0 + 60 * SECOND;

    private static final String ROUND = "18446744073709562300"; // beyond a long, as oracle rounds can be
    private static final String NEXT_ROUND = "18446744073709562301";

    // --- when a pair is evaluated

    @Test
    void ticksAtOneInstantGiveOneEvaluationWhateverTheirArrivalOrder() throws Exception {
        PriceTick coinbase = exchange("coinbase", "100.00").at(T0);
        PriceTick kraken = exchange("kraken", "102.00").at(T0);
        PriceTick chainlink = oracle("chainlink", "101.00").at(T0);

        List<ReferencePrice> oneOrder = evaluateOnce(coinbase, kraken, chainlink);
        List<ReferencePrice> otherOrder = evaluateOnce(chainlink, kraken, coinbase);

        assertThat(oneOrder).hasSize(1);
        ReferencePrice p = oneOrder.get(0);
        assertThat(p.eventTime()).isEqualTo(T0);
        assertThat(p.evaluationId()).isEqualTo(EventIds.evaluationId(PAIR, T0));
        assertThat(p.status()).isEqualTo(PriceStatus.OK);
        assertThat(p.median()).isEqualTo(new BigDecimal("101.00"));
        assertThat(p.primary()).isEqualTo(new BigDecimal("101.00"));
        assertThat(sources(p)).containsExactly("chainlink", "coinbase", "kraken");
        assertThat(otherOrder).isEqualTo(oneOrder);
    }

    private static List<ReferencePrice> evaluateOnce(PriceTick... ticks) throws Exception {
        try (var h = harness()) {
            send(h, ticks);
            h.processWatermark(T0 - 1);
            // Nothing before the watermark passes t: another tick at t may still come.
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0);
            return h.extractOutputValues();
        }
    }

    @Test
    void outOfOrderTicksAreAppliedInEventTimeOrder() throws Exception {
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), exchange("kraken", "100").at(T0));
            h.processWatermark(T0);

            send(h,
                    exchange("coinbase", "104").at(FOUR_SECONDS_LATER),
                    exchange("coinbase", "101").at(ONE_SECOND_LATER), // 3 s behind its newest: in time
                    exchange("kraken", "102").at(TWO_SECONDS_LATER));
            h.processWatermark(FOUR_SECONDS_LATER);

            List<ReferencePrice> out = h.extractOutputValues();
            assertThat(out).extracting(ReferencePrice::eventTime)
                    .containsExactly(T0, ONE_SECOND_LATER, TWO_SECONDS_LATER, FOUR_SECONDS_LATER);
            // The evaluation at 1 s must not see the 104 that arrived first but happened later.
            assertThat(usedPrices(out.get(1))).containsExactlyEntriesOf(prices("coinbase", "101", "kraken", "100"));
            assertThat(usedPrices(out.get(2))).containsExactlyEntriesOf(prices("coinbase", "101", "kraken", "102"));
            assertThat(usedPrices(out.get(3))).containsExactlyEntriesOf(prices("coinbase", "104", "kraken", "102"));
            assertThat(late(h)).isEmpty();
        }
    }

    // --- late ticks

    @Test
    void tickMoreThanOutOfOrderBehindItsSourceIsDeadLetteredAndIgnored() throws Exception {
        long justOverFiveSecondsBehind = TEN_SECONDS_LATER - 5 * SECOND - 1;
        try (var h = harness()) {
            send(h,
                    exchange("coinbase", "110").at(TEN_SECONDS_LATER),
                    exchange("coinbase", "105").at(FIVE_SECONDS_LATER), // exactly 5 s behind: in time
                    exchange("coinbase", "104.99").at(justOverFiveSecondsBehind),
                    // Lateness is per source: kraken's own newest is what counts.
                    exchange("kraken", "100").at(ONE_SECOND_LATER));
            h.processWatermark(TEN_SECONDS_LATER);

            List<DeadLetter> late = late(h);
            assertThat(late).hasSize(1);
            DeadLetter d = late.get(0);
            assertThat(d.reason()).isEqualTo("LATE_EVENT");
            assertThat(d.topic()).isEqualTo("prices");
            assertThat(d.eventTime()).isEqualTo(justOverFiveSecondsBehind);
            assertThat(d.payload()).contains("104.99");

            List<ReferencePrice> out = h.extractOutputValues();
            assertThat(out).extracting(ReferencePrice::eventTime)
                    .containsExactly(ONE_SECOND_LATER, FIVE_SECONDS_LATER, TEN_SECONDS_LATER);
            assertThat(out).flatExtracting(ReferencePrice::used).extracting(SourcePrice::price)
                    .doesNotContain(new BigDecimal("104.99"));
            assertThat(usedPrices(out.get(1))).containsEntry("coinbase", new BigDecimal("105"));
        }
    }

    @Test
    void tickAtAnEvaluatedInstantIsAppliedAndCountsFromTheNextEvaluationOnly() throws Exception {
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), exchange("kraken", "100").at(T0));
            h.processWatermark(T0);

            send(h,
                    exchange("kraken", "105").at(T0), // at the evaluated instant, not late for kraken
                    exchange("bitstamp", "101").at(T0 - SECOND)); // behind the watermark, a first tick of its source
            send(h, exchange("coinbase", "100").at(ONE_SECOND_LATER));
            h.processWatermark(ONE_SECOND_LATER);

            assertThat(late(h)).isEmpty();
            assertThat(side(h, ReferencePriceFunction.ACCEPTED_TICKS)).hasSize(5);
            List<ReferencePrice> out = h.extractOutputValues();
            // T0 is not evaluated again (its id would clash); both ticks count from the next evaluation.
            assertThat(out).extracting(ReferencePrice::eventTime).containsExactly(T0, ONE_SECOND_LATER);
            assertThat(usedPrices(out.get(0))).containsExactlyEntriesOf(prices("coinbase", "100", "kraken", "100"));
            assertThat(usedPrices(out.get(1))).containsEntry("kraken", new BigDecimal("105")).containsEntry("bitstamp", new BigDecimal("101"));

            // The tick applied after its instant still turns its source stale on time.
            long bitstampStale = T0 - SECOND + EXCHANGE_STALE_AFTER;
            h.processWatermark(bitstampStale);
            assertThat(h.extractOutputValues()).last().satisfies(p -> {
                assertThat(p.eventTime()).isEqualTo(bitstampStale);
                assertThat(p.excluded()).extracting(ExcludedSource::source, ExcludedSource::reason)
                        .containsExactly(tuple("bitstamp", ExcludedSource.STALE));
            });
        }
    }

    @Test
    void aFirstTickFarBehindThePairsClockNeverEvaluatesAnInstantInThePast() throws Exception {
        long later = T0 + 200 * SECOND;
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(later), exchange("kraken", "100").at(later));
            h.processWatermark(later);
            // bitstamp's first tick: not late (nothing seen from it), but already stale at the last evaluation.
            send(h, exchange("bitstamp", "100").at(T0));
            send(h, exchange("coinbase", "100").at(later + SECOND), exchange("kraken", "100").at(later + SECOND));
            h.processWatermark(later + SECOND);

            assertThat(late(h)).isEmpty();
            List<ReferencePrice> out = h.extractOutputValues();
            // Nothing at bitstamp's tick (T0) or its stale instant (T0 + 120.001 s): both are behind the pair.
            assertThat(out).extracting(ReferencePrice::eventTime).containsExactly(later, later + SECOND);
            assertThat(out.get(1).excluded()).extracting(ExcludedSource::source).containsExactly("bitstamp");
        }
    }

    @Test
    void tickOlderThanItsSourcesQuoteButNotLateChangesNothing() throws Exception {
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), exchange("kraken", "100").at(T0));
            h.processWatermark(T0);
            send(h, exchange("kraken", "201").at(T0 - SECOND)); // within 5 s of kraken's newest, older than its quote
            send(h, exchange("coinbase", "100").at(ONE_SECOND_LATER));
            h.processWatermark(ONE_SECOND_LATER);

            assertThat(late(h)).isEmpty();
            assertThat(usedPrices(h.extractOutputValues().get(1))).containsEntry("kraken", new BigDecimal("100"));
        }
    }

    @Test
    void lateTickIsJudgedAgainstItsOwnSourceNotTheOtherSourcesOfThePair() throws Exception {
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(MINUTE_LATER), exchange("kraken", "100").at(T0));
            h.processWatermark(MINUTE_LATER);
            // A minute behind coinbase and behind the watermark, but within 5 s of kraken's own newest.
            send(h, exchange("kraken", "101").at(T0 - 5 * SECOND));
            // More than 5 s behind kraken's newest: late, whatever the other source did.
            send(h, exchange("kraken", "102").at(T0 - 5 * SECOND - 1));

            assertThat(late(h)).extracting(DeadLetter::eventTime).containsExactly(T0 - 5 * SECOND - 1);
        }
    }

    @Test
    void aPairReadFarBehindTheWatermarkLosesNoTickAndIsEvaluatedAtEachInstantInOrder() throws Exception {
        RiskConfig twoPairs = ConfigLoader.parse("pairs: {ETH-USD: {bounds: {min: '10', max: '100000'}}}");
        long hourLater = T0 + 3_600 * SECOND;
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ReferencePriceFunction(twoPairs, Long.MAX_VALUE), PriceTick::pair, Types.STRING)) {
            // One partition (BTC-USD) is read an hour ahead of the other and moves the watermark there.
            send(h, exchange("coinbase", "30000").at(hourLater), exchange("kraken", "30000").at(hourLater));
            h.processWatermark(hourLater);
            // Then the other partition's ETH-USD ticks of an hour before arrive.
            for (long t : new long[] {T0, ONE_SECOND_LATER, TWO_SECONDS_LATER}) {
                send(h, eth("coinbase", "2000", t), eth("kraken", "2001", t));
            }
            h.processWatermark(hourLater + 1);

            assertThat(late(h)).isEmpty();
            List<ReferencePrice> eth = h.extractOutputValues().stream().filter(p -> p.pair().equals("ETH-USD")).toList();
            // Each instant once, in event time, then the two exchanges turning stale.
            assertThat(eth).extracting(ReferencePrice::eventTime)
                    .containsExactly(T0, ONE_SECOND_LATER, TWO_SECONDS_LATER, TWO_SECONDS_LATER + EXCHANGE_STALE_AFTER);
            assertThat(eth.subList(0, 3)).allSatisfy(p -> assertThat(p.median()).isEqualTo(new BigDecimal("2000.5")));
        }
    }

    private static PriceTick eth(String source, String price, long t) {
        return new PriceTick(t, "ETH-USD", source, SourceKind.EXCHANGE, new BigDecimal(price), null, null);
    }

    // --- staleness by the watermark alone, and the price alerts

    @Test
    void sourceGoingQuietIsEvaluatedStaleByTheWatermarkAloneAndRaisesTheAlerts() throws Exception {
        long coinbaseStale = T0 + EXCHANGE_STALE_AFTER;
        long coinbaseBack = T0 + 200 * SECOND;
        try (var h = harness()) {
            send(h, oracle("chainlink", "100").at(T0), exchange("coinbase", "100").at(T0));
            h.processWatermark(T0);
            assertThat(h.extractOutputValues()).singleElement().extracting(ReferencePrice::status).isEqualTo(PriceStatus.OK);

            // Exactly maxAge old is still fresh: nothing to evaluate yet.
            h.processWatermark(coinbaseStale - 1);
            assertThat(h.extractOutputValues()).hasSize(1);

            h.processWatermark(coinbaseStale);
            List<ReferencePrice> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            ReferencePrice stale = out.get(1);
            assertThat(stale.eventTime()).isEqualTo(coinbaseStale);
            assertThat(stale.status()).isEqualTo(PriceStatus.UNAVAILABLE);
            assertThat(stale.median()).isNull();
            assertThat(stale.price()).isNull();
            assertThat(sources(stale)).containsExactly("chainlink");
            assertThat(stale.excluded()).extracting(ExcludedSource::source, ExcludedSource::reason)
                    .containsExactly(tuple("coinbase", ExcludedSource.STALE));

            assertThat(alerts(h)).singleElement().satisfies(a -> {
                assertThat(a.type()).isEqualTo(PriceAlert.UNAVAILABLE);
                assertThat(a.eventTime()).isEqualTo(coinbaseStale);
                assertThat(a.evaluationId()).isEqualTo(stale.evaluationId());
                assertThat(a.usableSources()).isEqualTo(1);
                assertThat(a.quorum()).isEqualTo(2);
                assertThat(a.price()).isNull();
            });

            // Still below quorum: no second PRICE_UNAVAILABLE.
            send(h, oracle("chainlink", "100").at(coinbaseStale + SECOND));
            h.processWatermark(coinbaseStale + SECOND);
            assertThat(h.extractOutputValues()).last().extracting(ReferencePrice::status).isEqualTo(PriceStatus.UNAVAILABLE);
            assertThat(alerts(h)).hasSize(1);

            send(h, exchange("coinbase", "102").at(coinbaseBack));
            h.processWatermark(coinbaseBack);
            ReferencePrice back = h.extractOutputValues().get(3);
            assertThat(back.status()).isEqualTo(PriceStatus.OK);
            assertThat(alerts(h)).hasSize(2).last().satisfies(a -> {
                assertThat(a.type()).isEqualTo(PriceAlert.RESTORED);
                assertThat(a.eventTime()).isEqualTo(coinbaseBack);
                assertThat(a.evaluationId()).isEqualTo(back.evaluationId());
                assertThat(a.unavailableSince()).isEqualTo(coinbaseStale);
                assertThat(a.price()).isEqualTo(new BigDecimal("101"));
            });
        }
    }

    // --- two ticks of one source at one instant

    @Test
    void higherRoundWinsWhicheverArrivesFirst() throws Exception {
        assertThat(priceOfChainlinkAfter(
                        oracle("chainlink", "100").withRound(NEXT_ROUND).at(T0), oracle("chainlink", "200").withRound(ROUND).at(T0)))
                .isEqualTo(new BigDecimal("100"));
        assertThat(priceOfChainlinkAfter(
                        oracle("chainlink", "200").withRound(ROUND).at(T0), oracle("chainlink", "100").withRound(NEXT_ROUND).at(T0)))
                .isEqualTo(new BigDecimal("100"));
    }

    @Test
    void withoutRoundsTheLaterInInputOrderWins() throws Exception {
        assertThat(priceOfChainlinkAfter(oracle("chainlink", "100").at(T0), oracle("chainlink", "101").at(T0)))
                .isEqualTo(new BigDecimal("101"));
        assertThat(priceOfChainlinkAfter(oracle("chainlink", "101").at(T0), oracle("chainlink", "100").at(T0)))
                .isEqualTo(new BigDecimal("100"));
        // Only one of the pair has a round: input order decides.
        assertThat(priceOfChainlinkAfter(oracle("chainlink", "100").withRound(NEXT_ROUND).at(T0), oracle("chainlink", "101").at(T0)))
                .isEqualTo(new BigDecimal("101"));
    }

    private static BigDecimal priceOfChainlinkAfter(PriceTick first, PriceTick second) throws Exception {
        try (var h = harness()) {
            send(h, first, exchange("coinbase", "100").at(T0), second);
            h.processWatermark(T0);
            List<ReferencePrice> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            // Either used or excluded as an outlier: both record the quote that was kept.
            return usedPrices(out.get(0)).getOrDefault("chainlink", out.get(0).excluded().stream()
                    .filter(x -> x.source().equals("chainlink"))
                    .map(ExcludedSource::price)
                    .findFirst()
                    .orElse(null));
        }
    }

    // --- restore

    @Test
    void restoredMidStreamGivesTheSameOutputAsAnUninterruptedRun() throws Exception {
        List<Step> beforeSnapshot = List.of(
                h -> send(h,
                        exchange("coinbase", "100").at(T0),
                        exchange("kraken", "101").at(T0),
                        oracle("chainlink", "100.50").withRound(ROUND).at(T0)),
                h -> h.processWatermark(T0),
                // Pending at the snapshot: none of these is evaluated yet.
                h -> send(h,
                        exchange("coinbase", "102").at(TEN_SECONDS_LATER),
                        exchange("kraken", "103").at(T0 + 12 * SECOND),
                        oracle("chainlink", "101").withRound(NEXT_ROUND).at(T0 + 11 * SECOND)));
        List<Step> afterSnapshot = List.of(
                h -> send(h,
                        exchange("kraken", "99").at(T0 + 8 * SECOND), // in time: 4 s behind kraken's newest
                        exchange("coinbase", "98").at(TWO_SECONDS_LATER)), // late: needs the restored newest-seen
                h -> h.processWatermark(T0 + 15 * SECOND),
                // Both exchanges go stale by the watermark alone; chainlink stays.
                h -> h.processWatermark(T0 + 12 * SECOND + EXCHANGE_STALE_AFTER),
                h -> send(h, exchange("coinbase", "100").at(T0 + 200 * SECOND)),
                h -> h.processWatermark(T0 + 200 * SECOND));

        Outputs uninterrupted;
        try (var h = harness()) {
            for (Step s : beforeSnapshot) {
                s.run(h);
            }
            for (Step s : afterSnapshot) {
                s.run(h);
            }
            uninterrupted = Outputs.of(h);
        }

        OperatorSubtaskState snapshot;
        Outputs beforeRestore;
        int timersAtSnapshot;
        try (var h = harness()) {
            for (Step s : beforeSnapshot) {
                s.run(h);
            }
            snapshot = h.snapshot(1L, T0);
            timersAtSnapshot = h.numEventTimeTimers();
            beforeRestore = Outputs.of(h);
        }
        Outputs afterRestore;
        try (var h = restore(snapshot)) {
            assertThat(h.numEventTimeTimers()).isEqualTo(timersAtSnapshot);
            for (Step s : afterSnapshot) {
                s.run(h);
            }
            afterRestore = Outputs.of(h);
        }

        // The scenario must exercise what a restore could lose: pending ticks, held quotes, newest-seen, alert state.
        assertThat(uninterrupted.prices()).extracting(ReferencePrice::eventTime)
                .containsExactly(
                        T0,
                        T0 + 8 * SECOND,
                        TEN_SECONDS_LATER,
                        T0 + 11 * SECOND,
                        T0 + 12 * SECOND,
                        TEN_SECONDS_LATER + EXCHANGE_STALE_AFTER,
                        T0 + 12 * SECOND + EXCHANGE_STALE_AFTER,
                        T0 + 200 * SECOND);
        assertThat(uninterrupted.late()).hasSize(1);
        assertThat(uninterrupted.alerts()).extracting(PriceAlert::type).containsExactly(PriceAlert.UNAVAILABLE, PriceAlert.RESTORED);

        assertThat(beforeRestore.plus(afterRestore)).isEqualTo(uninterrupted);
    }

    @Test
    void afterARestoreATickAtAnAlreadyEvaluatedInstantIsAppliedButNotEvaluatedAgain() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), exchange("kraken", "100").at(T0));
            h.processWatermark(T0);
            send(h, exchange("coinbase", "100").at(ONE_SECOND_LATER));
            h.processWatermark(ONE_SECOND_LATER);
            snapshot = h.snapshot(1L, ONE_SECOND_LATER);
        }
        try (var h = restore(snapshot)) {
            // A restored operator knows no watermark until the sources emit one again; the pair's
            // evaluations up to 1 s are done all the same (last-evaluated is state), so 1 s is not
            // evaluated twice, and kraken's tick there, not late for kraken, counts from 2 s.
            send(h, exchange("kraken", "104").at(ONE_SECOND_LATER));
            send(h, exchange("kraken", "999").at(T0 - 5 * SECOND - 1)); // late for kraken: its newest survived the restore
            send(h, exchange("coinbase", "100").at(TWO_SECONDS_LATER));
            h.processWatermark(TWO_SECONDS_LATER);

            assertThat(late(h)).extracting(DeadLetter::reason, DeadLetter::eventTime)
                    .containsExactly(tuple("LATE_EVENT", T0 - 5 * SECOND - 1));
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime).containsExactly(TWO_SECONDS_LATER);
            assertThat(usedPrices(h.extractOutputValues().get(0))).containsEntry("kraken", new BigDecimal("104"));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> restore(OperatorSubtaskState snapshot)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ReferencePriceFunction(CONFIG, Long.MAX_VALUE)), PriceTick::pair, Types.STRING);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    @FunctionalInterface
    private interface Step {
        void run(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h) throws Exception;
    }

    private record Outputs(List<ReferencePrice> prices, List<PriceAlert> alerts, List<DeadLetter> late) {

        static Outputs of(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h) {
            return new Outputs(h.extractOutputValues(), ReferencePriceFunctionTest.alerts(h), ReferencePriceFunctionTest.late(h));
        }

        Outputs plus(Outputs later) {
            return new Outputs(concat(prices, later.prices), concat(alerts, later.alerts), concat(late, later.late));
        }

        private static <T> List<T> concat(List<T> a, List<T> b) {
            List<T> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }

    // --- the source read time behind each evaluation, for the tick-to-event latency

    @Test
    void anEvaluationCarriesTheLatestReadTimeOfItsTicksAndOneNoTickCausedCarriesNone() throws Exception {
        long coinbaseStale = T0 + EXCHANGE_STALE_AFTER;
        long coinbaseBack = T0 + 200 * SECOND;
        try (var h = harness()) {
            // Read in another order than they arrive: the latest read is what the evaluation waited for last.
            send(h,
                    exchange("coinbase", "100").at(T0).withIngestedAt(1_000),
                    oracle("chainlink", "100").at(T0).withIngestedAt(3_000),
                    exchange("kraken", "100").at(T0).withIngestedAt(2_000));
            h.processWatermark(T0);
            // Both exchanges turn stale by the watermark alone: no tick caused that evaluation or its alert.
            h.processWatermark(coinbaseStale);
            send(h, exchange("coinbase", "101").at(coinbaseBack).withIngestedAt(9_000));
            h.processWatermark(coinbaseBack);

            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime, ReferencePrice::status, ReferencePrice::ingestedAt)
                    .containsExactly(
                            tuple(T0, PriceStatus.OK, 3_000L),
                            tuple(coinbaseStale, PriceStatus.UNAVAILABLE, 0L),
                            tuple(coinbaseBack, PriceStatus.OK, 9_000L));
            assertThat(alerts(h)).extracting(PriceAlert::type, PriceAlert::ingestedAt)
                    .containsExactly(tuple(PriceAlert.UNAVAILABLE, 0L), tuple(PriceAlert.RESTORED, 9_000L));
        }
    }

    @Test
    void pendingTicksKeepTheirReadTimeAcrossARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0).withIngestedAt(5_000), exchange("kraken", "100").at(T0).withIngestedAt(4_000));
            snapshot = h.snapshot(1L, T0);
        }
        try (var h = restore(snapshot)) {
            h.processWatermark(T0);
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::ingestedAt).containsExactly(5_000L);
        }
    }

    // --- state and timers do not outlive their use

    @Test
    void staleTimersDoNotPileUpAndAQuietPairLeavesNoPendingTicksOrTimers() throws Exception {
        long lastTick = T0 + 600 * SECOND;
        try (var h = harness()) {
            // Every source ticks every 10 s for 10 minutes.
            for (long t = T0; t <= lastTick; t += 10 * SECOND) {
                send(h, exchange("coinbase", "100").at(t), exchange("kraken", "100").at(t), oracle("chainlink", "100").at(t));
                h.processWatermark(t);
            }
            // Only the newest tick of each source can still turn stale: one timer for the two exchanges
            // (same instant, same maxAge) and one for the oracle, not one per tick ever seen.
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            int evaluationsWhileTicking = h.extractOutputValues().size();
            assertThat(evaluationsWhileTicking).isEqualTo(61);

            // The pair goes quiet for good.
            h.processWatermark(lastTick + ORACLE_STALE_AFTER);

            List<ReferencePrice> out = h.extractOutputValues();
            assertThat(out.subList(evaluationsWhileTicking, out.size()))
                    .extracting(ReferencePrice::eventTime, ReferencePrice::status)
                    .containsExactly(
                            tuple(lastTick + EXCHANGE_STALE_AFTER, PriceStatus.UNAVAILABLE),
                            tuple(lastTick + ORACLE_STALE_AFTER, PriceStatus.UNAVAILABLE));
            assertThat(alerts(h)).extracting(PriceAlert::type).containsExactly(PriceAlert.UNAVAILABLE);

            assertThat(h.numEventTimeTimers()).isZero();
            // What stays is what the next tick needs: quotes, newest-seen, the TWAP's sum and points,
            // last-evaluated and unavailable-since, one entry each for the pair. No pending ticks.
            assertThat(h.numKeyedStateEntries()).isEqualTo(6);

            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).hasSize(out.size());
        }
    }

    @Test
    void staleTimerSharedWithAnotherSourceStillFiresWhenOneOfThemTicksAgain() throws Exception {
        long bothStale = T0 + EXCHANGE_STALE_AFTER;
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), exchange("kraken", "100").at(T0), oracle("chainlink", "100").at(T0));
            h.processWatermark(T0);
            send(h, exchange("coinbase", "100").at(TEN_SECONDS_LATER));
            h.processWatermark(TEN_SECONDS_LATER);

            h.processWatermark(bothStale);
            List<ReferencePrice> out = h.extractOutputValues();
            assertThat(out).extracting(ReferencePrice::eventTime).containsExactly(T0, TEN_SECONDS_LATER, bothStale);
            assertThat(out.get(2).excluded()).extracting(ExcludedSource::source).containsExactly("kraken");
        }
    }

    @Test
    void staleTimerAtAnInstantWithPendingTicksIsKept() throws Exception {
        long coinbaseStale = T0 + EXCHANGE_STALE_AFTER;
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), oracle("chainlink", "100").at(T0));
            h.processWatermark(T0);
            // Waits on the very timer that coinbase's next tick makes unnecessary as a stale timer.
            send(h, exchange("kraken", "101").at(coinbaseStale));
            send(h, exchange("coinbase", "100").at(TEN_SECONDS_LATER));
            h.processWatermark(TEN_SECONDS_LATER);

            h.processWatermark(coinbaseStale);
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime)
                    .containsExactly(T0, TEN_SECONDS_LATER, coinbaseStale);
            assertThat(sources(h.extractOutputValues().get(2))).containsExactly("chainlink", "coinbase", "kraken");
        }
    }

    @Test
    void pendingTicksAreStateUntilEvaluated() throws Exception {
        try (var h = harness()) {
            send(h, exchange("coinbase", "100").at(T0), exchange("kraken", "100").at(T0));
            // newest-seen and pending
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(T0);
            // newest-seen, quotes, the TWAP's sum and points, and last-evaluated; pending is gone
            assertThat(h.numKeyedStateEntries()).isEqualTo(5);
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // the stale timer
        }
    }

    // --- the event-time horizon of a replay

    @Test
    void timersAfterTheHorizonDoNotFire() throws Exception {
        long horizon = MINUTE_LATER;
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ReferencePriceFunction(CONFIG, horizon), PriceTick::pair, Types.STRING)) {
            send(h, exchange("coinbase", "100").at(T0), oracle("chainlink", "100").at(T0));
            send(h, exchange("coinbase", "101").at(horizon)); // at the horizon: still evaluated
            send(h, exchange("kraken", "102").at(horizon + 1));
            // The end-of-input watermark.
            h.processWatermark(Long.MAX_VALUE);

            // Neither the tick after the horizon nor the stale timers (T0 + 120 s, horizon + 120 s) fire.
            assertThat(h.extractOutputValues()).extracting(ReferencePrice::eventTime).containsExactly(T0, horizon);
            assertThat(alerts(h)).isEmpty();
        }
    }

    // --- helpers

    private static KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ReferencePriceFunction(CONFIG, Long.MAX_VALUE), PriceTick::pair, Types.STRING);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h, PriceTick... ticks)
            throws Exception {
        for (PriceTick tick : ticks) {
            h.processElement(tick, tick.eventTime());
        }
    }

    private static List<PriceAlert> alerts(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h) {
        return side(h, ReferencePriceFunction.PRICE_ALERTS);
    }

    private static List<DeadLetter> late(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h) {
        return side(h, ReferencePriceFunction.LATE_TICKS);
    }

    private static <X> List<X> side(KeyedOneInputStreamOperatorTestHarness<String, PriceTick, ReferencePrice> h, OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = h.getSideOutput(tag);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static List<String> sources(ReferencePrice p) {
        return p.used().stream().map(SourcePrice::source).toList();
    }

    private static Map<String, BigDecimal> usedPrices(ReferencePrice p) {
        Map<String, BigDecimal> prices = new TreeMap<>();
        p.used().forEach(s -> prices.put(s.source(), s.price()));
        return prices;
    }

    private static Map<String, BigDecimal> prices(String source1, String price1, String source2, String price2) {
        return new TreeMap<>(Map.of(source1, new BigDecimal(price1), source2, new BigDecimal(price2)));
    }

    private static Tick exchange(String source, String price) {
        return new Tick(source, SourceKind.EXCHANGE, new BigDecimal(price), null);
    }

    private static Tick oracle(String source, String price) {
        return new Tick(source, SourceKind.ORACLE, new BigDecimal(price), null);
    }

    /** A tick of {@link #PAIR} waiting for its event time. */
    private record Tick(String source, SourceKind kind, BigDecimal price, BigInteger round) {

        Tick withRound(String oracleRound) {
            return new Tick(source, kind, price, new BigInteger(oracleRound));
        }

        PriceTick at(long eventTime) {
            return new PriceTick(eventTime, PAIR, source, kind, price, null, round);
        }
    }
}
