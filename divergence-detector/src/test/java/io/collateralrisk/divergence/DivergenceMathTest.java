package io.collateralrisk.divergence;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The reading of one evaluation against the threshold, and the conservative LTV price. */
class DivergenceMathTest {

    private static final RiskConfig CONFIG = RiskConfig.defaults();
    private static final BigDecimal THRESHOLD = CONFIG.divergence().threshold();
    private static final String PAIR = "BTC-USD";
    private static final long T0 = Instant.parse("2024-03-01T12:00:00Z").toEpochMilli();

    @Test
    void theDefaultThresholdIsFivePercent() {
        // The boundary cases below are written for 5%.
        assertThat(THRESHOLD).isEqualByComparingTo("0.05");
    }

    // --- the reading

    @Test
    void readingExactlyAtTheThresholdIsNotAbove() {
        // |105 - 100| = 0.05 x 100, from either side.
        assertThat(reading("105", "100").above()).isFalse();
        assertThat(reading("95", "100").above()).isFalse();
        // A TWAP whose 5% is not a round number: |7.35 - 7| = 0.35 = 0.05 x 7.
        assertThat(reading("7.35", "7").above()).isFalse();
    }

    @Test
    void readingJustOverTheThresholdIsAbove() {
        assertThat(reading("105.01", "100").above()).isTrue();
        assertThat(reading("94.99", "100").above()).isTrue();
        assertThat(reading("7.3500001", "7").above()).isTrue();
    }

    @Test
    void theComparisonIsExactNotOnTheRoundedDivergence() {
        // 5.0000001% prints as 0.050000 at six decimals, yet it is above.
        DivergenceReading r = reading("105.0000001", "100");

        assertThat(r.divergence()).isEqualByComparingTo("0.05");
        assertThat(r.above()).isTrue();
    }

    @Test
    void readingCarriesTheEvaluationAndTheDivergenceAtSixDecimals() {
        ReferencePrice e = evaluation(T0, "106", "100", "101");

        DivergenceReading r = DivergenceMath.reading(e, THRESHOLD);

        assertThat(r.pair()).isEqualTo(PAIR);
        assertThat(r.eventTime()).isEqualTo(T0);
        assertThat(r.evaluationId()).isEqualTo(EventIds.evaluationId(PAIR, T0));
        assertThat(r.primary()).isEqualTo(new BigDecimal("106"));
        assertThat(r.twap()).isEqualTo(new BigDecimal("100"));
        assertThat(r.median()).isEqualTo(new BigDecimal("101"));
        // Relative to the TWAP, not to the primary: 6 / 100, not 6 / 106.
        assertThat(r.divergence()).isEqualTo(new BigDecimal("0.060000"));
        assertThat(r.above()).isTrue();
    }

    @Test
    void noReadingWithoutAPrimaryOrATwap() {
        assertThat(DivergenceMath.reading(evaluation(T0, null, "100", "100"), THRESHOLD)).isNull();
        assertThat(DivergenceMath.reading(evaluation(T0, "120", null, "100"), THRESHOLD)).isNull();
        assertThat(DivergenceMath.reading(evaluation(T0, null, null, "100"), THRESHOLD)).isNull();
        // A median is not needed for a reading: the pair may be below quorum while both exist.
        assertThat(DivergenceMath.reading(evaluation(T0, "120", "100", null), THRESHOLD)).isNotNull();
    }

    // --- the conservative price

    @Test
    void conservativePriceIsTheLowestOfPrimaryTwapAndMedian() {
        assertThat(DivergenceMath.conservative(evaluation(T0, "94", "100", "99"))).isEqualTo(new BigDecimal("94"));
        assertThat(DivergenceMath.conservative(evaluation(T0, "110", "100", "103"))).isEqualTo(new BigDecimal("100"));
        assertThat(DivergenceMath.conservative(evaluation(T0, "110", "100", "98.5"))).isEqualTo(new BigDecimal("98.5"));
    }

    @Test
    void conservativePriceIgnoresWhatIsNotAvailable() {
        // A stale primary: the lowest of TWAP and median.
        assertThat(DivergenceMath.conservative(evaluation(T0, null, "100", "103"))).isEqualTo(new BigDecimal("100"));
        assertThat(DivergenceMath.conservative(evaluation(T0, null, "100", "97"))).isEqualTo(new BigDecimal("97"));
        // No TWAP: the lowest of primary and median.
        assertThat(DivergenceMath.conservative(evaluation(T0, "90", null, "97"))).isEqualTo(new BigDecimal("90"));
        assertThat(DivergenceMath.conservative(evaluation(T0, null, null, "97"))).isEqualTo(new BigDecimal("97"));
    }

    @Test
    void conservativePriceIsNullWhileThePairIsUnavailable() {
        // Below quorum there is no median: primary and TWAP alone do not make an LTV price.
        assertThat(DivergenceMath.conservative(evaluation(T0, "90", "100", null))).isNull();
        assertThat(DivergenceMath.conservative(evaluation(T0, null, null, null))).isNull();
    }

    // --- fixtures

    @Test
    void aZeroTwapGivesNoReading() {
        assertThat(DivergenceMath.reading(evaluation(T0, "100", "0", "100"), THRESHOLD)).isNull();
        assertThat(DivergenceMath.reading(evaluation(T0, "100", "0.00", "100"), THRESHOLD)).isNull();
    }

    @Test
    void onATieTheMedianIsTheConservativePriceAsQuoted() {
        // Equal in value, different in digits: the price kept is the median's, so the output's
        // digits do not depend on which feed happened to tie.
        assertThat(DivergenceMath.conservative(evaluation(T0, "100.0", "100.000", "100.00")))
                .isEqualTo(new BigDecimal("100.00"));
    }

    private static DivergenceReading reading(String primary, String twap) {
        return DivergenceMath.reading(evaluation(T0, primary, twap, twap), THRESHOLD);
    }

    private static ReferencePrice evaluation(long t, String primary, String twap, String median) {
        return FeedHealthFixtures.evaluation(PAIR, t, primary, twap, median);
    }
}
