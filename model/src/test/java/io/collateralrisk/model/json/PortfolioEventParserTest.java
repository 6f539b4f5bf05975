package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.collateralrisk.model.PortfolioEvent;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.config.ConfigLoader;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortfolioEventParserTest {

    /** 2024-03-01T12:00:00Z. */
    private static final long NOON = 1_709_294_400_000L;

    private final InputParser parser = new InputParser(ConfigLoader.parse(
            "assets: {USDC: {scale: 6, varianceFactor: 1.02}, EUR: {scale: 2}}"));

    private static final String INSTALL =
            "{\"type\":\"POSITION_INSTALLED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"wallet\":\"W-1\",\"portfolio\":3,"
                    + "\"position\":\"P-17\",\"producer\":\"amm\",\"credits\":{\"BTC\":\"0.5\"},\"debts\":{\"USDC\":\"12000\"},"
                    + "\"deltas\":{\"USDC\":150},\"version\":1}";

    private PortfolioEvent parse(String json) throws InvalidInputException {
        return parser.parsePortfolio(json);
    }

    /** The install record with {@code field} replaced by raw JSON {@code value} (or removed when null). */
    private static String installWith(String field, String value) {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) readTree(INSTALL);
        if (value == null) {
            node.remove(field);
        } else {
            node.set(field, readTree(value));
        }
        return node.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private PositionRecordRefused refused(String json) throws InvalidInputException {
        PortfolioEvent event = parse(json);
        assertThat(event).isInstanceOf(PositionRecordRefused.class);
        return (PositionRecordRefused) event;
    }

    @Test
    void anInstallIsReadExactly() throws Exception {
        PortfolioEvent event = parse(INSTALL);
        assertThat(event).isEqualTo(new PositionInstalled(
                NOON, "W-1", 3, "P-17", "amm",
                new PositionBalances(
                        Map.of("BTC", new BigDecimal("0.5")), Map.of("USDC", new BigDecimal("12000")), Map.of("USDC", new BigDecimal("150"))),
                1));
        PositionInstalled install = (PositionInstalled) event;
        assertThat(install.balances().credits().get("BTC")).hasToString("0.5");
    }

    @Test
    void anUpdateAndAnUninstallAreRead() throws Exception {
        String update = "{\"type\":\"POSITION_UPDATED\",\"eventTime\":1709294400000,\"wallet\":\"W-1\",\"portfolio\":3,\"position\":\"P-17\","
                + "\"credits\":{\"BTC\":\"0.5\"},\"debts\":{\"USDC\":\"12040\"},\"deltas\":{},\"version\":2}";
        assertThat(parse(update)).isEqualTo(new PositionUpdated(
                NOON, "W-1", 3, "P-17",
                new PositionBalances(Map.of("BTC", new BigDecimal("0.5")), Map.of("USDC", new BigDecimal("12040")), Map.of()), 2));
        String uninstall = "{\"type\":\"POSITION_UNINSTALLED\",\"eventTime\":\"2024-03-01T12:00:00Z\",\"wallet\":\"W-1\",\"portfolio\":7,"
                + "\"position\":\"P-17\",\"version\":3}";
        assertThat(parse(uninstall)).isEqualTo(new PositionUninstalled(NOON, "W-1", 7, "P-17", 3));
    }

    @Test
    void zeroAmountsAndPortfolioZeroAreValid() throws Exception {
        PositionInstalled install = (PositionInstalled) parse(installWith("portfolio", "0").replace("\"12000\"", "\"0\""));
        assertThat(install.portfolio()).isZero();
        assertThat(install.balances().debts().get("USDC")).isEqualByComparingTo("0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "portfolio | 8 | LIMIT_EXCEEDED",
        "portfolio | -1 | LIMIT_EXCEEDED",
        "portfolio | 99999999999999999999 | LIMIT_EXCEEDED",
        "portfolio | 2.5 | INVALID_FIELD:portfolio",
        "portfolio | '\"3\"' | INVALID_FIELD:portfolio",
        "producer | 7 | INVALID_FIELD:producer",
        "credits | '[]' | INVALID_FIELD:credits",
        "credits | '{\"DOGE\":\"1\"}' | UNKNOWN_TOKEN",
        "debts | '{\"EUR\":\"1\"}' | UNKNOWN_TOKEN",
        "deltas | '{\"USDC\":\"-0.000001\"}' | NEGATIVE_AMOUNT:deltas.USDC",
        "debts | '{\"USDC\":\"12,000\"}' | INVALID_DECIMAL:debts.USDC",
        "credits | '{\"BTC\":null}' | INVALID_DECIMAL:credits.BTC",
        "credits | '{\"BTC\":\"NaN\"}' | INVALID_DECIMAL:credits.BTC",
    })
    void contentProblemsAreReturnedWithTheirReasonAndTheIdentity(String field, String value, String reason) throws Exception {
        PositionRecordRefused r = refused(installWith(field, value));
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.detail()).isNotBlank();
        assertThat(r.wallet()).isEqualTo("W-1");
        assertThat(r.position()).isEqualTo("P-17");
        assertThat(r.version()).isEqualTo(1);
        assertThat(r.eventTime()).isEqualTo(NOON);
        assertThat(r.type()).isEqualTo("POSITION_INSTALLED");
    }

    @ParameterizedTest
    @CsvSource({"portfolio", "producer", "credits", "debts", "deltas"})
    void aMissingContentFieldIsRefusedAfterTheVersionCheck(String field) throws Exception {
        assertThat(refused(installWith(field, null)).reason()).isEqualTo("MISSING_FIELD:" + field);
    }

    @Test
    void anUnknownTokenNamesTheToken() throws Exception {
        assertThat(refused(installWith("credits", "{\"DOGE\":\"1\"}")).detail()).contains("DOGE").contains("not configured");
        assertThat(refused(installWith("credits", "{\"EUR\":\"1\"}")).detail()).contains("EUR").contains("varianceFactor");
    }

    @Test
    void theLimitOfPortfoliosFollowsTheConfiguration() throws Exception {
        InputParser four = new InputParser(ConfigLoader.parse(
                "assets: {USDC: {scale: 6, varianceFactor: 1.02}}\nsolvency: {maxPortfoliosPerWallet: 4}"));
        assertThat(four.parsePortfolio(installWith("portfolio", "3"))).isInstanceOf(PositionInstalled.class);
        assertThat(((PositionRecordRefused) four.parsePortfolio(installWith("portfolio", "4"))).detail()).contains("0 to 3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "type | '\"PRICE_TICK\"' | UNKNOWN_TYPE",
        "type | null | MISSING_FIELD:type",
        "eventTime | '\"2024-03-01T12:00:00\"' | INVALID_TIME:eventTime",
        "eventTime | null | MISSING_FIELD:eventTime",
        "wallet | '\"\"' | INVALID_FIELD:wallet",
        "wallet | null | MISSING_FIELD:wallet",
        "position | 17 | INVALID_FIELD:position",
        "position | null | MISSING_FIELD:position",
        "version | -1 | INVALID_FIELD:version",
        "version | '\"2\"' | INVALID_FIELD:version",
        "version | null | MISSING_FIELD:version",
    })
    void aRecordThatDoesNotSayWhichPositionAndVersionIsDeadLetteredAtOnce(String field, String value, String reason) {
        String json = "null".equals(value) ? installWith(field, null) : installWith(field, value);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> parse(json));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
    }

    @Test
    void malformedJsonIsDeadLetteredAtOnce() {
        assertThat(catchThrowableOfType(InvalidInputException.class, () -> parse("{\"type\":")).reason()).isEqualTo("MALFORMED_JSON");
        assertThat(catchThrowableOfType(InvalidInputException.class, () -> parse("[1]")).reason()).isEqualTo("MALFORMED_JSON");
    }
}
