package io.collateralrisk.jobs.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.json.Json;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded, generated loan book: facilities on one pair whose LTVs at an opening price are spread
 * evenly between two bounds, as {@code facility-events} JSONL (opened, collateral, debt).
 *
 * @param count facilities
 * @param minLtv lowest opening LTV, e.g. 0.40
 * @param maxLtv highest opening LTV, e.g. 0.95
 */
public record LoanBook(long seed, int count, String pair, BigDecimal openingPrice, long openedAt, BigDecimal minLtv, BigDecimal maxLtv) {

    private static final String[] CUSTODIANS = {"bitgo", "anchorage", "coinbase-custody"};
    private static final String[] POLICIES = {"standard", "standard", "standard", "tri-party"};

    /** The events, in time order: all facilities open at {@code openedAt}. */
    public List<String> events() {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>(count * 3);
        BigDecimal span = maxLtv.subtract(minLtv);
        for (int i = 0; i < count; i++) {
            String id = String.format("F-%06d", i + 1);
            BigDecimal ltv = count == 1 ? minLtv : minLtv.add(span.multiply(BigDecimal.valueOf(i)).divide(BigDecimal.valueOf(count - 1), 6, RoundingMode.HALF_EVEN));
            // Collateral between 0.5 and 50 BTC, at the asset's 8 decimals.
            BigDecimal collateral = BigDecimal.valueOf(50_000_000L + (long) (random.nextDouble() * 4_950_000_000L), 8);
            BigDecimal debt = ltv.multiply(collateral).multiply(openingPrice).setScale(2, RoundingMode.HALF_EVEN);
            String t = Times.format(openedAt);
            lines.add(json(node("FACILITY_OPENED", t, id)
                    .put("borrowerId", String.format("B-%06d", random.nextInt(count) + 1))
                    .put("custodian", CUSTODIANS[random.nextInt(CUSTODIANS.length)])
                    .put("pair", pair)
                    .put("policy", POLICIES[random.nextInt(POLICIES.length)])));
            lines.add(json(node("COLLATERAL_UPDATED", t, id).put("collateral", collateral.toPlainString()).put("version", 1)));
            lines.add(json(node("DEBT_UPDATED", t, id).put("outstanding", debt.toPlainString()).put("version", 1)));
        }
        return lines;
    }

    private static ObjectNode node(String type, String time, String id) {
        return Json.mapper().createObjectNode().put("type", type).put("eventTime", time).put("facilityId", id);
    }

    private static String json(ObjectNode n) {
        try {
            return Json.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
