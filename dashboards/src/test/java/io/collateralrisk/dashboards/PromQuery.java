package io.collateralrisk.dashboards;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One PromQL expression found in the dashboards or the rules, with where it comes from.
 *
 * @param kind     a panel's query, a template variable's query, a recording rule or an alerting rule
 * @param file     the file it is in, relative to {@code dashboards/}
 * @param location where in the file: {@code dashboard uid / panel title / refId},
 *                 {@code dashboard uid / $variable}, or {@code group / rule name}
 * @param expr     the expression as written, Grafana variables ({@code $pair}, {@code $__range}...)
 *                 unresolved
 */
public record PromQuery(Kind kind, String file, String location, String expr) {

    public enum Kind { PANEL, VARIABLE, RECORDING_RULE, ALERTING_RULE }

    /** Grafana's built-in interval variables, resolved to what a 6-hour dashboard would use. */
    static final Map<String, String> BUILT_INS = Map.of(
            "__rate_interval", "5m",
            "__interval", "1m",
            "__interval_ms", "60000",
            "__range", "1h",
            "__range_s", "3600",
            "__range_ms", "3600000");

    private static final Pattern VARIABLE =
            Pattern.compile("\\$\\{(\\w+)(?::[\\w]+)?}|\\$(\\w+)|\\[\\[(\\w+)(?::[\\w]+)?]]");

    private static final Pattern ONLY_ALERTS = Pattern.compile("\\bALERTS\\b");

    /**
     * The expression Prometheus can evaluate: template variables replaced by the given values
     * (a variable not given becomes {@code .*}, Grafana's "All" here), Grafana's interval variables
     * by fixed durations.
     */
    public String resolve(Map<String, String> values) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = BUILT_INS.containsKey(name) ? BUILT_INS.get(name) : values.getOrDefault(name, ".*");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every template variable resolved to {@code .*} ("All"). */
    public String resolveAll() {
        return resolve(Map.of());
    }

    /**
     * Whether an empty result is normal for this expression: an alerting rule returns nothing
     * while it does not fire, and a query of Prometheus's ALERTS series nothing while no alert
     * fires (unless it falls back to a {@code vector(...)}).
     */
    public boolean mayBeEmpty() {
        return kind == Kind.ALERTING_RULE
                || ONLY_ALERTS.matcher(expr).find() && !expr.contains("vector(");
    }

    @Override
    public String toString() {
        return kind + " " + file + " [" + location + "]: " + expr;
    }
}
