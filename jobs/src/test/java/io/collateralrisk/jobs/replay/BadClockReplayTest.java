package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static io.collateralrisk.jobs.replay.ReplayFixtures.t;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real week (the March 2023 candles of Coinbase, Binance.US and Kraken) with a small loan book
 * that goes through warnings, margin calls, cures and liquidations, replayed twice: as it is, and
 * with records stamped before 1970, years ahead and two minutes ahead mixed into
 * {@code prices.jsonl} and {@code facility-events.jsonl}. The clock guards must make the second run
 * decide exactly as the first, the bad records on the dead-letter path with their reasons.
 */
class BadClockReplayTest {

    private static final String OPENED = "2023-03-09T00:00:00Z";

    private static Replay.Result clean;
    private static Replay.Result withBadClocks;
    /** The bad records' payloads, by the reason each must be refused with. */
    private static final Map<String, String> badPayloads = new TreeMap<>();

    @BeforeAll
    static void replay(@TempDir Path dir) throws Exception {
        List<String> ticks = BundledPrices.exchangeTicks("BTC-USD", BundledPrices.MARCH_2023_BTC_USD);
        List<String> book = book();
        ReplayFixtures.write(dir.resolve("clean"), Topics.PRICES, ticks);
        ReplayFixtures.write(dir.resolve("clean"), Topics.FACILITY_EVENTS, book);

        List<String> badTicks = new ArrayList<>(ticks);
        // Each inserted just before the first tick of a minute, so its neighbours are that minute's ticks.
        insertBefore(badTicks, "2023-03-13T06:00:00Z", bad("prices 2031", tick("2031-03-13T06:00:00Z", "coinbase", "21000")));
        insertBefore(badTicks, "2023-03-10T10:00:00Z", bad("prices 1969", tick("1969-12-31T23:59:00Z", "kraken", "19800")));
        insertBefore(badTicks, "2023-03-11T12:00:00Z", bad("prices two minutes ahead", tick("2023-03-11T12:02:00Z", "binanceus", "15000")));
        List<String> badBook = new ArrayList<>(book);
        int firstChange = badBook.indexOf(debt("2023-03-10T12:00:30Z", "F-B", "15700.00", 2));
        badBook.add(firstChange, bad("facility two minutes ahead", debt("2023-03-10T12:02:30Z", "F-D", "30000.00", 5)));
        badBook.add(firstChange, bad("facility 2031", debt("2031-03-10T12:00:30Z", "F-C", "1.00", 5)));
        badBook.add(firstChange, bad("facility 1969", debt("1969-07-20T20:17:00Z", "F-A", "99999.00", 5)));
        ReplayFixtures.write(dir.resolve("bad"), Topics.PRICES, badTicks);
        ReplayFixtures.write(dir.resolve("bad"), Topics.FACILITY_EVENTS, badBook);

        clean = new Replay(RiskConfig.defaults(), 2).run(dir.resolve("clean"));
        withBadClocks = new Replay(RiskConfig.defaults(), 2).run(dir.resolve("bad"));
    }

    @Test
    void theBadClocksChangeNoDecision() {
        assertThat(clean.topic(Topics.MARGIN_CALLS)).as("the book must see margin calls and liquidations").hasSizeGreaterThan(10);
        assertThat(clean.topic(Topics.MARGIN_CALLS)).extracting(r -> json(r).get("type").asText())
                .contains("MARGIN_CALL_ISSUED", "MARGIN_CALL_CURED", "LIQUIDATION_TRIGGERED");
        for (String topic : List.of(Topics.MARGIN_CALLS, Topics.LTV, Topics.REFERENCE_PRICES, Topics.PRICE_ALERTS, Topics.DIVERGENCE)) {
            assertThat(withBadClocks.topic(topic)).as(topic).containsExactlyElementsOf(clean.topic(topic));
        }
        assertThat(withBadClocks.topic(Replay.UNFIRED_DEADLINES)).isEqualTo(clean.topic(Replay.UNFIRED_DEADLINES));
        assertThat(withBadClocks.eventTimeHorizon()).as("a refused record does not move the end of event time")
                .isEqualTo(clean.eventTimeHorizon());
    }

    @Test
    void everyBadRecordIsADeadLetterWithItsReasonAndAValidTime() {
        assertThat(clean.topic(Topics.DEAD_LETTER)).isEmpty();
        List<JsonNode> dead = withBadClocks.topic(Topics.DEAD_LETTER).stream().map(ReplayFixtures::json).toList();
        Map<String, String> reasonByPayload = new TreeMap<>();
        dead.forEach(d -> reasonByPayload.put(d.get("payload").asText(), d.get("reason").asText()));

        assertThat(reasonByPayload).containsOnlyKeys(badPayloads.values());
        badPayloads.forEach((what, payload) -> assertThat(reasonByPayload.get(payload)).as(what)
                .isEqualTo(what.endsWith("1969") ? "INVALID_TIME:eventTime" : "FUTURE_EVENT"));
        // Each stamped with its reference clock: inside the week, never its own broken time.
        for (JsonNode d : dead) {
            assertThat(t(d.get("eventTime").asText())).as(d.get("payload").asText())
                    .isBetween(t("2023-03-09T00:00:00Z"), t("2023-03-15T00:00:00Z"));
        }
        ReplayFixtures.assertAllValid(withBadClocks);
    }

    private static String bad(String what, String payload) {
        badPayloads.put(what, payload);
        return payload;
    }

    private static void insertBefore(List<String> lines, String iso, String line) {
        long at = t(iso);
        for (int i = 0; i < lines.size(); i++) {
            if (InputParser.eventTimeOrElse(lines.get(i), Long.MIN_VALUE) == at) {
                lines.add(i, line);
                return;
            }
        }
        throw new IllegalArgumentException("no tick at " + iso);
    }

    private static String tick(String time, String source, String price) {
        return "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + time + "\",\"pair\":\"BTC-USD\",\"source\":\"" + source
                + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
    }

    /** The loan book of {@link MarchLoanBookReplayTest}: 1 BTC each, policy standard. */
    private static List<String> book() {
        List<String> book = new ArrayList<>();
        open(book, "F-A", "10000.00");
        open(book, "F-B", "14000.00");
        open(book, "F-C", "15700.00");
        open(book, "F-D", "16500.00");
        open(book, "F-E", "17700.00");
        open(book, "F-F", "10000.00");
        open(book, "F-G", "16500.00");
        book.add(debt("2023-03-10T12:00:30Z", "F-B", "15700.00", 2));
        book.add(collateral("2023-03-10T12:00:30Z", "F-G", "1.25000000", 2));
        book.add(debt("2023-03-14T17:00:30Z", "F-F", "20000.00", 2));
        return book;
    }

    private static void open(List<String> book, String id, String debt) {
        book.add("{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"" + OPENED + "\",\"facilityId\":\"" + id + "\",\"borrowerId\":\"B" + id
                + "\",\"custodian\":\"bitgo\",\"pair\":\"BTC-USD\",\"policy\":\"standard\"}");
        book.add(collateral(OPENED, id, "1.00000000", 1));
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
}
