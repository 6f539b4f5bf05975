package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static io.collateralrisk.jobs.replay.ReplayFixtures.t;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.cli.CodeVersion;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * A small hand-made loan book (1 BTC per facility, policy {@code standard}: IM 0.60, warning
 * 0.70, margin call 0.80, liquidation 0.90, hysteresis 0.01, cure 48 h, target 0.60) replayed
 * with the real March 2023 candles of Coinbase, Binance.US and Kraken through the whole job.
 *
 * <p>Every expected instant and price below was computed by hand from the CSVs: the reference
 * price at a minute end is the median of the three venues' closes of the candle that opened a
 * minute earlier, rounded half-even to cents (e.g. 10:48 on the 10th: closes 19,648.26,
 * 19,646.61 and 19,647.8, median 19,647.80). A facility with debt {@code D} crosses a threshold
 * {@code th} at the first evaluation with {@code P <= D / th} and leaves the band above it at the
 * first one with {@code P > D / (th - 0.01)}.
 *
 * <pre>
 * trigger prices D / (C x threshold), in USD, 1 BTC each:
 * facility  debt (USD)              warning    margin call  cure (0.79)    liquidation
 * F-A       10,000                  14,285.71  12,500.00    12,658.22      11,111.11
 * F-B       14,000; 15,700 from 10th 12:00:30 (warning 20,000.00, healthy again above 22,753.62)
 * F-C       15,700                  22,428.57  19,625.00    19,873.41      17,444.44
 * F-D       16,500                  23,571.42  20,625.00    20,886.07      18,333.33
 * F-E       17,700                  25,285.71  22,125.00    22,405.06      19,666.66
 * F-F       10,000; 20,000 from 14th 17:00:30 (margin call 25,000.00, cure above 25,316.45)
 * F-G       16,500, collateral 1.25 from 10th 12:00:30 (as F-D until then)
 * </pre>
 */
class MarchLoanBookReplayTest {

    private static final String OPENED = "2023-03-09T00:00:00Z";
    private static final BigDecimal ONE_BTC = new BigDecimal("1.00000000");

    private static Replay.Result result;
    /** Lifecycle events per facility, by event time, then type. */
    private static final Map<String, List<JsonNode>> events = new LinkedHashMap<>();
    /** The job's reference prices by event time. */
    private static final NavigableMap<Long, JsonNode> prices = new TreeMap<>();

    @BeforeAll
    static void replay(@TempDir Path dir) throws Exception {
        ReplayFixtures.write(dir, Topics.PRICES, BundledPrices.exchangeTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USD));
        List<String> book = new ArrayList<>();
        open(book, "F-A", "B-A", "bitgo", "10000.00");
        open(book, "F-B", "B-B", "anchorage", "14000.00");
        open(book, "F-C", "B-C", "coinbase-custody", "15700.00");
        open(book, "F-D", "B-D", "bitgo", "16500.00");
        open(book, "F-E", "B-E", "anchorage", "17700.00");
        open(book, "F-F", "B-F", "coinbase-custody", "10000.00");
        open(book, "F-G", "B-G", "bitgo", "16500.00");
        // F-B draws more while in WARNING; F-G posts 0.25 BTC during its cure period; F-F draws on the 14th.
        book.add(debt("2023-03-10T12:00:30Z", "F-B", "15700.00", 2));
        book.add(collateral("2023-03-10T12:00:30Z", "F-G", "1.25000000", 2));
        book.add(debt("2023-03-14T17:00:30Z", "F-F", "20000.00", 2));
        ReplayFixtures.write(dir, Topics.FACILITY_EVENTS, book);

        result = new Replay(RiskConfig.defaults(), 2).run(dir);

