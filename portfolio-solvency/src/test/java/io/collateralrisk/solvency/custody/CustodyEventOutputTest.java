package io.collateralrisk.solvency.custody;

import static io.collateralrisk.solvency.custody.PoolSnapshot.CUSTODY;
import static io.collateralrisk.solvency.custody.PoolSnapshot.TWO_63;
import static io.collateralrisk.solvency.custody.PoolSnapshot.TWO_64;
import static io.collateralrisk.solvency.custody.PoolSnapshot.big;
import static io.collateralrisk.solvency.custody.PoolSnapshot.healthy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.OutputContract;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What the custody rules decide, written as output records: every type matches its published
 * schema (docs/schemas), is keyed by custody on {@code risk.solvency}, and carries amounts beyond
 * 64 bits as exact digit strings.
 */
class CustodyEventOutputTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String HASH = "0123456789abcdef".repeat(4);

    private final CustodyRules rules = new CustodyRules(new BigDecimal("0.80"), HASH, "dev");
    private final CustodyPoolState state = new CustodyPoolState();

    /** A pool whose amounts all exceed 64 bits: base 10 x 2^64, locked 5 x 2^64, and so on. */
    private static PoolSnapshot huge() {
        BigInteger base = TWO_64.multiply(big(10));
        BigInteger collateral = TWO_64.multiply(big(2));
        BigInteger owned = base.add(collateral);
        return healthy().base(base).locked(TWO_64.multiply(big(5))).positionCollateral(collateral).owned(owned)
                .tokenAccountBalance(owned.add(big(300))).impairmentLosses(TWO_64).userLosses(TWO_63);
    }

    private List<CustodyEvent> everyType() {
        List<CustodyEvent> out = new ArrayList<>();
        out.addAll(rules.onSnapshot(state, huge().at(1)).events());
        PoolSnapshot bad = huge();
        bad.owned(bad.base.subtract(BigInteger.ONE)).locked(bad.base).impairmentLosses(TWO_64.add(TWO_63)).userLosses(TWO_63.subtract(big(1)));
        out.addAll(rules.onSnapshot(state, bad.at(2)).events());
        out.addAll(rules.onSnapshot(state, huge().userLosses(TWO_63).impairmentLosses(TWO_64.add(TWO_63)).at(3)).events());
        PoolSnapshot empty = huge().base(0).locked(0).owned(0).positionCollateral((Long) null).tokenAccountBalance((Long) null)
                .impairmentLosses(TWO_64.add(TWO_63)).userLosses(TWO_63);
        out.addAll(rules.onSnapshot(state, huge().locked(TWO_64.multiply(big(9))).bps(9_000)
                .impairmentLosses(TWO_64.add(TWO_63)).at(4)).events());
        out.addAll(rules.onSnapshot(state, empty.at(5)).events());
        return out;
    }

    @Test
    void everyTypeMatchesItsPublishedSchema() {
        List<CustodyEvent> events = everyType();
        Set<String> types = new TreeSet<>();
        for (CustodyEvent e : events) {
            OutputRecord r = OutputRecord.of(e);
            OutputContract.assertValid(r.json());
            assertThat(r.topic()).isEqualTo(Topics.SOLVENCY);
            assertThat(r.key()).isEqualTo(CUSTODY);
            assertThat(r.eventId()).isEqualTo(e.eventId());
            assertThat(r.eventTime()).isEqualTo(e.eventTime());
            assertThat(r.tombstone()).isFalse();
            types.add(e.type());
        }
        assertThat(types).containsExactlyInAnyOrderElementsOf(CustodyEvent.TYPES);
    }

    @Test
    void theSchemasRefuseWhatTheContractDoesNotAllow() {
        CustodyEvent broken = rules.onSnapshot(state, huge().owned(0).at(1)).events().get(0);
        String json = OutputRecord.of(broken).json();
        OutputContract.assertValid(json);
        // An integer as a JSON number would lose digits in most readers; an unknown field is not in the contract.
        assertThatThrownBy(() -> OutputContract.assertValid(json.replace("\"slot\":\"1\"", "\"slot\":1")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OutputContract.assertValid(json.replace("\"invariant\":", "\"extra\":1,\"invariant\":")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OutputContract.assertValid(json.replace("\"OWNED_COVERS_BASE\"", "\"OWNED_COVERS_ALL\"")))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void aBrokenInvariantBeyond64BitsIsWrittenExactly() throws Exception {
        rules.onSnapshot(state, huge().at(1));
        PoolSnapshot bad = huge();
        BigInteger base = bad.base;
        bad.owned(base.subtract(BigInteger.ONE)).positionCollateral((Long) null).tokenAccountBalance((Long) null);
        CustodyEvent e = rules.onSnapshot(state, bad.at(2)).events().get(0);
        JsonNode json = MAPPER.readTree(OutputRecord.of(e).json());
        assertThat(json.get("type").asText()).isEqualTo(CustodyEvent.INVARIANT_BROKEN);
        assertThat(json.get("invariant").asText()).isEqualTo("OWNED_COVERS_BASE");
        assertThat(json.get("slot").asText()).isEqualTo("2");
        assertThat(json.get("eventTime").asText()).isEqualTo(Times.format(PoolSnapshot.timeOf(2)));
        assertThat(json.get("operands").get("owned").asText()).isEqualTo("184467440737095516159");
        assertThat(json.get("operands").get("base").asText()).isEqualTo("184467440737095516160");
        assertThat(json.get("difference").asText()).isEqualTo("-1");
        assertThat(json.get("brokenSinceSlot").asText()).isEqualTo("2");
        assertThat(json.get("amounts").get("impairmentLosses").asText()).isEqualTo("18446744073709551616");
        assertThat(json.get("amounts").get("userLosses").asText()).isEqualTo("9223372036854775808");
        assertThat(json.get("amounts").get("positionCollateral").isNull()).isTrue();
        assertThat(json.get("exchangeable").asText()).isEqualTo(TWO_64.multiply(big(5)).toString());
        assertThat(json.get("utilization").asText()).isEqualTo("0.500000000000000000");
        assertThat(json.get("configHash").asText()).isEqualTo(HASH);
        assertThat(json.get("codeVersion").asText()).isEqualTo("dev");
        assertThat(json.has("field")).isFalse();
        assertThat(json.has("threshold")).isFalse();
    }

    @Test
    void aLossAndABlockageBeyond64BitsAreWrittenExactly() throws Exception {
        rules.onSnapshot(state, huge().at(1));
        List<CustodyEvent> events = rules.onSnapshot(
                state, huge().impairmentLosses(TWO_64.add(TWO_63)).locked(TWO_64.multiply(big(8))).at(2)).events();
        assertThat(events).extracting(CustodyEvent::type).containsExactly(CustodyEvent.LOSS_RECORDED, CustodyEvent.TRADE_BLOCKAGE);
        JsonNode loss = MAPPER.readTree(OutputRecord.of(events.get(0)).json());
        assertThat(loss.get("field").asText()).isEqualTo("impairmentLosses");
        assertThat(loss.get("previousAmount").asText()).isEqualTo("18446744073709551616");
        assertThat(loss.get("increase").asText()).isEqualTo("9223372036854775808");
        assertThat(loss.get("sinceSlot").asText()).isEqualTo("1");
        assertThat(loss.has("invariant")).isFalse();
        JsonNode blockage = MAPPER.readTree(OutputRecord.of(events.get(1)).json());
        assertThat(blockage.get("threshold").asText()).isEqualTo("0.80");
        assertThat(blockage.get("thresholdSource").asText()).isEqualTo("CONFIG");
        assertThat(blockage.get("utilization").asText()).isEqualTo("0.800000000000000000");
        assertThat(blockage.get("exchangeable").asText()).isEqualTo(TWO_64.multiply(big(2)).toString());
        assertThat(blockage.has("reason")).isFalse();
    }
}
