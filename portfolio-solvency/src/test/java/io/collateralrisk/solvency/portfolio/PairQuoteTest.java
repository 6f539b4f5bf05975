package io.collateralrisk.solvency.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairQuoteTest {

    private static BigDecimal d(String v) {
        return v == null ? null : new BigDecimal(v);
    }

    private static ReferencePrice reference(PriceStatus status, String price, String median, String twap, String primary, boolean incident) {
        return new ReferencePrice("id", "eval", 7L, "BTC-USD", status, d(price), d(median), d(twap), d(primary), incident, List.of(), List.of(), "h");
    }

    @Test
    void withoutAnIncidentBothSidesTakeTheLtvPrice() {
        PairQuote q = PairQuote.of(reference(PriceStatus.OK, "100", "100", "120", "90", false));
        assertThat(q).isEqualTo(new PairQuote("BTC-USD", "eval", 7L, d("100"), d("100")));
    }

    @Test
    void whileAnIncidentIsOpenCreditsTakeTheLowestAndDebtsTheHighest() {
        PairQuote q = PairQuote.of(reference(PriceStatus.OK, "90", "100", "120", "90", true));
        assertThat(q.creditPrice()).isEqualByComparingTo("90");
        assertThat(q.debtPrice()).isEqualByComparingTo("120");
        PairQuote noTwap = PairQuote.of(reference(PriceStatus.OK, "95", "100", null, "95", true));
        assertThat(noTwap.creditPrice()).isEqualByComparingTo("95");
        assertThat(noTwap.debtPrice()).isEqualByComparingTo("100");
        PairQuote noPrimary = PairQuote.of(reference(PriceStatus.OK, "100", "100", "130", null, true));
        assertThat(noPrimary.debtPrice()).isEqualByComparingTo("130");
    }

    @Test
    void anUnavailablePairHasNoQuote() {
        assertThat(PairQuote.of(reference(PriceStatus.UNAVAILABLE, null, null, "120", "90", false))).isNull();
    }

    @Test
    void pricesMustBePositiveAndOrdered() {
        assertThatThrownBy(() -> new PairQuote("P", "e", 0, d("0"), d("1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PairQuote("P", "e", 0, d("2"), d("1.99"))).isInstanceOf(IllegalArgumentException.class);
    }
}
