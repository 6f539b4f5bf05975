package io.collateralrisk.jobs.replay;

import static io.collateralrisk.jobs.replay.ReplayFixtures.json;
import static io.collateralrisk.jobs.replay.ReplayFixtures.t;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.importer.PriceImporter;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Coinbase USDT-USD minutes of 9 to 14 March 2023 as a pair of their own (asset USDT,
 * one exchange, quorum 1): a stablecoin trades within a few hundredths of a cent of 1, so only
 * prices kept as they arrived (0.99986, 1.0004) can price it, and a decision at cents would be
 * taken on 1.00 every minute.
 *
 * <p>Facility F-USDT: 1,000,000 USDT against 799,800.00 USD, so the 0.80 margin call is reached at
 * exactly 0.99975 USD (LTV 0.79998 at 0.99977). The first minute at or below that is the candle
 * opening 09:14 on 9 March (close 0.99975, its tick at 09:15): the margin call is issued there,
 * on the fifth decimal, and not a minute before.
 */
class StablecoinPrecisionReplayTest {

    private static final RiskConfig USDT = ConfigLoader.parse("""
            assets: {USDT: {scale: 6}}
            pairs: {USDT-USD: {quorum: 1, bounds: {min: '0.5', max: '2'}}}
            """);

    private static List<String> ticks;
    private static Replay.Result result;

    @BeforeAll
    static void replay(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        PriceImporter.convert(PriceImporter.Format.CANDLES, "coinbase", SourceKind.EXCHANGE, "USDT-USD",
                List.of(BundledPrices.dataDir().resolve("svb-usdc-depeg-2023-03").resolve("coinbase_usdt-usd_1m.csv.gz")), out);
        ticks = out.toString().lines().toList();
        ReplayFixtures.write(dir, Topics.PRICES, ticks);
        ReplayFixtures.write(dir, Topics.FACILITY_EVENTS, List.of(
                "{\"type\":\"FACILITY_OPENED\",\"eventTime\":\"2023-03-09T00:00:00Z\",\"facilityId\":\"F-USDT\",\"borrowerId\":\"B-1\",\"custodian\":\"bitgo\",\"pair\":\"USDT-USD\",\"policy\":\"standard\"}",
                "{\"type\":\"COLLATERAL_UPDATED\",\"eventTime\":\"2023-03-09T00:00:00Z\",\"facilityId\":\"F-USDT\",\"collateral\":\"1000000.000000\",\"version\":1}",
                "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"2023-03-09T00:00:00Z\",\"facilityId\":\"F-USDT\",\"outstanding\":\"799800.00\",\"version\":1}"));
        result = new Replay(USDT, 1).run(dir);
    }

    @Test
    void everyMinutesPriceIsKeptExactlyAsItArrived() {
        assertThat(ticks).hasSize(8_637);
        Map<Long, String> tickPrice = new HashMap<>();
        ticks.forEach(line -> tickPrice.put(t(json(line).get("eventTime").asText()), json(line).get("price").asText()));
        int checked = 0;
        for (OutputRecord r : result.topic(Topics.REFERENCE_PRICES)) {
            JsonNode p = json(r);
            if (!"OK".equals(p.get("status").asText())) {
                continue; // a minute Coinbase left out: its only source is stale
            }
            String exact = tickPrice.get(r.eventTime());
            assertThat(p.get("price").asText()).as("at %s", p.get("eventTime")).isEqualTo(exact);
            assertThat(p.get("median").asText()).as("at %s", p.get("eventTime")).isEqualTo(exact);
            checked++;
        }
        assertThat(checked).isGreaterThan(8_600);
        assertThat(priceAt("2023-03-10T21:03:00Z")).isEqualTo("1.0004");
        assertThat(priceAt("2023-03-09T00:01:00Z")).isEqualTo("0.99986");
        assertThat(priceAt("2023-03-11T02:44:00Z")).isEqualTo("1.01727"); // the de-peg's peak
        // The TWAP is computed: rounded to 8 places at most, never to cents.
        BigDecimal twap = new BigDecimal(json(price("2023-03-09T00:10:00Z")).get("twap").asText());
        assertThat(twap.scale()).isBetween(5, 8);
        assertThat(twap).isBetween(new BigDecimal("0.99985"), new BigDecimal("0.99986"));
        ReplayFixtures.assertAllValid(result);
    }

    @Test
    void marginCallIsIssuedWhereTheFifthDecimalCrossesTheThreshold() {
        List<JsonNode> calls = result.topic(Topics.MARGIN_CALLS).stream().map(ReplayFixtures::json)
                .filter(n -> n.get("type").asText().equals("MARGIN_CALL_ISSUED")).toList();
        assertThat(calls).isNotEmpty();
        JsonNode first = calls.get(0);
        assertThat(first.get("eventTime").asText()).isEqualTo("2023-03-09T09:15:00.000Z");
        assertThat(first.get("ltvPrice").asText()).isEqualTo("0.99975");
        assertThat(new BigDecimal(first.get("ltv").asText())).isEqualByComparingTo("0.800000");
        assertThat(new BigDecimal(first.get("triggerPrices").get("marginCall").asText())).isEqualByComparingTo("0.99975");
        // A minute before, at 0.99976 or above, the LTV was just under 0.80.
        String before = priceAt("2023-03-09T09:14:00Z");
        assertThat(new BigDecimal(before)).isGreaterThan(new BigDecimal("0.99975")).isLessThan(new BigDecimal("0.9999"));
    }

    private static String priceAt(String iso) {
        return json(price(iso)).get("price").asText();
    }

    private static OutputRecord price(String iso) {
        long time = t(iso);
        return result.topic(Topics.REFERENCE_PRICES).stream().filter(r -> r.eventTime() == time).findFirst().orElseThrow();
    }
}
