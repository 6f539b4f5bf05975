package io.collateralrisk.model.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodyEvent.Operand;
import io.collateralrisk.model.EventIds;
import io.collateralrisk.model.OutputContract;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON of custody events, written field by field for each type, against docs/schemas. */
class CustodyEventJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** 2024-03-01T12:00:00Z. */
    private static final long T = 1_709_294_400_000L;
    private static final String CUSTODY = "main-pool/USDC";
    private static final String HASH = "ab".repeat(32);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final CustodyAmounts AMOUNTS = new CustodyAmounts(
            big(1), TWO_64, big(3), TWO_64.add(big(12_000)), TWO_64.add(big(10_000)), big(5_000), big(4), big(5), big(6), big(300), null,
            big(12_300));

    private static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    private static CustodyEvent event(
            String type, String qualifier, String invariant, List<Operand> operands, BigInteger difference, String field,
            BigDecimal threshold, String source, BigInteger blockedSince, String reason, BigDecimal utilization) {
        return new CustodyEvent(
                CustodyEvent.eventId(type, CUSTODY, qualifier, T, big(42)), type, T, CUSTODY, "mint", big(42), AMOUNTS,
                AMOUNTS.exchangeable(), utilization,
                invariant, operands, difference, invariant == null ? null : big(40), invariant == null ? null : T - 800,
                field, field == null ? null : big(2), field == null ? null : big(1), field == null ? null : big(41),
                threshold, source, blockedSince, reason, HASH, "dev");
    }

    private static final BigDecimal HALF = new BigDecimal("0.500000000000000000");

    @Test
    void invariantEventsCarryTheirOperandsInOrderAndTheDifference() throws Exception {
        List<Operand> operands = List.of(new Operand("owned", AMOUNTS.owned()), new Operand("base", AMOUNTS.base()));
        String json = OutputJson.custodyEvent(event(
                CustodyEvent.INVARIANT_BROKEN, "OWNED_COVERS_BASE", "OWNED_COVERS_BASE", operands, big(-1), null, null, null, null, null,
                HALF));
        OutputContract.assertValid(json);
        JsonNode n = MAPPER.readTree(json);
        assertThat(n.get("eventId").asText())
                .isEqualTo(EventIds.of(CustodyEvent.INVARIANT_BROKEN, CUSTODY + "|OWNED_COVERS_BASE", T, "slot:42"));
        assertThat(n.get("eventTime").asText()).isEqualTo("2024-03-01T12:00:00.000Z");
        assertThat(n.get("operands").fieldNames()).toIterable().containsExactly("owned", "base");
        assertThat(n.get("operands").get("owned").asText()).isEqualTo("18446744073709563616");
        assertThat(n.get("difference").asText()).isEqualTo("-1");
        assertThat(n.get("brokenSinceSlot").asText()).isEqualTo("40");
        assertThat(n.get("brokenSince").asText()).isEqualTo("2024-03-01T11:59:59.200Z");
        assertThat(n.get("amounts").get("impairmentLosses").asText()).isEqualTo("18446744073709551616");
        assertThat(n.get("amounts").get("positionCollateral").isNull()).isTrue();
        assertThat(n.get("exchangeable").asText()).isEqualTo(TWO_64.add(big(5_000)).toString());

        String restored = OutputJson.custodyEvent(event(
                CustodyEvent.INVARIANT_RESTORED, "OWNED_COVERS_BASE", "OWNED_COVERS_BASE", operands, big(0), null, null, null, null,
                null, HALF));
        OutputContract.assertValid(restored);
    }

    @Test
    void lossAndBlockageEventsCarryOnlyTheirOwnFields() throws Exception {
        String loss = OutputJson.custodyEvent(event(
                CustodyEvent.LOSS_RECORDED, "userLosses", null, null, null, "userLosses", null, null, null, null, HALF));
        OutputContract.assertValid(loss);
        JsonNode l = MAPPER.readTree(loss);
        assertThat(l.get("increase").asText()).isEqualTo("1");
        assertThat(l.has("invariant")).isFalse();
        assertThat(l.has("threshold")).isFalse();

        String on = OutputJson.custodyEvent(event(
                CustodyEvent.TRADE_BLOCKAGE, null, null, null, null, null, new BigDecimal("0.80"), "CONFIG", null, null, HALF));
        OutputContract.assertValid(on);
        assertThat(MAPPER.readTree(on).has("reason")).isFalse();

        String off = OutputJson.custodyEvent(event(
                CustodyEvent.TRADE_BLOCKAGE_CLEARED, null, null, null, null, null, new BigDecimal("0.8"), "SNAPSHOT", big(30),
                CustodyEvent.CLEARED_NO_BASE, null));
        OutputContract.assertValid(off);
        JsonNode c = MAPPER.readTree(off);
        assertThat(c.get("utilization").isNull()).isTrue();
        assertThat(c.get("blockedSinceSlot").asText()).isEqualTo("30");
    }

    @Test
    void aClearingBelowTheThresholdWithoutAUtilizationIsOffTheContract() {
        String off = OutputJson.custodyEvent(event(
                CustodyEvent.TRADE_BLOCKAGE_CLEARED, null, null, null, null, null, new BigDecimal("0.8"), "CONFIG", big(30),
                CustodyEvent.CLEARED_BELOW_THRESHOLD, null));
        assertThatThrownBy(() -> OutputContract.assertValid(off)).isInstanceOf(AssertionError.class);
    }

    @Test
    void anotherTypeIsNotWrittenAsACustodyEvent() {
        CustodyEvent wrong = event("PORTFOLIO_SOLVENT", null, null, null, null, null, null, null, null, null, HALF);
        assertThatThrownBy(() -> OutputJson.custodyEvent(wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PORTFOLIO_SOLVENT");
    }
}
