package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static io.collateralrisk.jobs.replay.ReplayFixtures.t;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real March 2023 candles of Coinbase, Binance.US and Kraken (BTC-USD, {@code EXCHANGE}) with
 * the Binance.US BTC-USDC leg fed as the pair's primary {@code ORACLE}: USDC lost its peg, so the
 * primary drifts above the USD venues and the feed-health stage opens divergence incidents. A small
 * hand-made loan book (1 BTC each, policy {@code standard}: margin call 0.80, liquidation 0.90,
 * hysteresis 0.01, cure 48 h, target 0.60) shows the liquidation holds of rule 7.
 *
 * <p>Every expected instant and price was computed by hand from the CSVs. A candle's close is a
 * tick at the end of its minute. At each minute end {@code t}:
 * <ul>
 *   <li>the exchange median is the middle one of the three venues' closes;
 *   <li>the TWAP is the mean of the exchange medians of the five minute ends before {@code t}
 *       (each stands one minute in {@code [t - 5 min, t]}), rounded half-even to cents;
 *   <li>the leg (fresh for 65 min, so almost always present) is an {@code OUTLIER} when more than
 *       10% from the median of all four fresh sources; it then gives no primary and no reading;
 *   <li>otherwise the median is the mean of the middle two of the four sources, and the reading is
 *       {@code |primary - TWAP| / TWAP}.
 * </ul>
 * E.g. 04:34 on the 11th: exchange medians of 04:29-04:33 are 20,450.3, 20,452.9, 20,468.1,
 * 20,462.5 and 20,457.3 (Kraken each time), TWAP 20,458.22; the leg's close is 21,489.0, so the
 * reading is 1,030.78 / 20,458.22 = 5.04%, the first above 5% of the replay (04:33: 4.69%).
 *
 * <pre>
 * incident  first reading &gt; 5%  opens (2nd reading)  last reading &gt; 5%  quiet from  closes (+5 min)  peak
 * 1         11th 04:34          04:35                04:53               04:54       04:59            5.7551% at 04:35
 * 2         11th 07:16          07:17                19:58               19:59       20:04            10.0768% at 11:47
 * 3         12th 07:15          07:16                08:31               08:32       08:37            5.8604% at 07:40
 * </pre>
 * Single readings above 5% at 05:49 and 23:22 on the 11th are followed by one at or below it: no
 * run of two, no incident.
 *
 * <pre>
 * facility  debt (USD)                          what it shows
 * F-H       12,000; 18,438 from 11th 18:27:30    margin call issued during incident 2 (disputed), LTV 0.90 at the
 *                                               conservative price at 18:31: held; still &gt;= 0.90 at the close: triggered
 * F-R       12,000; 18,000 from 11th 05:30:30    margin call before the incident (not disputed), held at 07:57,
 *                                               below 0.90 again at the close: released
 * F-M       12,000; 16,080 from 11th 05:30:30    margin call issued by a price of incident 2 (07:42): disputed
 * </pre>
 * The draws are needed: the crash of the 10th (lowest price 19,591.40) lies below every price of
 * the 11th, so a debt fixed since the 9th that reaches a threshold on the 11th reached it on the 10th.
 */
class MarchDivergenceReplayTest {

    private static final String OPENED = "2023-03-09T00:00:00Z";
    private static final String LEG = BundledPrices.MARCH_2023_BTC_USDC.source();
    private static final BigDecimal THRESHOLD = new BigDecimal("0.05");

    private static Replay.Result result;
    /** risk.divergence in time order. */
    private static final List<JsonNode> incidents = new ArrayList<>();
    /** The job's reference prices by event time. */
    private static final NavigableMap<Long, JsonNode> prices = new TreeMap<>();
    /** Lifecycle events per facility, by event time, then type. */
    private static final Map<String, List<JsonNode>> events = new LinkedHashMap<>();

