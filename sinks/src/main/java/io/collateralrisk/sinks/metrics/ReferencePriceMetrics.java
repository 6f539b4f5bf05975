package io.collateralrisk.sinks.metrics;

import io.collateralrisk.model.ExcludedSource;
import io.collateralrisk.model.OutputRecord;
import io.collateralrisk.model.PriceStatus;
import io.collateralrisk.model.ReferencePrice;
import io.collateralrisk.model.SourcePrice;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each reference price into its output record, and keeps the price metrics of its pairs:
 * every source's price and age, the LTV price, median, TWAP and primary, availability, exclusions,
 * divergence and whether an incident is open. Labels: pair, source, kind, measure, reason, status.
 * Gauges are doubles, for display; decisions use the exact decimals. Also {@code
 * risk_tick_to_event_seconds{type="REFERENCE_PRICE"}}, without the pair (the catalogue's labels), and
 * {@code risk_watermark_lag_seconds{stage="prices"}} from every watermark (run it in a {@link WatermarkLagOperator}).
 */
public class ReferencePriceMetrics extends ProcessFunction<ReferencePrice, OutputRecord> implements WatermarkObserver {

    private static final List<String> MEASURES = List.of("ltv", "median", "twap", "primary");

    private final List<String> pairs;
    private final String configHash;
    private final String codeVersion;
    private final Map<String, Map<String, Double>> limits;

    private transient MetricGroup metrics;
    private transient Map<String, Double> values;
    private transient Map<String, Counter> counters;
    private transient WatermarkLag lag;
    private transient TickToEventLatency latency;
    /** Each pair's keys into {@link #values} and its counters, made once: per evaluation they were most of this function's time. */
    private transient Map<String, PairKeys> keys;

    private final class PairKeys {
        final String ltv;
        final String median;
        final String twap;
        final String primary;
        final String available;
        final String incident;
        final String divergence;
        final Counter[] evaluations = new Counter[PriceStatus.values().length];
        /** Per source: its price and age keys. */
        final Map<String, String[]> sources = new HashMap<>();

        PairKeys(String pair) {
            ltv = pair + "|ltv";
            median = pair + "|median";
            twap = pair + "|twap";
            primary = pair + "|primary";
            available = pair + "|available";
            incident = pair + "|incident";
            divergence = pair + "|divergence";
            for (PriceStatus status : PriceStatus.values()) {
                evaluations[status.ordinal()] = counter(pair, "status", status.name(), "risk_price_evaluations");
            }
        }
    }

    /**
     * @param pairs the configured pairs, whose series exist from the start
     * @param limits the configuration's limits the alert rules read ({@link ConfigLimits#of})
     */
    public ReferencePriceMetrics(List<String> pairs, String configHash, String codeVersion, Map<String, Map<String, Double>> limits) {
        this.pairs = List.copyOf(pairs);
        this.configHash = configHash;
        this.codeVersion = codeVersion;
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = getRuntimeContext().getMetricGroup();
        values = new HashMap<>();
        counters = new HashMap<>();
        keys = new HashMap<>();
        lag = WatermarkLag.register(metrics, "prices");
        latency = TickToEventLatency.register(metrics, List.of(ReferencePrice.TYPE));
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            metrics.addGroup("config_hash", configHash).addGroup("code_version", codeVersion).gauge("risk_config_info", () -> 1);
            ConfigLimits.register(metrics, limits);
        }
        for (String pair : pairs) {
            MetricGroup p = metrics.addGroup("pair", pair);
            for (String measure : MEASURES) {
                gauge(p.addGroup("measure", measure), "risk_price_reference", pair + "|" + measure);
            }
            gauge(p, "risk_price_available", pair + "|available");
            gauge(p, "risk_divergence_ratio", pair + "|divergence");
            gauge(p, "risk_divergence_incident_open", pair + "|incident");
            for (PriceStatus status : PriceStatus.values()) {
                counter(pair, "status", status.name(), "risk_price_evaluations");
            }
        }
    }

    @Override
    public void processElement(ReferencePrice r, Context ctx, Collector<OutputRecord> out) {
        latency.observe(ReferencePrice.TYPE, r.ingestedAt());
        String pair = r.pair();
        PairKeys k = keys.computeIfAbsent(pair, PairKeys::new);
        k.evaluations[r.status().ordinal()].inc();
        set(k.ltv, r.price());
        set(k.median, r.median());
        set(k.twap, r.twap());
        set(k.primary, r.primary());
        values.put(k.available, r.status() == PriceStatus.OK ? 1.0 : 0.0);
        values.put(k.incident, r.incidentOpen() ? 1.0 : 0.0);
        if (r.primary() != null && r.twap() != null && r.twap().signum() > 0) {
            values.put(k.divergence, r.primary().subtract(r.twap()).abs().divide(r.twap(), MathContext.DECIMAL64).doubleValue());
        } else {
            values.put(k.divergence, Double.NaN);
        }
        for (SourcePrice s : r.used()) {
            source(k, pair, s.source(), s.kind().name(), s.price(), r.eventTime() - s.eventTime());
        }
        for (ExcludedSource s : r.excluded()) {
            source(k, pair, s.source(), s.kind().name(), s.price(), r.eventTime() - s.eventTime());
            // Both reasons exist for a source from its first exclusion on.
            excludedCounter(pair, s.source(), ExcludedSource.STALE);
            excludedCounter(pair, s.source(), ExcludedSource.OUTLIER);
            excludedCounter(pair, s.source(), s.reason()).inc();
        }
        out.collect(OutputRecord.of(r));
    }

    private Counter excludedCounter(String pair, String source, String reason) {
        return counters.computeIfAbsent("excluded|" + pair + "|" + source + "|" + reason,
                k -> metrics.addGroup("pair", pair).addGroup("source", source).addGroup("reason", reason).counter("risk_price_excluded"));
    }

    private void source(PairKeys k, String pair, String source, String kind, BigDecimal price, long ageMs) {
        String[] priceAndAge = k.sources.get(source);
        if (priceAndAge == null) {
            String key = pair + "|" + source;
            priceAndAge = new String[] {key + "|price", key + "|age"};
            k.sources.put(source, priceAndAge);
            if (!values.containsKey(priceAndAge[0])) {
                MetricGroup g = metrics.addGroup("pair", pair).addGroup("source", source);
                gauge(g.addGroup("kind", kind), "risk_price_source", priceAndAge[0]);
                gauge(g, "risk_price_source_age_seconds", priceAndAge[1]);
            }
        }
        set(priceAndAge[0], price);
        values.put(priceAndAge[1], ageMs / 1000.0);
    }

    private void gauge(MetricGroup group, String name, String key) {
        values.putIfAbsent(key, Double.NaN);
        group.gauge(name, (Gauge<Double>) () -> values.getOrDefault(key, Double.NaN));
    }

    private void set(String key, BigDecimal value) {
        values.put(key, value == null ? Double.NaN : value.doubleValue());
    }

    @Override
    public void onWatermark(long watermark) {
        lag.observe(watermark);
    }

    private Counter counter(String pair, String label, String value, String name) {
        return counters.computeIfAbsent(pair + "|" + name + "|" + value,
                k -> metrics.addGroup("pair", pair).addGroup(label, value).counter(name));
    }
}
