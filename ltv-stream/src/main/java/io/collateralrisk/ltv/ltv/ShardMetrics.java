package io.collateralrisk.ltv.ltv;

import io.collateralrisk.ltv.lifecycle.Band;
import io.collateralrisk.ltv.lifecycle.FacilityState;
import io.collateralrisk.ltv.lifecycle.LtvMath;
import io.collateralrisk.model.config.PolicyConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * What is at risk, per LTV shard, from a periodic sweep over the shard's facilities (never per
 * price update): facilities and exposure per band, policy and custodian, the LTV distribution,
 * expected shortfall, the price-shock ladder, open margin calls and the nearest cure deadline,
 * pending, unconfirmed, held and escalated liquidations, the circuit breaker, and the watchlist of
 * the worst facilities ({@link WatchlistMetrics}). Each sweep
 * replaces its shard's figures; a gauge reads the sum over the shards of this subtask (Prometheus
 * sums the subtasks). Doubles, for display: decisions use the exact decimals.
 */
final class ShardMetrics {

    /** Upper bounds of the LTV distribution's buckets (cumulative, as Prometheus histograms). */
    static final List<String> LTV_BOUNDS = List.of("0.5", "0.6", "0.7", "0.8", "0.9", "1.0", "1.2", "+Inf");
    static final List<Integer> SHOCKS = List.of(10, 20, 30);
    private static final List<String> HOLD_REASONS = List.of("PRICE_UNAVAILABLE", "DIVERGENCE_INCIDENT", "CIRCUIT_BREAKER");

    private final MetricGroup group;
    private final RiskConfig config;
    /** Shard key -> (series key -> value), as of the shard's last sweep. */
    private final Map<String, Map<String, Double>> byShard = new HashMap<>();
    /** Series already registered, by key. */
    private final Map<String, Boolean> registered = new HashMap<>();
    private final WatchlistMetrics watchlist;

    ShardMetrics(MetricGroup group, RiskConfig config) {
        this.group = group;
        this.config = config;
        this.watchlist = new WatchlistMetrics(group);
        // The series of every configured pair and policy exist from the start, at zero.
        for (String pair : config.pairs().keySet()) {
            for (String policy : config.policies().keySet()) {
                gauge("risk_expected_shortfall", pair, "policy", policy);
                gauge("risk_margin_calls_open", pair, "policy", policy);
            }
            for (String le : LTV_BOUNDS) {
                gauge("risk_ltv_distribution", pair, "le", le);
            }
            for (int shock : SHOCKS) {
                for (Band band : List.of(Band.MARGIN_CALL, Band.LIQUIDATION)) {
                    gauge("risk_shock_facilities", pair, "shock", Integer.toString(shock), "band", band.name());
                    gauge("risk_shock_debt", pair, "shock", Integer.toString(shock), "band", band.name());
                }
            }
            for (String reason : HOLD_REASONS) {
                gauge("risk_liquidations_held", pair, "reason", reason);
            }
            gauge("risk_liquidations_pending", pair);
            gauge("risk_liquidations_unconfirmed", pair);
            gauge("risk_liquidations_escalated", pair);
            gauge("risk_circuit_breaker_open", pair);
            gauge("risk_cure_deadline_seconds", pair);
        }
    }