    @BeforeAll
    static void replay(@TempDir Path dir) throws Exception {
        List<String> exchanges = BundledPrices.exchangeTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USD);
        List<String> leg = BundledPrices.oracleTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USDC);
        ReplayFixtures.write(dir, Topics.PRICES, BundledPrices.merge(List.of(exchanges, leg)));
        List<String> book = new ArrayList<>();
        open(book, "F-H", "B-H", "bitgo");
        open(book, "F-R", "B-R", "anchorage");
        open(book, "F-M", "B-M", "coinbase-custody");
        book.add(debt("2023-03-11T05:30:30Z", "F-R", "18000.00"));
        book.add(debt("2023-03-11T05:30:30Z", "F-M", "16080.00"));
        book.add(debt("2023-03-11T18:27:30Z", "F-H", "18438.00"));
        ReplayFixtures.write(dir, Topics.FACILITY_EVENTS, book);

        result = new Replay(RiskConfig.defaults(), 2).run(dir);

        for (OutputRecord r : result.topic(Topics.DIVERGENCE)) {
            incidents.add(json(r));
        }
        incidents.sort(Comparator.comparingLong((JsonNode e) -> t(e.get("eventTime").asText())));
        for (OutputRecord r : result.topic(Topics.REFERENCE_PRICES)) {
            prices.put(r.eventTime(), json(r));
        }
        for (String id : List.of("F-H", "F-R", "F-M")) {
            events.put(id, new ArrayList<>());
        }
        for (OutputRecord r : result.topic(Topics.MARGIN_CALLS)) {
            events.get(r.key()).add(json(r));
        }
        Comparator<JsonNode> order = Comparator.comparingLong((JsonNode e) -> t(e.get("eventTime").asText()))
                .thenComparing(e -> e.get("type").asText());
        events.values().forEach(list -> list.sort(order));
    }

    @Test
    void everyOutputMatchesItsSchema() {
        ReplayFixtures.assertAllValid(result);
        assertThat(result.topic(Topics.DEAD_LETTER)).isEmpty();
        // Four sources, at least three of them fresh at every minute: never below quorum.
        assertThat(result.topic(Topics.PRICE_ALERTS)).isEmpty();
    }

    @Test
    void threeIncidentsFromTheEleventhToTheTwelfthAllReconciled() {
        List<String> lines = new ArrayList<>();
        for (JsonNode e : incidents) {
            StringBuilder line = new StringBuilder(e.get("type").asText()).append(' ').append(e.get("eventTime").asText())
                    .append(" run ").append(e.get("runStartedAt").asText())
                    .append(" peak ").append(e.get("peakDivergence").asText()).append(" at ").append(e.get("peakAt").asText());
            if (e.get("type").asText().equals("DIVERGENCE_CLOSED")) {
                line.append(' ').append(e.get("closedBy").asText()).append(' ').append(e.get("durationSeconds").asLong()).append('s');
            }
            lines.add(line.toString());
        }
        assertThat(lines).containsExactly(
                // 04:34 (5.04%) starts the run; 04:35 (5.76%) is its second reading, 60 s later >= 30 s: open.
                "DIVERGENCE_OPENED 2023-03-11T04:35:00.000Z run 2023-03-11T04:34:00.000Z peak 0.057551 at 2023-03-11T04:35:00.000Z",
                // Last reading above 5% at 04:53 (5.20%); from 04:54 (4.71%) none above: 04:54 + 5 min.
                "DIVERGENCE_CLOSED 2023-03-11T04:59:00.000Z run 2023-03-11T04:34:00.000Z peak 0.057551 at 2023-03-11T04:35:00.000Z"
                        + " RECONCILED 1440s",
                // 07:16 (1,105.69 / 20,386.05 = 5.42%) starts the run, 07:17 (5.93%) opens it.
                "DIVERGENCE_OPENED 2023-03-11T07:17:00.000Z run 2023-03-11T07:16:00.000Z peak 0.059332 at 2023-03-11T07:17:00.000Z",
                // Peak 2,030.47 / 20,149.96 at 11:47 (primary 22,180.43, just inside the 10% outlier band of the
                // four-source median). Last reading above at 19:58 (5.06%), quiet from 19:59: 19:59 + 5 min.
                "DIVERGENCE_CLOSED 2023-03-11T20:04:00.000Z run 2023-03-11T07:16:00.000Z peak 0.100768 at 2023-03-11T11:47:00.000Z"
                        + " RECONCILED 46020s",
                // 07:15 (5.04%) and 07:16 (21,581.56 against 20,543.26: 5.05%) on the 12th.
                "DIVERGENCE_OPENED 2023-03-12T07:16:00.000Z run 2023-03-12T07:15:00.000Z peak 0.050542 at 2023-03-12T07:16:00.000Z",
                // Last reading above at 08:31 (21,594.14 against 20,544.66: 5.11%); 08:32 is 4.92%: 08:32 + 5 min.
                "DIVERGENCE_CLOSED 2023-03-12T08:37:00.000Z run 2023-03-12T07:15:00.000Z peak 0.058604 at 2023-03-12T07:40:00.000Z"
                        + " RECONCILED 4860s");
        for (JsonNode e : incidents) {
            assertThat(e.get("pair").asText()).isEqualTo("BTC-USD");
            assertThat(e.get("reviewStatus").asText()).isEqualTo("PENDING");
        }
        // The long incident's prices at its close are those of the 20:04 evaluation.
        JsonNode close = incidents.get(3).get("atClose");
        assertThat(close.get("primary").asText()).isEqualTo("21399.99");
        assertThat(close.get("twap").asText()).isEqualTo("20461.98");
        assertThat(close.get("median").asText()).isEqualTo("20473.86");
    }

    /** The readings recomputed from the job's own reference prices bound the incidents on both sides. */
    @Test
    void readingsAboveTheThresholdLieBetweenTheFirstOpeningAndTheLastClose() {
        List<Long> above = new ArrayList<>();
        for (JsonNode n : prices.values()) {
            BigDecimal primary = decimal(n, "primary");
            BigDecimal twap = decimal(n, "twap");
            if (primary != null && twap != null && primary.subtract(twap).abs().compareTo(THRESHOLD.multiply(twap)) > 0) {
                above.add(t(n.get("eventTime").asText()));
            }
        }
        // 04:34 on the 11th: 21,489.00 against 20,458.22. 08:31 on the 12th: 21,594.14 against 20,544.66.
        assertThat(above.get(0)).isEqualTo(t("2023-03-11T04:34:00Z"));
        assertThat(above.get(above.size() - 1)).isEqualTo(t("2023-03-12T08:31:00Z"));
        assertThat(t(incidents.get(0).get("openedAt").asText())).isEqualTo(t("2023-03-11T04:35:00Z"));
        // Quiet from the next reading, 08:32 (4.92%), plus reconcileAfter (5 min).
        assertThat(t(incidents.get(incidents.size() - 1).get("eventTime").asText()))
                .isEqualTo(t("2023-03-12T08:32:00Z") + RiskConfig.defaults().divergence().reconcileAfterMs());
        // The isolated readings above 5% that open nothing.
        assertThat(above).contains(t("2023-03-11T05:49:00Z"), t("2023-03-11T23:22:00Z"));
        assertThat(prices.get(t("2023-03-11T05:49:00Z")).get("incidentOpen").asBoolean()).isFalse();
        assertThat(prices.get(t("2023-03-11T23:22:00Z")).get("incidentOpen").asBoolean()).isFalse();
    }

    @Test
    void referencePriceIsConservativeExactlyWhileAnIncidentIsOpen() {
        int open = 0;
        for (JsonNode n : prices.values()) {
            long at = t(n.get("eventTime").asText());
            assertThat(n.get("status").asText()).isEqualTo("OK");
            BigDecimal median = decimal(n, "median");
            BigDecimal price = decimal(n, "price");
            if (insideAnIncident(at)) {
                open++;
                assertThat(n.get("incidentOpen").asBoolean()).as("incidentOpen at %s", n.get("eventTime")).isTrue();
                BigDecimal lowest = median;
                for (String field : List.of("primary", "twap")) {
                    BigDecimal v = decimal(n, field);
                    if (v != null && v.compareTo(lowest) < 0) {
                        lowest = v;
                    }
                }
                assertThat(price).as("price at %s", n.get("eventTime")).isEqualByComparingTo(lowest);
            } else {
                assertThat(n.get("incidentOpen").asBoolean()).as("incidentOpen at %s", n.get("eventTime")).isFalse();
                assertThat(price).as("price at %s", n.get("eventTime")).isEqualByComparingTo(median);
            }
        }
        // Minute ends inside [open, close): 24 + 767 + 81.
        assertThat(open).isEqualTo(24 + 767 + 81);

        // Spot checks. 04:34: the run has not opened anything yet; the median is the mean of the middle two of
        // Binance.US 20,423.16, Kraken 20,443.0, Coinbase 20,458.15 and the leg 21,489.0: 20,450.575, exact
        // within the price scale (not 20,450.58 at cents); the primary is the leg's tick as it came, 21489.0.
        assertPrice("2023-03-11T04:34:00Z", false, "20450.575", "20450.575", "20458.22", "21489.0");
        // 04:35 opens: the TWAP (20,456.76) is below the median (20,460.685).
        assertPrice("2023-03-11T04:35:00Z", true, "20456.76", "20460.685", "20456.76", "21634.06");
        // 18:31: the TWAP again.
        assertPrice("2023-03-11T18:31:00Z", true, "20486.0", "20496.29", "20486.0", "21572.87");
        // 20:04 closes: the normal price again.
        assertPrice("2023-03-11T20:04:00Z", false, "20473.86", "20473.86", "20461.98", "21399.99");
    }

    /**
     * The leg more than 10% above the median of the four fresh sources is excluded as an outlier and gives
     * no primary, hence no reading (07:37 to 08:43 on the 11th, among others): the incident stays open.
     */
    @Test
    void anOutlierPrimaryGivesNoReadingAndDoesNotCloseTheIncident() {
        // 07:42: Kraken 20,075.3, Binance.US 20,079.55, Coinbase 20,082.3 and the leg 22,619.77, 12.6% above the
        // four-source median 20,080.925: excluded. The median of the three venues is 20,079.55; the TWAP
        // (20,175.34) is above it, so the LTV price is the median.
        JsonNode n = prices.get(t("2023-03-11T07:42:00Z"));
        assertThat(n.get("primary").isNull()).isTrue();
        assertThat(n.get("excluded")).anySatisfy(x -> {
            assertThat(x.get("source").asText()).isEqualTo(LEG);
            assertThat(x.get("reason").asText()).isEqualTo("OUTLIER");
        });
        assertPrice("2023-03-11T07:42:00Z", true, "20079.55", "20079.55", "20175.34", null);
        for (JsonNode p : prices.subMap(t("2023-03-11T07:37:00Z"), true, t("2023-03-11T08:43:00Z"), true).values()) {
            assertThat(p.get("primary").isNull()).as("primary at %s", p.get("eventTime")).isTrue();
            assertThat(p.get("incidentOpen").asBoolean()).isTrue();
        }
    }

    /** Rule 7 (a): a liquidation never triggers while an incident is open. */
    @Test
    void noLiquidationTriggersInsideAnIncident() {
        List<JsonNode> triggers = events.values().stream().flatMap(List::stream)
                .filter(e -> e.get("type").asText().equals("LIQUIDATION_TRIGGERED"))
                .toList();
        assertThat(triggers).isNotEmpty();
        for (JsonNode e : triggers) {
            assertThat(insideAnIncident(t(e.get("eventTime").asText()))).as("%s", e).isFalse();
            assertThat(e.get("incidentOpen").asBoolean()).isFalse();
        }
        // Every hold of this book is a divergence hold, decided inside the long incident.
        assertThat(events.values().stream().flatMap(List::stream).filter(e -> e.get("type").asText().equals("LIQUIDATION_HELD")))
                .hasSize(2)
                .allSatisfy(e -> {
                    assertThat(e.get("holdReason").asText()).isEqualTo("DIVERGENCE_INCIDENT");
                    assertThat(e.get("reason").asText()).isEqualTo("THRESHOLD");
                    assertThat(e.get("incidentOpen").asBoolean()).isTrue();
                    assertThat(insideAnIncident(t(e.get("eventTime").asText()))).isTrue();
                });
    }

    /**
     * Rule 7 (b): F-H draws to 18,438 at 18:27:30, during the long incident. Liquidation at
     * P <= 18,438 / 0.90 = 20,486.67. The LTV prices: 18:27 20,495.206 (TWAP), 18:28 20,489.43,
     * 18:29 20,487.57, 18:30 20,489.81 (medians), 18:31 the TWAP 20,486.0: held there, although the
     * median (20,496.29, LTV 0.8996) would not have reached 0.90. At the close, 20:04, the normal price
     * is the median 20,473.86: LTV 0.900563, still at or above 0.90, so the hold triggers then.
     */
    @Test
    void heldDuringTheIncidentAndTriggeredAtItsCloseAtTheMedian() {
        assertThat(story("F-H", "2023-03-11T20:34:00Z")).containsExactly(
                // LTV 12,000 / 19,591.395 = 0.6125 at most before the draw: always HEALTHY, no event.
                // The draw at the 18:27 price (conservative: the TWAP 20,495.206): LTV 0.899625.
                "2023-03-11T18:27:30.000Z INITIAL_MARGIN_BREACH HEALTHY>MARGIN_CALL @20495.206 open",
                "2023-03-11T18:27:30.000Z MARGIN_CALL_ISSUED HEALTHY>MARGIN_CALL @20495.206 open disputed deadline 2023-03-13T18:27:30.000Z",
                // HEALTHY straight to MARGIN_CALL.
                "2023-03-11T18:27:30.000Z RAPID_DETERIORATION",
                "2023-03-11T18:31:00.000Z LIQUIDATION_HELD MARGIN_CALL>LIQUIDATION @20486.0 open THRESHOLD DIVERGENCE_INCIDENT",
                // 30 minutes after the hold, the incident still open.
                "2023-03-11T19:01:00.000Z LIQUIDATION_HOLD_ESCALATED LIQUIDATION>LIQUIDATION @20462.99 open THRESHOLD DIVERGENCE_INCIDENT",
                "2023-03-11T20:04:00.000Z LIQUIDATION_TRIGGERED LIQUIDATION>LIQUIDATION @20473.86 THRESHOLD",
                "2023-03-11T20:34:00.000Z LIQUIDATION_UNCONFIRMED LIQUIDATION>LIQUIDATION @20537.05");
        assertThat(lowestPrice("2023-03-09T00:00:00Z", "2023-03-11T18:27:00Z")).isEqualByComparingTo("19591.395");
        JsonNode trigger = find("F-H", "LIQUIDATION_TRIGGERED");
        JsonNode close = prices.get(t("2023-03-11T20:04:00Z"));
        assertThat(trigger.get("evaluationId").asText()).isEqualTo(close.get("evaluationId").asText());
        assertThat(trigger.get("ltvPrice").asText()).isEqualTo(close.get("median").asText());
        assertThat(trigger.get("ltv").asText()).isEqualTo("0.900563");
        // (18,438 - 0.6 x 20,473.86) / (20,473.86 x 0.4) = 0.751407404..., rounded up to 8 decimals.
        assertThat(trigger.get("liquidateCollateral").asText()).isEqualTo("0.75140741");
        assertThat(events.get("F-H")).filteredOn(e -> e.get("type").asText().equals("LIQUIDATION_TRIGGERED")).hasSize(1);
    }

    /**
     * Rule 7 (c): F-R draws to 18,000 at 05:30:30, before the long incident (LTV 18,000 / 20,506.77 =
     * 0.8778: margin call). Liquidation at P <= 20,000.00: every price from 05:30 to 07:56 is above it
     * (lowest 20,009.03 at 07:56); 07:57 is 19,991.4 (a tick as it came), inside the incident: held. At the close the
     * median 20,473.86 makes the LTV 0.8792, below 0.90: released.
     */
    @Test
    void heldDuringTheIncidentAndReleasedAtItsClose() {
        assertThat(story("F-R", "2023-03-11T20:04:00Z")).containsExactly(
                "2023-03-11T05:30:30.000Z INITIAL_MARGIN_BREACH HEALTHY>MARGIN_CALL @20506.77",
                // Issued outside any incident: not disputed.
                "2023-03-11T05:30:30.000Z MARGIN_CALL_ISSUED HEALTHY>MARGIN_CALL @20506.77 deadline 2023-03-13T05:30:30.000Z",
                "2023-03-11T05:30:30.000Z RAPID_DETERIORATION",
                "2023-03-11T07:57:00.000Z LIQUIDATION_HELD MARGIN_CALL>LIQUIDATION @19991.4 open THRESHOLD DIVERGENCE_INCIDENT",
                "2023-03-11T08:27:00.000Z LIQUIDATION_HOLD_ESCALATED LIQUIDATION>LIQUIDATION @20117.62 open THRESHOLD DIVERGENCE_INCIDENT",
                // Held in LIQUIDATION until the close; released there, its band catches up at the normal price.
                "2023-03-11T20:04:00.000Z LIQUIDATION_RELEASED LIQUIDATION>MARGIN_CALL @20473.86 THRESHOLD");
        assertThat(lowestPrice("2023-03-11T05:30:00Z", "2023-03-11T07:56:00Z")).isEqualByComparingTo("20009.03");
        // From 08:49 to the close never at or below 20,000.00: not due at the close, so released.
        assertThat(lowestPrice("2023-03-11T08:49:00Z", "2023-03-11T20:04:00Z")).isEqualByComparingTo("20094.72");
        JsonNode release = find("F-R", "LIQUIDATION_RELEASED");
        assertThat(release.get("evaluationId").asText()).isEqualTo(prices.get(t("2023-03-11T20:04:00Z")).get("evaluationId").asText());
        assertThat(release.get("ltv").asText()).isEqualTo("0.879170");
        assertThat(release.get("incidentOpen").asBoolean()).isFalse();
    }

    /**
     * Rule 7 (d): F-M draws to 16,080 at 05:30:30 (LTV 0.7841, WARNING). Margin call at P <= 20,100.00:
     * 07:41 is 20,116.61, 07:42 is 20,079.55, inside the long incident. F-H's call at 18:27:30 is the
     * other one issued during an incident; F-R's at 05:30:30 is not.
     */
    @Test
    void marginCallsIssuedDuringAnIncidentArePriceDisputed() {
        assertThat(story("F-M", "2023-03-11T07:42:00Z")).containsExactly(
                "2023-03-11T05:30:30.000Z INITIAL_MARGIN_BREACH HEALTHY>WARNING @20506.77",
                "2023-03-11T05:30:30.000Z LTV_WARNING HEALTHY>WARNING @20506.77",
                "2023-03-11T07:42:00.000Z MARGIN_CALL_ISSUED WARNING>MARGIN_CALL @20079.55 open disputed deadline 2023-03-13T07:42:00.000Z");
        assertThat(lowestPrice("2023-03-11T05:30:00Z", "2023-03-11T07:41:00Z")).isEqualByComparingTo("20116.61");
        List<String> calls = new ArrayList<>();
        for (List<JsonNode> list : events.values()) {
            for (JsonNode e : list) {
                if (e.get("type").asText().equals("MARGIN_CALL_ISSUED")) {
                    long at = t(e.get("eventTime").asText());
                    assertThat(e.get("priceDisputed").asBoolean()).as("%s", e).isEqualTo(insideAnIncident(at));
                    calls.add(e.get("facilityId").asText() + ' ' + e.get("eventTime").asText() + ' ' + e.get("priceDisputed").asBoolean());
                }
            }
        }
        assertThat(calls).containsExactlyInAnyOrder(
                "F-H 2023-03-11T18:27:30.000Z true", "F-R 2023-03-11T05:30:30.000Z false", "F-M 2023-03-11T07:42:00.000Z true");
        // No other lifecycle event is disputed.
        assertThat(events.values().stream().flatMap(List::stream)
                        .filter(e -> e.path("priceDisputed").asBoolean())
                        .allMatch(e -> e.get("type").asText().equals("MARGIN_CALL_ISSUED")))
                .isTrue();
    }

    // ---------------------------------------------------------------------------------------------

    /** Inside an incident: at or after its opening, before its close. */
    private static boolean insideAnIncident(long at) {
        long openedAt = Long.MIN_VALUE;
        for (JsonNode e : incidents) {
            long time = t(e.get("eventTime").asText());
            if (e.get("type").asText().equals("DIVERGENCE_OPENED")) {
                openedAt = time;
            } else if (at >= openedAt && at < time) {
                return true;
            }
        }
        return false;
    }

    private static void assertPrice(String iso, boolean open, String price, String median, String twap, String primary) {
        JsonNode n = prices.get(t(iso));
        assertThat(n).as("evaluation at %s", iso).isNotNull();
        assertThat(n.get("incidentOpen").asBoolean()).as("incidentOpen at %s", iso).isEqualTo(open);
        assertThat(n.get("price").asText()).as("price at %s", iso).isEqualTo(price);
        assertThat(n.get("median").asText()).as("median at %s", iso).isEqualTo(median);
        assertThat(n.get("twap").asText()).as("twap at %s", iso).isEqualTo(twap);
        if (primary == null) {
            assertThat(n.get("primary").isNull()).as("primary at %s", iso).isTrue();
        } else {
            assertThat(n.get("primary").asText()).as("primary at %s", iso).isEqualTo(primary);
        }
    }

    /** The lowest LTV price of the evaluations from {@code from} to {@code to}, both included. */
    private static BigDecimal lowestPrice(String from, String to) {
        return prices.subMap(t(from), true, t(to), true).values().stream()
                .map(n -> new BigDecimal(n.get("price").asText()))
                .min(BigDecimal::compareTo)
                .orElseThrow();
    }

    private static BigDecimal decimal(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : new BigDecimal(v.asText());
    }

    private static JsonNode find(String facility, String type) {
        return events.get(facility).stream().filter(e -> e.get("type").asText().equals(type)).findFirst().orElseThrow();
    }

    /** The facility's lifecycle events up to {@code until}, one line each. */
    private static List<String> story(String facility, String until) {
        List<String> lines = new ArrayList<>();
        for (JsonNode e : events.get(facility)) {
            if (t(e.get("eventTime").asText()) > t(until)) {
                continue;
            }
            String type = e.get("type").asText();
            StringBuilder line = new StringBuilder().append(e.get("eventTime").asText()).append(' ').append(type);
            if (!e.has("bandBefore")) {
                lines.add(line.toString()); // a CEP flag for the risk desk
                continue;
            }
            line.append(' ').append(e.get("bandBefore").asText()).append('>').append(e.get("bandAfter").asText())
                    .append(" @").append(e.get("ltvPrice").asText());
            if (e.get("incidentOpen").asBoolean()) {
                line.append(" open");
            }
            if (e.get("priceDisputed").asBoolean()) {
                line.append(" disputed");
            }
            if (type.equals("MARGIN_CALL_ISSUED")) {
                line.append(" deadline ").append(e.get("cureDeadline").asText());
            }
            if (type.startsWith("LIQUIDATION_") && e.hasNonNull("reason")) {
                line.append(' ').append(e.get("reason").asText());
            }
            if (e.hasNonNull("holdReason")) {
                line.append(' ').append(e.get("holdReason").asText());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static void open(List<String> book, String id, String borrower, String custodian) {
        book.add("{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"" + OPENED + "\",\"facilityId\":\"" + id + "\",\"borrowerId\":\""
                + borrower + "\",\"custodian\":\"" + custodian + "\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}");
        book.add("{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"" + OPENED + "\",\"facilityId\":\"" + id
                + "\",\"collateral\":\"1.00000000\",\"version\":1}");
        book.add("{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"" + OPENED + "\",\"facilityId\":\"" + id
                + "\",\"outstanding\":\"12000.00\",\"version\":1}");
    }

    private static String debt(String time, String id, String amount) {
        return "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"" + time + "\",\"facilityId\":\"" + id
                + "\",\"outstanding\":\"" + amount + "\",\"version\":2}";
    }
}
