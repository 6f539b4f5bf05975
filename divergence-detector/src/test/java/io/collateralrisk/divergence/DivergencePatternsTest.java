package io.collateralrisk.divergence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.DivergenceConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.pattern.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The opening run on the compiled NFA alone, fed one pair's readings in event-time order as the
 * CEP operator feeds them; matches become signals through the production {@link
 * DivergencePatterns.ToSignal}. Readings come from evaluations through {@link DivergenceMath}, so
 * an evaluation without a primary is a missing reading here exactly as in the stage.
 */
class DivergencePatternsTest {

    private static final long SECOND = 1_000;
    private static final String PAIR = "BTC-USD";
    private static final DivergenceConfig DEFAULTS = FeedHealthFixtures.CONFIG.divergence();

    private static final long T0 = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();

    private static final TypeSerializer<DivergenceReading> SERIALIZER =
            TypeInformation.of(DivergenceReading.class).createSerializer(new SerializerConfigImpl());

    @Test
    void theDefaultsAreTwoReadingsOverThirtySeconds() {
        // The cases below are written around these.
        assertThat(DEFAULTS.minConsecutive()).isEqualTo(2);
        assertThat(DEFAULTS.minDurationMs()).isEqualTo(30 * SECOND);
    }

    @Test
    void aSingleSpikeDoesNotOpen() throws Exception {
        assertThat(driver().feed(above(0))).isEmpty();
        assertThat(driver().feed(below(-10), above(0), below(40), below(80))).isEmpty();
    }