    /**
     * @param price the shard's last LTV price, null before the first
     * @param eventTime the shard's current event time (its watermark), for the cure deadlines
     * @param breakerOpen whether the shard's circuit breaker holds liquidations now
     */
    void sweep(String shardKey, String pair, Iterable<FacilityState> facilities, Map<String, PolicyConfig> policies,
            BigDecimal price, long eventTime, boolean breakerOpen) {
        Map<String, Double> v = new HashMap<>();
        WatchlistMetrics.Top worst = new WatchlistMetrics.Top();
        double nearestDeadline = Double.POSITIVE_INFINITY;
        for (FacilityState s : facilities) {
            if (!s.amountsKnown() || s.band == null) {
                continue;
            }
            PolicyConfig policy = policies.get(s.policy);
            String band = s.band.name();
            add(v, gauge("risk_facilities", pair, "band", band, "policy", s.policy, "custodian", s.custodian), 1);
            add(v, gauge("risk_exposure_debt", pair, "band", band, "policy", s.policy, "custodian", s.custodian), s.outstanding.doubleValue());
            String value = gauge("risk_exposure_collateral_value", pair, "band", band, "policy", s.policy, "custodian", s.custodian);
            if (price != null) {
                BigDecimal collateralValue = s.collateral.multiply(price);
                add(v, value, collateralValue.doubleValue());
                BigDecimal uncovered = s.outstanding.subtract(collateralValue);
                if (uncovered.signum() > 0) {
                    add(v, gauge("risk_expected_shortfall", pair, "policy", s.policy), uncovered.doubleValue());
                }
                ladder(v, pair, s, policy, price);
                if (s.collateral.signum() > 0) {
                    BigDecimal ltv = LtvMath.ltv(s.outstanding, s.collateral, price);
                    if (s.outstanding.signum() > 0) {
                        worst.offer(s.facilityId, ltv);
                    }
                    for (String le : LTV_BOUNDS) {
                        if (le.equals("+Inf") || ltv.compareTo(new BigDecimal(le)) <= 0) {
                            add(v, gauge("risk_ltv_distribution", pair, "le", le), 1);
                        }
                    }
                } else {
                    add(v, gauge("risk_ltv_distribution", pair, "le", "+Inf"), 1);
                    if (s.outstanding.signum() > 0) {
                        worst.offer(s.facilityId, null);
                    }
                }
            } else {
                add(v, value, 0);
            }
            if (s.cureDeadline != null) {
                add(v, gauge("risk_margin_calls_open", pair, "policy", s.policy), 1);
                nearestDeadline = Math.min(nearestDeadline, (s.cureDeadline - eventTime) / 1000.0);
            }
            if (s.liquidationPending()) {
                add(v, gauge("risk_liquidations_pending", pair), 1);
                if (s.unconfirmedReported) {
                    add(v, gauge("risk_liquidations_unconfirmed", pair), 1);
                }
            }
            if (s.held()) {
                add(v, gauge("risk_liquidations_held", pair, "reason", s.holdReason), 1);
                if (s.holdEscalated) {
                    add(v, gauge("risk_liquidations_escalated", pair), 1);
                }
            }
        }
        v.put(gauge("risk_circuit_breaker_open", pair), breakerOpen ? 1.0 : 0.0);
        v.put(gauge("risk_cure_deadline_seconds", pair), nearestDeadline);
        byShard.put(shardKey, v);
        watchlist.update(shardKey, pair, worst.entries());
    }

    WatchlistMetrics watchlist() {
        return watchlist;
    }

    /** Facilities a price fall of 10, 20 or 30% would put at or beyond margin call and liquidation. */
    private void ladder(Map<String, Double> v, String pair, FacilityState s, PolicyConfig policy, BigDecimal price) {
        for (int shock : SHOCKS) {
            BigDecimal shocked = price.multiply(BigDecimal.valueOf(100 - shock)).divide(BigDecimal.valueOf(100), MathContext.DECIMAL64);
            for (Band band : List.of(Band.MARGIN_CALL, Band.LIQUIDATION)) {
                BigDecimal threshold = band == Band.MARGIN_CALL ? policy.marginCall() : policy.liquidation();
                if (LtvMath.atOrAbove(s.outstanding, s.collateral, shocked, threshold)) {
                    add(v, gauge("risk_shock_facilities", pair, "shock", Integer.toString(shock), "band", band.name()), 1);
                    add(v, gauge("risk_shock_debt", pair, "shock", Integer.toString(shock), "band", band.name()), s.outstanding.doubleValue());
                }
            }
        }
    }

    private static void add(Map<String, Double> v, String key, double amount) {
        v.merge(key, amount, Double::sum);
    }

    /** The series' key, registering its gauge on first use: a sum over this subtask's shards. */
    private String gauge(String name, String pair, String... labels) {
        StringBuilder key = new StringBuilder(name).append('|').append(pair);
        for (String l : labels) {
            key.append('|').append(l);
        }
        String k = key.toString();
        if (registered.putIfAbsent(k, Boolean.TRUE) == null) {
            MetricGroup g = group.addGroup("pair", pair);
            for (int i = 0; i + 1 < labels.length; i += 2) {
                g = g.addGroup(labels[i], labels[i + 1]);
            }
            boolean minimum = name.equals("risk_cure_deadline_seconds");
            boolean maximum = name.equals("risk_circuit_breaker_open");
            g.gauge(name, (Gauge<Double>) () -> read(k, minimum, maximum));
        }
        return k;
    }

    private double read(String key, boolean minimum, boolean maximum) {
        double total = minimum ? Double.POSITIVE_INFINITY : 0;
        for (Map<String, Double> shard : byShard.values()) {
            Double x = shard.get(key);
            if (x == null) {
                continue;
            }
            total = minimum ? Math.min(total, x) : maximum ? Math.max(total, x) : total + x;
        }
        return total;
    }
}
