package io.collateralrisk.model;

import java.util.List;

/** The Kafka topics of the product; a replay reads and writes {@code <topic>.jsonl} files of the same names. */
public final class Topics {

    public static final String PRICES = "prices";
    public static final String FACILITY_EVENTS = "facility-events";
    public static final String RISK_CONTROL = "risk-control";
    /** Cross-margined positions, keyed by wallet; optional: a job without it values no portfolio. */
    public static final String PORTFOLIO_EVENTS = "portfolio-events";
    /** Custody-pool snapshots, keyed by custody; optional. */
    public static final String CUSTODY_SNAPSHOTS = "custody-snapshots";

    public static final String REFERENCE_PRICES = "risk.reference-prices";
    public static final String MARGIN_CALLS = "risk.margin-calls";
    public static final String DIVERGENCE = "risk.divergence";
    public static final String SOLVENCY = "risk.solvency";
    public static final String PRICE_ALERTS = "risk.price-alerts";
    public static final String LTV = "risk.ltv";
    public static final String OPS_ALERTS = "risk.ops-alerts";
    public static final String DEAD_LETTER = "risk.dead-letter";

    public static final List<String> INPUTS = List.of(PRICES, FACILITY_EVENTS, RISK_CONTROL, PORTFOLIO_EVENTS, CUSTODY_SNAPSHOTS);
    public static final List<String> OUTPUTS =
            List.of(REFERENCE_PRICES, MARGIN_CALLS, DIVERGENCE, SOLVENCY, PRICE_ALERTS, LTV, OPS_ALERTS, DEAD_LETTER);

    private Topics() {}
}