    @Test
    void twoReadingsLessThanThirtySecondsApartDoNotOpenAThirdAtThirtySecondsDoes() throws Exception {
        Driver d = driver();

        assertThat(d.feed(above(0), above(20))).isEmpty();
        List<IncidentSignal> signals = d.feed(above(30));

        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.pair()).isEqualTo(PAIR);
            assertThat(s.eventTime()).isEqualTo(at(30));
            assertThat(s.runStartedAt()).isEqualTo(at(0));
            assertThat(s.readings()).isEqualTo(3);
            assertThat(s.last().eventTime()).isEqualTo(at(30));
        });
    }

    @Test
    void theDurationBoundIsInclusive() throws Exception {
        assertThat(driver().feed(above(0), reading(at(30) - 1, "106"))).isEmpty();
        assertThat(driver().feed(above(0), above(30))).extracting(IncidentSignal::eventTime).containsExactly(at(30));
    }

    @Test
    void countAndDurationMustBothBeMet() throws Exception {
        // Two readings 40 s apart: enough by default.
        assertThat(driver().feed(above(0), above(40))).extracting(IncidentSignal::eventTime).containsExactly(at(40));

        // With three required, the duration alone does not open; the third reading does.
        Driver three = driver(new DivergenceConfig(DEFAULTS.threshold(), 3, DEFAULTS.minDurationMs(), DEFAULTS.reconcileAfterMs()));
        assertThat(three.feed(above(0), above(40))).isEmpty();
        assertThat(three.feed(above(80)))
                .extracting(IncidentSignal::eventTime, IncidentSignal::runStartedAt, IncidentSignal::readings)
                .containsExactly(tuple(at(80), at(0), 3));
    }

    @Test
    void manyQuickReadingsStillWaitForTheDuration() throws Exception {
        Driver d = driver();

        assertThat(d.feed(above(0), above(5), above(10), above(15), above(20), above(25), above(29))).isEmpty();
        assertThat(d.feed(above(30))).extracting(IncidentSignal::runStartedAt, IncidentSignal::readings)
                .containsExactly(tuple(at(0), 8));
    }

    @Test
    void aReadingAtOrBelowTheThresholdBreaksTheRun() throws Exception {
        // Exactly at the threshold is not above: it breaks the run just as a calm reading does.
        Driver atThreshold = driver();
        assertThat(atThreshold.feed(above(0), above(20), reading(at(25), "105"), above(40), above(50))).isEmpty();
        assertThat(atThreshold.feed(above(70)))
                .extracting(IncidentSignal::eventTime, IncidentSignal::runStartedAt, IncidentSignal::readings)
                .containsExactly(tuple(at(70), at(40), 3));

        Driver calm = driver();
        assertThat(calm.feed(above(0), below(10), above(30))).isEmpty();
        assertThat(calm.feed(above(60))).extracting(IncidentSignal::runStartedAt).containsExactly(at(30));
    }

    @Test
    void aMissingReadingDoesNotBreakTheRun() throws Exception {
        // The primary goes stale between two readings above: no reading, so no break.
        List<IncidentSignal> signals = driver().feedEvaluations(
                evaluation(at(0), "106", "100"),
                evaluation(at(10), null, "100"),
                evaluation(at(20), null, "100"),
                evaluation(at(35), "107", "100"));

        assertThat(signals)
                .extracting(IncidentSignal::eventTime, IncidentSignal::runStartedAt, IncidentSignal::readings)
                .containsExactly(tuple(at(35), at(0), 2));
    }

    @Test
    void theSignalCarriesTheRunStartAndItsPeak() throws Exception {
        List<IncidentSignal> signals = driver().feed(
                reading(at(0), "106"), reading(at(10), "109"), reading(at(20), "93"), reading(at(30), "107"));

        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.runStartedAt()).isEqualTo(at(0));
            assertThat(s.readings()).isEqualTo(4);
            // |93 - 100| / 100 = 7% is below 9%: the peak is the magnitude, whichever side.
            assertThat(s.peakDivergence()).isEqualTo(new BigDecimal("0.090000"));
            assertThat(s.peakAt()).isEqualTo(at(10));
            assertThat(s.last().primary()).isEqualTo(new BigDecimal("107"));
            assertThat(s.last().divergence()).isEqualTo(new BigDecimal("0.070000"));
        });

        // The completing reading can be the peak itself.
        assertThat(driver().feed(reading(at(0), "106"), reading(at(30), "112")))
                .extracting(IncidentSignal::peakDivergence, IncidentSignal::peakAt)
                .containsExactly(tuple(new BigDecimal("0.120000"), at(30)));
    }

    @Test
    void afterAMatchTheNextSignalNeedsAFreshRun() throws Exception {
        Driver d = driver();
        List<IncidentSignal> signals = new ArrayList<>();
        for (int s = 0; s <= 100; s += 10) {
            signals.addAll(d.feed(above(s)));
        }

        // Without skipping past the match, 40 s would complete a run starting at 0 or 10 again.
        assertThat(signals)
                .extracting(IncidentSignal::eventTime, IncidentSignal::runStartedAt, IncidentSignal::readings)
                .containsExactly(tuple(at(30), at(0), 4), tuple(at(70), at(40), 4));
    }

    @Test
    void theSameReadingsGiveTheSameSignals() throws Exception {
        DivergenceReading[] day = {above(0), reading(at(15), "109"), above(30), below(40), above(50), above(90)};

        List<IncidentSignal> once = driver().feed(day);

        assertThat(once).hasSize(2);
        assertThat(driver().feed(day)).isEqualTo(once);
    }

    // --- fixtures

    private static long at(int seconds) {
        return T0 + seconds * SECOND;
    }

    /** A reading 6% above the TWAP of 100. */
    private static DivergenceReading above(int seconds) {
        return reading(at(seconds), "106");
    }

    /** A reading 1% off the TWAP of 100. */
    private static DivergenceReading below(int seconds) {
        return reading(at(seconds), "101");
    }

    private static DivergenceReading reading(long t, String primary) {
        DivergenceReading r = DivergenceMath.reading(evaluation(t, primary, "100"), DEFAULTS.threshold());
        assertThat(r).isNotNull();
        return r;
    }

    private static ReferencePrice evaluation(long t, String primary, String twap) {
        return FeedHealthFixtures.evaluation(PAIR, t, primary, twap, "100");
    }

    private static Driver driver() {
        return driver(DEFAULTS);
    }

    private static Driver driver(DivergenceConfig config) {
        return new Driver(DivergencePatterns.openingRun(config));
    }

    /**
     * One pair's NFA, driven as the CEP operator drives it in event time: for each reading in time
     * order, prune what its time has timed out, then process it with the pattern's own skip
     * strategy; matches become signals through the production function.
     */
    private static final class Driver {

        private final NFA<DivergenceReading> nfa;
        private final NFAState state;
        private final SharedBuffer<DivergenceReading> buffer = new SharedBuffer<>(new HeapKeyedStateStore(), SERIALIZER);
        private final AfterMatchSkipStrategy skip;
        private final DivergencePatterns.ToSignal toSignal = new DivergencePatterns.ToSignal();

        Driver(Pattern<DivergenceReading, ?> pattern) {
            this.nfa = NFACompiler.compileFactory(pattern, false).createNFA();
            this.state = nfa.createInitialNFAState();
            this.skip = pattern.getAfterMatchSkipStrategy();
        }

        List<IncidentSignal> feed(DivergenceReading... readings) throws Exception {
            List<Map<String, List<DivergenceReading>>> matches = new ArrayList<>();
            for (DivergenceReading r : readings) {
                try (SharedBufferAccessor<DivergenceReading> accessor = buffer.getAccessor()) {
                    matches.addAll(nfa.advanceTime(accessor, state, r.eventTime(), skip).f0);
                    matches.addAll(nfa.process(accessor, state, r, r.eventTime(), skip, r::eventTime));
                }
            }
            List<IncidentSignal> signals = new ArrayList<>();
            for (Map<String, List<DivergenceReading>> match : matches) {
                toSignal.processMatch(match, null, new ListCollector<>(signals));
            }
            return signals;
        }

        /** As the stage does: an evaluation without both primary and TWAP gives no reading at all. */
        List<IncidentSignal> feedEvaluations(ReferencePrice... evaluations) throws Exception {
            List<DivergenceReading> readings = new ArrayList<>();
            for (ReferencePrice e : evaluations) {
                DivergenceReading r = DivergenceMath.reading(e, DEFAULTS.threshold());
                if (r != null) {
                    readings.add(r);
                }
            }
            return feed(readings.toArray(DivergenceReading[]::new));
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
