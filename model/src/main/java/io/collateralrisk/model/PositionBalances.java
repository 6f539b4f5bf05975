package io.collateralrisk.model;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one position reports, per token, in the token's units: {@code credits} (received when it
 * closes), {@code debts} (paid when it closes) and {@code deltas} (debt that could be incurred
 * while liquidating it). Every amount is zero or more; maps are sorted by token.
 */
public record PositionBalances(Map<String, BigDecimal> credits, Map<String, BigDecimal> debts, Map<String, BigDecimal> deltas)
        implements Serializable {

    public static final PositionBalances EMPTY = new PositionBalances(Map.of(), Map.of(), Map.of());

    public PositionBalances {
        credits = sorted(credits);
        debts = sorted(debts);
        deltas = sorted(deltas);
    }

    private static Map<String, BigDecimal> sorted(Map<String, BigDecimal> amounts) {
        return Collections.unmodifiableMap(new TreeMap<>(amounts));
    }
}
