package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.SolvencyEvent;
import io.collateralrisk.model.SolvencyEvent.PositionVersion;
import io.collateralrisk.model.SolvencyEvent.TokenBalance;
import io.collateralrisk.model.Topics;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON of portfolio events, every field written, against docs/schemas. */
class SolvencyEventJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** 2024-03-01T12:00:00Z. */
    private static final long T = 1_709_294_400_000L;
    private static final String HASH = "ab".repeat(32);
    private static final String EVALUATION = EventIds.evaluationId("BTC-USD", T);

    private static BigDecimal dec(String v) {
        return v == null ? null : new BigDecimal(v);
    }

    private static final List<TokenBalance> TOKENS = List.of(
            new TokenBalance("BTC", true, dec("1.25"), dec("0.5"), dec("0"), dec("0.40000000"), dec("0.00"), dec("50000"), dec("50000"),
                    EVALUATION, null, false),
            new TokenBalance("SOL", false, dec("1.5"), dec("0"), dec("3"), dec("0.000000000"), dec("4.5"), null, null, null, null, true),
            new TokenBalance("USD", true, dec("1"), dec("0"), dec("19000"), dec("0.00"), dec("19000"), dec("1"), dec("1"), null, null, false));

    private static SolvencyEvent event(String type, String state, String previous, String action) {
        String cause = action == null ? EVALUATION : "P-17@3";
        return new SolvencyEvent(
                SolvencyEvent.eventId(type, "W-1", 3, T, cause), type, T, "W-1", 3, state, previous,
                null, true, dec("0.950000000000000000"), false, TOKENS, List.of(),
                List.of(new PositionVersion("P-17", 3), new PositionVersion("P-9", 1)),
                action, action == null ? null : "P-17", action == null ? null : dec("0.800000000000000000"), false, false,
                cause, action != null, HASH, "dev");
    }

    @Test
    void aStateEnteredCarriesUtilizationsTokensPricesAndPositions() throws Exception {
        SolvencyEvent e = event("PORTFOLIO_INSOLVENT", "INSOLVENT", "AT_RISK", null);
        String json = OutputJson.solvencyEvent(e);
        OutputContract.assertValid(json);
        JsonNode n = MAPPER.readTree(json);
        assertThat(n.get("eventId").asText()).isEqualTo(EventIds.of("PORTFOLIO_INSOLVENT", "W-1/3", T, EVALUATION));
        assertThat(n.get("eventTime").asText()).isEqualTo("2024-03-01T12:00:00.000Z");
        assertThat(n.get("portfolio").asInt()).isEqualTo(3);
        assertThat(n.get("state").asText()).isEqualTo("INSOLVENT");
        assertThat(n.get("previousState").asText()).isEqualTo("AT_RISK");
        assertThat(n.get("utilization").isNull()).isTrue();
        assertThat(n.get("utilizationInfinite").asBoolean()).isTrue();
        assertThat(n.get("crossUtilization").asText()).isEqualTo("0.950000000000000000");
        JsonNode btc = n.get("tokens").get(0);
        assertThat(btc.get("virtualCredit").asText()).isEqualTo("0.40000000");
        assertThat(btc.get("creditPrice").asText()).isEqualTo("50000");
        assertThat(btc.get("evaluationId").asText()).isEqualTo(EVALUATION);
        JsonNode sol = n.get("tokens").get(1);
        assertThat(sol.get("crossMargin").asBoolean()).isFalse();
        assertThat(sol.get("creditPrice").isNull()).isTrue();
        assertThat(sol.get("utilizationInfinite").asBoolean()).isTrue();
        assertThat(n.get("positions").get(0).get("position").asText()).isEqualTo("P-17");
        assertThat(n.get("positions").get(0).get("version").asLong()).isEqualTo(3);
        assertThat(n.get("action").isNull()).isTrue();
        assertThat(n.get("cause").asText()).isEqualTo(EVALUATION);
        assertThat(n.get("configHash").asText()).isEqualTo(HASH);
        assertThat(n.get("codeVersion").asText()).isEqualTo("dev");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SOLVENT", "AT_RISK", "INSOLVENT", "UNVALUED"})
    void everyStateTypeMatchesItsSchema(String state) {
        OutputContract.assertValid(OutputJson.solvencyEvent(event("PORTFOLIO_" + state, state, "SOLVENT", null)));
    }

    @Test
    void anActionWouldBeInsolventNamesTheActionAndTheUtilizationBefore() throws Exception {
        String json = OutputJson.solvencyEvent(event(SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, "INSOLVENT", "INSOLVENT", "INSTALL"));
        OutputContract.assertValid(json);
        JsonNode n = MAPPER.readTree(json);
        assertThat(n.get("eventId").asText()).isEqualTo(EventIds.of(SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, "W-1/3", T, "P-17@3"));
        assertThat(n.get("action").asText()).isEqualTo("INSTALL");
        assertThat(n.get("actionPosition").asText()).isEqualTo("P-17");
        assertThat(n.get("utilizationBefore").asText()).isEqualTo("0.800000000000000000");
        assertThat(n.get("appliedLate").asBoolean()).isTrue();
    }

    @Test
    void theSchemasRefuseWhatTheContractDoesNotAllow() {
        // A state event with an action, an action without one, a state its type does not name.
        assertThatThrownBy(() -> OutputContract.assertValid(OutputJson.solvencyEvent(event("PORTFOLIO_AT_RISK", "AT_RISK", "SOLVENT", "INSTALL"))))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OutputContract.assertValid(
                        OutputJson.solvencyEvent(event(SolvencyEvent.ACTION_WOULD_BE_INSOLVENT, "INSOLVENT", "INSOLVENT", null))))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OutputContract.assertValid(OutputJson.solvencyEvent(event("PORTFOLIO_AT_RISK", "SOLVENT", "AT_RISK", null))))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OutputJson.solvencyEvent(event("CUSTODY_INVARIANT_BROKEN", "SOLVENT", "SOLVENT", null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UNKNOWN_TOKEN", "UNKNOWN_POSITION", "ALREADY_INSTALLED", "PORTFOLIO_MISMATCH", "LIMIT_EXCEEDED",
            "NEGATIVE_AMOUNT:debts.USDC", "INVALID_DECIMAL:credits.BTC"})
    void portfolioRefusalsMatchTheDeadLetterSchema(String reason) {
        OutputContract.assertValid(OutputJson.deadLetter(
                io.collateralrisk.model.DeadLetter.of(T, Topics.PORTFOLIO_EVENTS, "portfolio-events/0@3", reason, "x", "{}")));
    }

    @Test
    void aPortfolioEventIsKeyedByWalletOnTheSolvencyTopic() {
        SolvencyEvent e = event("PORTFOLIO_AT_RISK", "AT_RISK", "SOLVENT", null);
        OutputRecord r = OutputRecord.of(e);
        assertThat(r.topic()).isEqualTo(Topics.SOLVENCY);
        assertThat(r.key()).isEqualTo("W-1");
        assertThat(r.eventId()).isEqualTo(e.eventId());
        assertThat(r.json()).isEqualTo(OutputJson.solvencyEvent(e));
    }
}