        for (String id : List.of("F-A", "F-B", "F-C", "F-D", "F-E", "F-F", "F-G")) {
            events.put(id, new ArrayList<>());
        }
        for (OutputRecord r : result.topic(Topics.MARGIN_CALLS)) {
            events.get(r.key()).add(json(r));
        }
        // The files order one instant's events by id; read them in time, then type order.
        Comparator<JsonNode> order = Comparator.comparingLong((JsonNode e) -> t(e.get("eventTime").asText()))
                .thenComparing(e -> e.get("type").asText());
        events.values().forEach(list -> list.sort(order));
        for (OutputRecord r : result.topic(Topics.REFERENCE_PRICES)) {
            prices.put(r.eventTime(), json(r));
        }
    }

    @Test
    void everyOutputMatchesItsSchemaAndNothingIsDeadLettered() {
        // The output topics only: the unfired-deadlines listing is not a topic and has no schema.
        for (String topic : Topics.OUTPUTS) {
            result.topic(topic).forEach(r -> OutputContract.assertValid(r.json()));
        }
        assertThat(result.topic(Topics.DEAD_LETTER)).isEmpty();
        assertThat(result.topic(Topics.PRICE_ALERTS)).isEmpty();
        // No oracle feeds the pair: no divergence reading, so no incident and no hold.
        assertThat(result.topic(Topics.DIVERGENCE)).isEmpty();
    }

    @Test
    void theHandComputedPricesAreTheJobsReferencePrices() {
        // Each is the median of the three closes of the candle opened a minute earlier.
        assertThat(referencePrice("2023-03-09T00:01:00Z")).isEqualByComparingTo("21712.51"); // 21712.64, 21712.51, 21708.1
        assertThat(referencePrice("2023-03-10T01:16:00Z")).isEqualByComparingTo("20002.35");
        assertThat(referencePrice("2023-03-10T01:17:00Z")).isEqualByComparingTo("19913.30"); // 19913.3, 19918.21, 19890.3
        assertThat(referencePrice("2023-03-10T10:48:00Z")).isEqualByComparingTo("19647.80"); // 19648.26, 19646.61, 19647.8
        assertThat(referencePrice("2023-03-10T10:59:00Z")).isEqualByComparingTo("19614.80"); // 19615.49, 19612.42, 19614.8
        assertThat(referencePrice("2023-03-10T12:00:00Z")).isEqualByComparingTo("19759.33");
        assertThat(referencePrice("2023-03-11T20:21:00Z")).isEqualByComparingTo("20456.10"); // 20469.48, 20442.38, 20456.1
        assertThat(referencePrice("2023-03-14T19:14:00Z")).isEqualByComparingTo("24769.67"); // 24769.67, 24748.94, 24776.2
        // Coinbase (no candle 02:40-02:43 on the 10th) stale at 02:42:00.001: the mean of the two closes
        // standing since 02:42, Binance.US 20,081.72 and Kraken 20,091.7.
        assertThat(referencePrice("2023-03-10T02:42:00.001Z")).isEqualByComparingTo("20086.71");
    }

    /** F-A: LTV at most 10,000 / 19,594.56 (the lowest reference price, 11:24 on the 10th) = 0.5103. */
    @Test
    void aFacilityFarFromItsThresholdsNeverAlerts() {
        assertThat(lowestReferencePrice()).isEqualByComparingTo("19594.56");
        assertThat(events.get("F-A")).isEmpty();
    }

    @Test
    void warningOnTheCrashAndHealthyAgainInTheRallyOfTheThirteenth() {
        assertThat(story("F-B")).containsExactly(
                // First LTV 14,000 / 21,712.51 = 0.6448: at or above the initial margin, still HEALTHY.
                "2023-03-09T00:01:00.000Z INITIAL_MARGIN_BREACH HEALTHY>HEALTHY @21712.51",
                // 01:16 is 20,002.35 (LTV 0.699918); 01:17 is 19,913.30, the first at or below 20,000.00.
                "2023-03-10T01:17:00.000Z LTV_WARNING HEALTHY>WARNING @19913.3",
                // The draw to 15,700 at the 12:00 price: LTV 0.7946, a debt increase at or above IM, still WARNING.
                "2023-03-10T12:00:30.000Z INITIAL_MARGIN_BREACH WARNING>WARNING @19759.33",
                // Back below 0.69 only above 22,753.62: not at 22,718.70 (00:46 on the 13th), first at 14:09 (LTV 0.6801).
                "2023-03-13T14:09:00.000Z LTV_HEALTHY WARNING>HEALTHY @23085.44");
        // Between 01:17 and the draw the price rose above 20,000.00 (LTV below 0.70) many times,
        // never above 20,289.85 (below 0.69): hysteresis kept it in WARNING without flapping.
        assertThat(pricesBetween("2023-03-10T01:17:00Z", "2023-03-10T12:00:00Z"))
                .anyMatch(p -> p.compareTo(new BigDecimal("20000.00")) > 0)
                .allMatch(p -> p.compareTo(new BigDecimal("20289.85")) <= 0);
        JsonNode draw = events.get("F-B").get(2);
        assertThat(draw.get("outstanding").asText()).isEqualTo("15700.00");
        assertThat(draw.get("debtVersion").asInt()).isEqualTo(2);
        assertThat(draw.get("ltv").asText()).isEqualTo("0.794561");
    }

    @Test
    void marginCallOnTheCrashCuredByTheRecoveryBeforeItsDeadline() {
        assertThat(story("F-C")).containsExactly(
                // First LTV 15,700 / 21,712.51 = 0.7231.
                "2023-03-09T00:01:00.000Z INITIAL_MARGIN_BREACH HEALTHY>WARNING @21712.51",
                "2023-03-09T00:01:00.000Z LTV_WARNING HEALTHY>WARNING @21712.51",
                // The 10:48 low makes LTV 0.7991, 10:58 0.7995; 10:59 (19,614.80) is the first at or below 19,625.00.
                "2023-03-10T10:59:00.000Z MARGIN_CALL_ISSUED WARNING>MARGIN_CALL @19614.8 deadline 2023-03-12T10:59:00.000Z",
                // 12:45 is 19,865.59 (LTV 0.7903); 12:46 is 19,885.85, the first above 19,873.41 (LTV 0.7895).
                "2023-03-10T12:46:00.000Z MARGIN_CALL_CURED MARGIN_CALL>WARNING @19885.85",
                // Below 0.69 above 22,753.62, as F-B after its draw.
                "2023-03-13T14:09:00.000Z LTV_HEALTHY WARNING>HEALTHY @23085.44");
        JsonNode call = events.get("F-C").get(2);
        assertThat(call.get("ltv").asText()).isEqualTo("0.800416");
        // To cure: below 0.79 at 19,614.80, i.e. 15,700 < 0.79 x (1 + x) x 19,614.80.
        assertThat(call.get("toCure").get("collateralToPost").asText()).isEqualTo("0.01318483");
        assertThat(call.get("toCure").get("debtToRepay").asText()).isEqualTo("204.31");
        assertThat(events.get("F-C")).noneMatch(e -> e.get("type").asText().startsWith("LIQUIDATION_"));
    }

    @Test
    void uncuredMarginCallIsLiquidatedAtItsDeadline() {
        assertThat(story("F-D")).containsExactly(
                // First LTV 16,500 / 21,712.51 = 0.7599.
                "2023-03-09T00:01:00.000Z INITIAL_MARGIN_BREACH HEALTHY>WARNING @21712.51",
                "2023-03-09T00:01:00.000Z LTV_WARNING HEALTHY>WARNING @21712.51",
                // The slide of the 9th: 20:20 is 20,664.28 (LTV 0.7985); 20:21 is 20,602.57 (0.8009) <= 20,625.00.
                "2023-03-09T20:21:00.000Z MARGIN_CALL_ISSUED WARNING>MARGIN_CALL @20602.57 deadline 2023-03-11T20:21:00.000Z",
                // Never above 20,886.07 before the deadline (highest 20,874.24 at 01:57 on the 11th, LTV 0.7904):
                // expired at 20:21 on the 11th, priced at that minute's evaluation.
                "2023-03-11T20:21:00.000Z LIQUIDATION_TRIGGERED MARGIN_CALL>MARGIN_CALL @20456.1 CURE_EXPIRED",
                // No custodian answer within 30 minutes; the event shows the price of that minute.
                "2023-03-11T20:51:00.000Z LIQUIDATION_UNCONFIRMED MARGIN_CALL>MARGIN_CALL @20542.08");
                // The sale is never answered: the facility stays in liquidation, and the recovery of the
                // 12th and 13th (above 20,886.07 from 17:27 on the 12th) tells the borrower nothing.
        assertThat(pricesBetween("2023-03-09T20:21:00Z", "2023-03-11T20:21:00Z"))
                .allMatch(p -> p.compareTo(new BigDecimal("20886.07")) <= 0);

        JsonNode liquidation = events.get("F-D").get(3);
        assertThat(liquidation.get("eventTime").asText()).isEqualTo(Times.format(t("2023-03-11T20:21:00Z")));
        BigDecimal price = new BigDecimal(liquidation.get("ltvPrice").asText());
        assertThat(price).isEqualByComparingTo(referencePrice("2023-03-11T20:21:00Z"));
        assertThat(liquidation.get("evaluationId").asText())
                .isEqualTo(prices.get(t("2023-03-11T20:21:00Z")).get("evaluationId").asText());
        // (16,500 - 0.6 x 20,456.10) / (20,456.10 x 0.4) = 0.516513417..., up to 8 decimals.
        assertThat(new BigDecimal(liquidation.get("liquidateCollateral").asText()))
                .isEqualTo(sized("16500.00", ONE_BTC, price))
                .isEqualTo(new BigDecimal("0.51651342"));
        assertThat(liquidation.get("shortfall").isNull()).isTrue();
        assertThat(events.get("F-D").get(4).get("liquidationId").asText()).isEqualTo(liquidation.get("liquidationId").asText());
    }

    @Test
    void thresholdLiquidationOnTheCrashThenUnconfirmed() {
        List<String> story = story("F-E");
        assertThat(story).containsExactly(
                // First LTV 17,700 / 21,712.51 = 0.8152: straight into MARGIN_CALL.
                "2023-03-09T00:01:00.000Z INITIAL_MARGIN_BREACH HEALTHY>MARGIN_CALL @21712.51",
                "2023-03-09T00:01:00.000Z MARGIN_CALL_ISSUED HEALTHY>MARGIN_CALL @21712.51 deadline 2023-03-11T00:01:00.000Z",
                // 10:47 is 19,702.59 (LTV 0.8984); the 10:48 low, 19,647.80, makes it 0.9009 (<= 19,666.66).
                "2023-03-10T10:48:00.000Z LIQUIDATION_TRIGGERED MARGIN_CALL>LIQUIDATION @19647.8 THRESHOLD",
                // No custodian answer within 30 minutes; the event shows the price of that minute.
                "2023-03-10T11:18:00.000Z LIQUIDATION_UNCONFIRMED LIQUIDATION>LIQUIDATION @19693.18");
                // Its call's deadline (00:01 on the 11th) passes while the liquidation is pending: no second
                // trigger; and with the sale unanswered the facility stays in liquidation through the recovery.
        assertThat(story).filteredOn(s -> s.contains("LIQUIDATION_TRIGGERED")).hasSize(1);
        assertThat(story).noneMatch(s -> s.contains("CURE_EXPIRED"));

        JsonNode liquidation = events.get("F-E").get(2);
        assertThat(liquidation.get("ltv").asText()).isEqualTo("0.900864");
        BigDecimal price = new BigDecimal(liquidation.get("ltvPrice").asText());
        assertThat(price).isEqualByComparingTo(referencePrice("2023-03-10T10:48:00Z"));
        // (17,700 - 0.6 x 19,647.80) / (19,647.80 x 0.4) = 0.752160547..., up to 8 decimals.
        assertThat(new BigDecimal(liquidation.get("liquidateCollateral").asText()))
                .isEqualTo(sized("17700.00", ONE_BTC, price))
                .isEqualTo(new BigDecimal("0.75216055"));
        // The margin call issued on the 9th still runs when the threshold is reached.
        assertThat(liquidation.get("cureDeadline").asText()).isEqualTo("2023-03-11T00:01:00.000Z");
        JsonNode unconfirmed = events.get("F-E").get(3);
        assertThat(unconfirmed.get("liquidationId").asText()).isEqualTo(liquidation.get("liquidationId").asText());
    }

    @Test
    void marginCallCuredByPostedCollateral() {
        assertThat(story("F-G")).containsExactly(
                "2023-03-09T00:01:00.000Z INITIAL_MARGIN_BREACH HEALTHY>WARNING @21712.51",
                "2023-03-09T00:01:00.000Z LTV_WARNING HEALTHY>WARNING @21712.51",
                "2023-03-09T20:21:00.000Z MARGIN_CALL_ISSUED WARNING>MARGIN_CALL @20602.57 deadline 2023-03-11T20:21:00.000Z",
                // 1.25 BTC at the 12:00 price: 16,500 / (1.25 x 19,759.33) = 0.6680, below 0.69 at once.
                // Afterwards warning would need P <= 18,857.14, never reached.
                "2023-03-10T12:00:30.000Z MARGIN_CALL_CURED MARGIN_CALL>HEALTHY @19759.33");
        JsonNode cure = events.get("F-G").get(3);
        assertThat(cure.get("collateral").asText()).isEqualTo("1.25000000");
        assertThat(cure.get("collateralVersion").asInt()).isEqualTo(2);
        assertThat(cure.get("ltv").asText()).isEqualTo("0.668039");
    }

    @Test
    void aMarginCallOfTheFourteenthKeepsItsDeadlineUnfired() {
        assertThat(story("F-F")).containsExactly(
                // The draw to 20,000 at the 17:00 price (25,948.10): LTV 0.7708.
                "2023-03-14T17:00:30.000Z INITIAL_MARGIN_BREACH HEALTHY>WARNING @25948.1",
                "2023-03-14T17:00:30.000Z LTV_WARNING HEALTHY>WARNING @25948.1",
                // 19:13 is 25,010.76 (LTV 0.7997); 19:14 is 24,769.67 (0.8074), the first at or below 25,000.00.
                "2023-03-14T19:14:00.000Z MARGIN_CALL_ISSUED WARNING>MARGIN_CALL @24769.67 deadline 2023-03-16T19:14:00.000Z");
        // Never above 25,316.45 again before the end (highest 25,188.68 at 20:04): the call is still running
        // when the input ends at 00:00 on the 15th, and its deadline lies after that.
        assertThat(pricesBetween("2023-03-14T19:14:00Z", "2023-03-15T00:00:00Z"))
                .allMatch(p -> p.compareTo(new BigDecimal("25316.45")) <= 0);
        assertThat(result.eventTimeHorizon()).isEqualTo(t("2023-03-15T00:00:00Z"));
        List<JsonNode> unfired = result.topic(Replay.UNFIRED_DEADLINES).stream().map(ReplayFixtures::json).toList();
        assertThat(unfired).hasSize(1);
        assertThat(unfired.get(0).get("type").asText()).isEqualTo("CURE_DEADLINE_PENDING");
        assertThat(unfired.get(0).get("facilityId").asText()).isEqualTo("F-F");
        assertThat(unfired.get(0).get("cureDeadline").asText()).isEqualTo("2023-03-16T19:14:00.000Z");
        // The only expired cure in the output is F-D's.
        assertThat(events.values().stream().flatMap(List::stream)
                        .filter(e -> "CURE_EXPIRED".equals(e.get("reason").asText(null)))
                        .map(e -> e.get("facilityId").asText() + " " + e.get("eventTime").asText()))
                .containsExactly("F-D 2023-03-11T20:21:00.000Z");
        for (List<JsonNode> list : events.values()) {
            assertThat(list).allMatch(e -> t(e.get("eventTime").asText()) <= result.eventTimeHorizon());
        }
    }

    /** Every band move on {@code risk.ltv}, including those no lifecycle event reports. */
    @Test
    void bandsOnTheLtvTopicMoveAtTheHandComputedMinutes() {
        assertThat(bands("F-A")).containsExactly("2023-03-09T00:01:00.000Z HEALTHY");
        assertThat(bands("F-B")).containsExactly(
                "2023-03-09T00:01:00.000Z HEALTHY", "2023-03-10T01:17:00.000Z WARNING", "2023-03-13T14:09:00.000Z HEALTHY");
        assertThat(bands("F-C")).containsExactly(
                "2023-03-09T00:01:00.000Z WARNING", "2023-03-10T10:59:00.000Z MARGIN_CALL",
                "2023-03-10T12:46:00.000Z WARNING", "2023-03-13T14:09:00.000Z HEALTHY");
        // F-D and F-E stay in the band their unanswered liquidation left them in.
        assertThat(bands("F-D")).containsExactly(
                "2023-03-09T00:01:00.000Z WARNING", "2023-03-09T20:21:00.000Z MARGIN_CALL");
        assertThat(bands("F-E")).containsExactly(
                "2023-03-09T00:01:00.000Z MARGIN_CALL",
                "2023-03-10T10:48:00.000Z LIQUIDATION");
        assertThat(bands("F-F")).containsExactly(
                "2023-03-09T00:01:00.000Z HEALTHY", "2023-03-14T17:00:30.000Z WARNING", "2023-03-14T19:14:00.000Z MARGIN_CALL");
        assertThat(bands("F-G")).containsExactly(
                "2023-03-09T00:01:00.000Z WARNING", "2023-03-09T20:21:00.000Z MARGIN_CALL", "2023-03-10T12:00:30.000Z HEALTHY");
    }

    @Test
    void everyLifecycleEventCarriesItsProvenance() {
        RiskConfig config = RiskConfig.defaults();
        Map<String, BigDecimal> debts = Map.of("F-A", new BigDecimal("10000"), "F-C", new BigDecimal("15700"),
                "F-D", new BigDecimal("16500"), "F-E", new BigDecimal("17700"));
        int count = 0;
        for (var entry : events.entrySet()) {
            for (JsonNode e : entry.getValue()) {
                count++;
                String type = e.get("type").asText();
                long at = t(e.get("eventTime").asText());
                assertThat(e.get("facilityId").asText()).isEqualTo(entry.getKey());
                assertThat(e.get("borrowerId").asText()).isEqualTo("B" + entry.getKey().substring(1));
                assertThat(e.get("pair").asText()).isEqualTo("BTC-USD");
                assertThat(e.get("configHash").asText()).as("%s", e).isEqualTo(config.configHash());
                assertThat(e.get("codeVersion").asText()).as("%s", e).isEqualTo(CodeVersion.get());
                assertThat(e.get("incidentOpen").asBoolean()).isFalse();
                assertThat(e.get("priceDisputed").asBoolean()).isFalse();
                // The price used is the pair's last evaluation at or before the event.
                JsonNode evaluation = prices.floorEntry(at).getValue();
                assertThat(e.get("evaluationId").asText()).as("%s", e).isEqualTo(evaluation.get("evaluationId").asText());
                assertThat(new BigDecimal(e.get("ltvPrice").asText())).as("%s", e)
                        .isEqualByComparingTo(evaluation.get("price").asText());
                JsonNode policy = e.get("policy");
                assertThat(policy.get("name").asText()).isEqualTo("standard");
                assertThat(new BigDecimal(policy.get("initialMargin").asText())).isEqualByComparingTo("0.60");
                assertThat(new BigDecimal(policy.get("warning").asText())).isEqualByComparingTo("0.70");
                assertThat(new BigDecimal(policy.get("marginCall").asText())).isEqualByComparingTo("0.80");
                assertThat(new BigDecimal(policy.get("liquidation").asText())).isEqualByComparingTo("0.90");
                assertThat(new BigDecimal(policy.get("liquidationTarget").asText())).isEqualByComparingTo("0.60");
                assertThat(policy.get("curePeriodSeconds").asLong()).isEqualTo(48 * 3600);
                List<String> recipients = new ArrayList<>();
                e.get("recipients").forEach(r -> recipients.add(r.asText()));
                assertThat(recipients).as("%s", type).containsExactlyInAnyOrderElementsOf(expectedRecipients(type));
                BigDecimal debt = debts.get(entry.getKey());
                if (debt != null) {
                    // Trigger prices D / (C x threshold), rounded down to the pair's price scale (8), not to cents.
                    JsonNode triggers = e.get("triggerPrices");
                    assertThat(triggers.get("warning").asText()).isEqualTo(trigger(debt, "0.70"));
                    assertThat(triggers.get("marginCall").asText()).isEqualTo(trigger(debt, "0.80"));
                    assertThat(triggers.get("liquidation").asText()).isEqualTo(trigger(debt, "0.90"));
                }
                if (type.equals("LIQUIDATION_TRIGGERED")) {
                    assertThat(e.get("liquidationId").isNull()).isFalse();
                }
            }
        }
        assertThat(count).isGreaterThanOrEqualTo(25);
        assertThat(events.get("F-D").get(0).get("triggerPrices").get("marginCall").asText()).isEqualTo("20625.00000000");
        assertThat(events.get("F-E").get(0).get("triggerPrices").get("liquidation").asText()).isEqualTo("19666.66666666");
    }

    @Test
    void noRiskFlagsForThisBook() {
        // Every deterioration into MARGIN_CALL came from a band entered hours or days before.
        assertThat(events.values().stream().flatMap(List::stream).map(e -> e.get("type").asText()))
                .doesNotContain("RAPID_DETERIORATION", "REPEATED_MARGIN_CALLS", "LIQUIDATION_HELD", "COLLATERAL_MISSING");
    }

    // ---------------------------------------------------------------------------------------------

    private static void open(List<String> book, String id, String borrower, String custodian, String debt) {
        book.add("{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"" + OPENED + "\",\"facilityId\":\"" + id + "\",\"borrowerId\":\""
                + borrower + "\",\"custodian\":\"" + custodian + "\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}");
        book.add(collateral(OPENED, id, ONE_BTC.toPlainString(), 1));
        book.add(debt(OPENED, id, debt, 1));
    }

    private static String collateral(String time, String id, String amount, int version) {
        return "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"" + time + "\",\"facilityId\":\"" + id
                + "\",\"collateral\":\"" + amount + "\",\"version\":" + version + "}";
    }

    private static String debt(String time, String id, String amount, int version) {
        return "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"" + time + "\",\"facilityId\":\"" + id
                + "\",\"outstanding\":\"" + amount + "\",\"version\":" + version + "}";
    }

    /** One line per lifecycle event: time, type, bands, price, and the reason or deadline where it matters. */
    private static List<String> story(String facility) {
        List<String> lines = new ArrayList<>();
        for (JsonNode e : events.get(facility)) {
            String type = e.get("type").asText();
            StringBuilder line = new StringBuilder()
                    .append(e.get("eventTime").asText()).append(' ').append(type).append(' ')
                    .append(e.get("bandBefore").asText()).append('>').append(e.get("bandAfter").asText())
                    .append(" @").append(e.get("ltvPrice").asText());
            if (type.equals("MARGIN_CALL_ISSUED")) {
                line.append(" deadline ").append(e.get("cureDeadline").asText());
            }
            if (type.equals("LIQUIDATION_TRIGGERED")) {
                line.append(' ').append(e.get("reason").asText());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** The facility's band moves on {@code risk.ltv}: time and band of each record whose band differs from the one before. */
    private static List<String> bands(String facility) {
        List<String> moves = new ArrayList<>();
        String band = null;
        for (OutputRecord r : result.topic(Topics.LTV)) {
            JsonNode n = json(r);
            if (!r.key().equals(facility) || n.get("band").isNull() || n.get("band").asText().equals(band)) {
                continue;
            }
            band = n.get("band").asText();
            moves.add(n.get("eventTime").asText() + ' ' + band);
        }
        return moves;
    }

    private static BigDecimal referencePrice(String iso) {
        JsonNode n = prices.get(t(iso));
        assertThat(n).as("evaluation at %s", iso).isNotNull();
        assertThat(n.get("status").asText()).isEqualTo("OK");
        return new BigDecimal(n.get("price").asText());
    }

    private static BigDecimal lowestReferencePrice() {
        return prices.values().stream().map(n -> new BigDecimal(n.get("price").asText())).min(BigDecimal::compareTo).orElseThrow();
    }

    /** The reference prices strictly after {@code from} and up to {@code to}. */
    private static List<BigDecimal> pricesBetween(String from, String to) {
        return prices.subMap(t(from), false, t(to), true).values().stream()
                .map(n -> new BigDecimal(n.get("price").asText()))
                .toList();
    }

    /** x = (D - L*C*P) / (P*(1 - L)) with L = 0.60, rounded up to 8 decimals. */
    private static BigDecimal sized(String debt, BigDecimal collateral, BigDecimal price) {
        BigDecimal target = new BigDecimal("0.60");
        BigDecimal excess = new BigDecimal(debt).subtract(target.multiply(collateral).multiply(price));
        return excess.divide(price.multiply(BigDecimal.ONE.subtract(target)), 8, RoundingMode.CEILING);
    }

    private static String trigger(BigDecimal debt, String threshold) {
        return debt.divide(new BigDecimal(threshold), 8, RoundingMode.FLOOR).toPlainString();
    }

    private static List<String> expectedRecipients(String type) {
        if (type.startsWith("LIQUIDATION_")) {
            return List.of("borrower", "lender", "custodian");
        }
        return switch (type) {
            case "INITIAL_MARGIN_BREACH", "COLLATERAL_MISSING", "RAPID_DETERIORATION", "REPEATED_MARGIN_CALLS" -> List.of("lender");
            default -> List.of("borrower", "lender");
        };
    }
}
