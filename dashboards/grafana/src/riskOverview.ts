// Risk overview: what the loan book looks like now, and what is running towards a liquidation.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import {
  BAND_COLOURS, atLeast, barGaugePanel, labelVariable, riskDashboard, stateTimelinePanel, statPanel,
  steps, tablePanel, timeseriesPanel, valueText,
} from './lib';

const P = 'pair=~"$pair"';
const PP = 'pair=~"$pair", policy=~"$policy"';
const USD = 'currencyUSD';
const ONE_YEAR = 365 * 24 * 3600;

export function riskOverview(): dashboard.DashboardBuilder {
  const d = riskDashboard('risk-overview', 'Collateral risk: overview',
    'Exposure and facilities per LTV band, the LTV distribution, expected shortfall, the price-shock ' +
    'ladder, margin calls and cure deadlines, liquidations, and the worst facilities. Amounts are in ' +
    'the pair\'s quote currency (USD for BTC-USD); they are for display, decisions use exact decimals.')
    .withVariable(labelVariable('pair', 'Pair', 'risk_price_available',
      'Collateral/quote pairs, e.g. BTC-USD.'))
    .withVariable(labelVariable('policy', 'Policy', 'risk_facilities',
      'Margin policies (standard, tri-party); panels without a policy breakdown ignore it.'));

  // ---------------------------------------------------------------- now
  d.withRow(new dashboard.RowBuilder('Now'));
  d.withPanel(statPanel({
    title: 'Outstanding debt', width: 3, height: 4, unit: USD, decimals: 0, sparkline: true,
    description: 'All debt outstanding on the selected pairs and policies, summed over every band. ' +
      'The size of the book at risk. Only add pairs that share a quote currency.',
    targets: [{ expr: `sum(risk:exposure_debt:sum_by_band{${PP}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Book LTV', width: 3, height: 4, unit: 'percentunit', decimals: 1, sparkline: true,
    thresholds: steps('green', [0.7, 'yellow'], [0.8, 'orange'], [0.9, 'red']),
    description: 'All debt divided by all collateral value at the LTV price. Colours follow the ' +
      'standard policy\'s warning (70%), margin-call (80%) and liquidation (90%) thresholds; a rising ' +
      'book LTV means the whole book moves towards margin calls.',
    targets: [{ expr: `sum(risk:exposure_debt:sum_by_band{${PP}}) / sum(risk:exposure_collateral_value:sum_by_band{${PP}})` }],
  }));
  d.withPanel(statPanel({
    title: 'In margin call band', width: 3, height: 4, decimals: 0, colourBackground: true,
    thresholds: steps('green', [1, 'orange']),
    description: 'Facilities whose LTV is at or above their policy\'s margin-call threshold and below ' +
      'liquidation. Each has, or is about to get, a margin call with a cure deadline.',
    targets: [{ expr: `sum(risk:facilities:sum_by_band{${PP}, band="MARGIN_CALL"}) or vector(0)` }],
  }));
  d.withPanel(statPanel({
    title: 'In liquidation band', width: 3, height: 4, decimals: 0, colourBackground: true,
    thresholds: steps('green', [1, 'red']),
    description: 'Facilities whose LTV is at or above their policy\'s liquidation threshold: ' +
      'liquidations triggered, pending, or held.',
    targets: [{ expr: `sum(risk:facilities:sum_by_band{${PP}, band="LIQUIDATION"}) or vector(0)` }],
  }));
  d.withPanel(statPanel({
    title: 'Expected shortfall', width: 3, height: 4, unit: USD, decimals: 0, colourBackground: true,
    thresholds: steps('green', [1, 'red']),
    description: 'Debt the collateral does not cover at the LTV price: the sum of max(0, debt - ' +
      'collateral value). Anything above zero is a loss if those facilities were closed now.',
    targets: [{ expr: `sum(risk:expected_shortfall:sum{${PP}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Open margin calls', width: 3, height: 4, decimals: 0, sparkline: true,
    thresholds: steps('green', [1, 'orange']),
    description: 'Margin calls issued and still inside their cure period: borrowers who must post ' +
      'collateral or repay before their deadline.',
    targets: [{ expr: `sum(risk:margin_calls_open:sum{${PP}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Nearest cure deadline', width: 3, height: 4, unit: 's', decimals: 0,
    thresholds: steps('red', [3600, 'orange'], [6 * 3600, 'green']),
    mappings: [atLeast(ONE_YEAR, 'none running', 'green')],
    description: 'Event time left until the earliest cure deadline of an open margin call. At zero ' +
      'an uncured margin call triggers a CURE_EXPIRED liquidation; under an hour it is red and the ' +
      'RiskCureDeadlineNear ticket is open.',
    targets: [{ expr: `min(risk:cure_deadline_seconds:min{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Firing alerts', width: 3, height: 4, decimals: 0, colourBackground: true,
    thresholds: steps('green', [1, 'red']),
    description: 'Risk alerts firing now in Prometheus (any severity). The table at the bottom names ' +
      'them; each alert has a section in dashboards/RUNBOOK.md.',
    targets: [{ expr: 'count(ALERTS{alertstate="firing", alertname=~"Risk.+"}) or vector(0)' }],
  }));

  d.withPanel(statPanel({
    title: 'Liquidations pending', width: 3, height: 4, decimals: 0,
    thresholds: steps('green', [1, 'orange']),
    description: 'Liquidations triggered and waiting for the custodian to confirm them ' +
      '(LIQUIDATION_EXECUTED or LIQUIDATION_FAILED).',
    targets: [{ expr: `sum(risk:liquidations_pending:sum{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Unconfirmed', width: 3, height: 4, decimals: 0, colourBackground: true,
    thresholds: steps('green', [1, 'red']),
    description: 'Pending liquidations past the confirmation timeout (30 min): the custodian has not ' +
      'answered; the collateral may not have been sold. Pages the risk desk.',
    targets: [{ expr: `sum(risk:liquidations_unconfirmed:sum{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Held liquidations', width: 3, height: 4, decimals: 0,
    thresholds: steps('green', [1, 'orange']),
    description: 'Liquidations that came due but are held: no price (PRICE_UNAVAILABLE), a divergence ' +
      'incident (DIVERGENCE_INCIDENT) or the circuit breaker (CIRCUIT_BREAKER).',
    targets: [{ expr: `sum(risk:liquidations_held:sum{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Escalated holds', width: 3, height: 4, decimals: 0, colourBackground: true,
    thresholds: steps('green', [1, 'red']),
    description: 'Holds older than holdEscalateAfter (30 min). Someone must decide: release, resolve ' +
      'the incident, or liquidate by hand. Pages the risk desk.',
    targets: [{ expr: `sum(risk:liquidations_escalated:sum{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Circuit breaker', width: 3, height: 4, colourBackground: true,
    mappings: valueText({ 0: ['closed', 'green'], 1: ['OPEN', 'red'] }),
    description: 'OPEN when more than 100 liquidations triggered on one pair within 15 minutes: every ' +
      'further liquidation is held until an operator releases them.',
    targets: [{ expr: `max(risk:circuit_breaker_open:max{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Reference price', width: 3, height: 4, colourBackground: true,
    mappings: valueText({ 1: ['OK', 'green'], 0: ['UNAVAILABLE', 'red'] }),
    description: 'UNAVAILABLE when a selected pair\'s latest evaluation had fewer fresh sources than ' +
      'the quorum: no band moves and liquidations are held on it.',
    targets: [{ expr: `min(risk:price_available:min{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'Divergence incident', width: 3, height: 4, colourBackground: true,
    mappings: valueText({ 0: ['none', 'green'], 1: ['OPEN', 'red'] }),
    description: 'OPEN while the oracle diverges from the TWAP beyond the threshold: the LTV price is ' +
      'the conservative one, margin calls carry priceDisputed and liquidations are held.',
    targets: [{ expr: `max(risk:divergence_incident_open:max{${P}})` }],
  }));
  d.withPanel(statPanel({
    title: 'LTV price', width: 3, height: 4, decimals: 2, sparkline: true,
    description: 'The price LTVs are computed at, per pair: the median of fresh sources, or the ' +
      'lowest of primary, TWAP and median while a divergence incident is open.',
    targets: [{ expr: `risk:price_reference:max{${P}, measure="ltv"}`, legend: '{{pair}}' }],
  }));

  // ---------------------------------------------------------------- exposure
  d.withRow(new dashboard.RowBuilder('Exposure by band'));
  d.withPanel(timeseriesPanel({
    title: 'Facilities per band', width: 12, height: 8, decimals: 0, stack: true, colours: BAND_COLOURS,
    description: 'Number of facilities in each LTV band (stacked), from the periodic sweep. Growth of ' +
      'the orange and red bands is the book moving towards margin calls and liquidations.',
    targets: [{ expr: `sum by (band) (risk:facilities:sum_by_band{${PP}})`, legend: '{{band}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Debt per band', width: 12, height: 8, unit: USD, stack: true, colours: BAND_COLOURS,
    description: 'Outstanding debt in each LTV band (stacked), quote currency. How much money sits in ' +
      'facilities at warning, margin call or liquidation.',
    targets: [{ expr: `sum by (band) (risk:exposure_debt:sum_by_band{${PP}})`, legend: '{{band}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Collateral value per band', width: 12, height: 8, unit: USD, stack: true, colours: BAND_COLOURS,
    description: 'Collateral times the LTV price in each band (stacked). Against the debt panel: the ' +
      'cushion left in each band; it moves with the price even when no facility changes.',
    targets: [{ expr: `sum by (band) (risk:exposure_collateral_value:sum_by_band{${PP}})`, legend: '{{band}}' }],
  }));
  d.withPanel(barGaugePanel({
    title: 'Debt by custodian', width: 12, height: 8, unit: USD, decimals: 0, horizontal: true,
    description: 'Outstanding debt per custodian holding the collateral: the concentration of the ' +
      'book on each custodian, who executes its liquidations.',
    targets: [{ expr: `sum by (custodian) (risk:exposure_debt:sum_by_custodian{${PP}})`, legend: '{{custodian}}', instant: true }],
  }));

  // ---------------------------------------------------------------- LTV
  d.withRow(new dashboard.RowBuilder('LTV distribution and shortfall'));
  d.withPanel(barGaugePanel({
    title: 'LTV distribution', width: 12, height: 8, decimals: 0,
    description: 'Facilities per LTV bucket now (each bar counts the facilities between the previous ' +
      'bound and this one; +Inf is above 120%). Bars at 0.8 and beyond are at margin call or worse ' +
      'under the standard policy; the shape shows how many sit just below a threshold.',
    targets: [{
      expr: `sum by (le) (risk:ltv_distribution:sum{${P}})`, legend: '{{le}}', instant: true,
      format: prometheus.PromQueryFormat.Heatmap,
    }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'LTV quantiles', width: 12, height: 8, unit: 'percentunit', thresholdLines: true,
    thresholds: steps('transparent', [0.8, 'orange'], [0.9, 'red']),
    description: 'Median, 90th and 99th percentile LTV per pair, estimated from the distribution. ' +
      'The 99th percentile crossing the dashed lines (standard margin call 80%, liquidation 90%) ' +
      'means the tail of the book is there.',
    targets: [{ expr: `risk:ltv:quantile{${P}}`, legend: '{{pair}} q{{quantile}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Expected shortfall by policy', width: 12, height: 8, unit: USD,
    description: 'Debt not covered by collateral value, per pair and policy, over time. A step up ' +
      'after a price fall is the loss the book would take if those facilities closed at that price.',
    targets: [{ expr: `sum by (pair, policy) (risk:expected_shortfall:sum{${PP}})`, legend: '{{pair}} {{policy}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Book LTV per pair', width: 12, height: 8, unit: 'percentunit', thresholdLines: true,
    thresholds: steps('transparent', [0.7, 'yellow'], [0.8, 'orange']),
    description: 'All debt over all collateral value per pair, over time. It follows the price ' +
      'inversely; its distance to the dashed lines is the book-wide cushion.',
    targets: [{ expr: `risk:book_ltv:ratio{${P}}`, legend: '{{pair}}' }],
  }));

  // ---------------------------------------------------------------- shock ladder
  d.withRow(new dashboard.RowBuilder('Price-shock ladder'));
  d.withPanel(barGaugePanel({
    title: 'Facilities a price fall would push into a band', width: 12, height: 8, decimals: 0, horizontal: true,
    thresholds: steps('orange'),
    description: 'For a fall of 10%, 20% and 30% in the collateral price: how many facilities would be ' +
      'at or beyond margin call, and at or beyond liquidation. How much a crash would cost in ' +
      'margin calls and forced sales.',
    targets: [{
      expr: `sum by (shock, band) (risk:shock_facilities:sum{${P}})`,
      legend: '-{{shock}}% -> {{band}}', instant: true,
    }],
  }));
  d.withPanel(barGaugePanel({
    title: 'Debt a price fall would push into a band', width: 12, height: 8, unit: USD, decimals: 0, horizontal: true,
    thresholds: steps('orange'),
    description: 'The debt of the facilities in the panel on the left: the exposure that a 10%, 20% or ' +
      '30% fall would put into margin call or liquidation.',
    targets: [{
      expr: `sum by (shock, band) (risk:shock_debt:sum{${P}})`,
      legend: '-{{shock}}% -> {{band}}', instant: true,
    }],
  }));

  // ---------------------------------------------------------------- lifecycle
  d.withRow(new dashboard.RowBuilder('Margin calls and liquidations'));
  d.withPanel(timeseriesPanel({
    title: 'Open margin calls by policy', width: 8, height: 8, decimals: 0,
    description: 'Margin calls in their cure period, per pair and policy. A steady climb means ' +
      'borrowers are called faster than they cure (alert RiskMarginCallsPilingUp).',
    targets: [{ expr: `sum by (pair, policy) (risk:margin_calls_open:sum{${PP}})`, legend: '{{pair}} {{policy}}' }],
  }));
  d.withPanel(statPanel({
    title: 'Nearest cure deadline per pair', width: 8, height: 8, unit: 's', decimals: 0,
    thresholds: steps('red', [3600, 'orange'], [6 * 3600, 'green']),
    mappings: [atLeast(ONE_YEAR, 'none running', 'green')],
    description: 'Per pair, event time left until its earliest cure deadline. Call the borrower before ' +
      'it reaches zero: then the facility is liquidated (CURE_EXPIRED).',
    targets: [{ expr: `risk:cure_deadline_seconds:min{${P}}`, legend: '{{pair}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Liquidations: pending, unconfirmed, escalated', width: 8, height: 8, decimals: 0,
    colours: { pending: 'orange', unconfirmed: 'red', escalated: 'purple' },
    description: 'Liquidations waiting for the custodian, those past the confirmation timeout, and ' +
      'holds escalated for a decision. Unconfirmed and escalated should be zero.',
    targets: [
      { expr: `sum(risk:liquidations_pending:sum{${P}})`, legend: 'pending' },
      { expr: `sum(risk:liquidations_unconfirmed:sum{${P}})`, legend: 'unconfirmed' },
      { expr: `sum(risk:liquidations_escalated:sum{${P}})`, legend: 'escalated' },
    ],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Held liquidations by reason', width: 8, height: 8, decimals: 0, stack: true,
    description: 'Liquidations held, by why: PRICE_UNAVAILABLE, DIVERGENCE_INCIDENT or CIRCUIT_BREAKER. ' +
      'They are re-tested when the hold ends; each waits for the cause to clear.',
    targets: [{ expr: `sum by (reason) (risk:liquidations_held:sum{${P}})`, legend: '{{reason}}' }],
  }));
  d.withPanel(stateTimelinePanel({
    title: 'What blocks liquidations', width: 16, height: 8,
    mappings: valueText({ 0: ['clear', 'green'], 1: ['ACTIVE', 'red'] }),
    description: 'Per pair, when the reference price was unavailable, a divergence incident was open, ' +
      'or the circuit breaker was open. Any red band here is a time when due liquidations were held.',
    targets: [
      { expr: `1 - risk:price_available:min{${P}}`, legend: 'price unavailable {{pair}}' },
      { expr: `risk:divergence_incident_open:max{${P}}`, legend: 'divergence incident {{pair}}' },
      { expr: `risk:circuit_breaker_open:max{${P}}`, legend: 'circuit breaker {{pair}}' },
    ],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Lifecycle events per minute', width: 12, height: 8,
    description: 'Lifecycle events emitted per minute, by type (LTV_WARNING, MARGIN_CALL_ISSUED, ' +
      'MARGIN_CALL_CURED, LIQUIDATION_TRIGGERED, ...). Spikes follow price moves; cures against ' +
      'issues show whether borrowers answer their calls.',
    targets: [{ expr: `sum by (type) (risk:lifecycle_events:rate5m{${P}}) * 60`, legend: '{{type}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Liquidations triggered in 15 minutes', width: 12, height: 8, decimals: 0, thresholdLines: true,
    thresholds: steps('transparent', [50, 'orange'], [100, 'red']),
    description: 'Liquidations triggered over the trailing 15 minutes, per pair. Over 50 pages the desk ' +
      '(RiskLiquidationBurst); over 100 the circuit breaker opens and holds the rest.',
    targets: [{ expr: `risk:liquidations_triggered:increase15m{${P}}`, legend: '{{pair}}' }],
  }));

  // ---------------------------------------------------------------- watchlist
  d.withRow(new dashboard.RowBuilder('Watchlist'));
  d.withPanel(tablePanel({
    title: 'Watchlist: worst facilities by LTV', width: 16, height: 12, unit: 'percentunit', decimals: 1,
    thresholds: steps('green', [0.7, 'yellow'], [0.8, 'orange'], [0.9, 'red']),
    hide: ['Time'], rename: { Value: 'LTV', facility: 'Facility', pair: 'Pair' },
    order: ['facility', 'pair', 'Value'], sortBy: 'LTV', colourColumn: 'LTV',
    description: 'The 20 facilities with the highest LTV on the selected pairs, at the last 10-second ' +
      'sweep (infinite when collateral is gone under debt; empty while the price is unavailable). Who to ' +
      'call first; colours follow the standard policy\'s thresholds.',
    targets: [{
      expr: `topk(20, max by (pair, facility) (risk_watchlist_ltv{${P}}))`,
      instant: true, format: prometheus.PromQueryFormat.Table,
    }],
  }));
  d.withPanel(tablePanel({
    title: 'Alerts firing now', width: 8, height: 12,
    hide: ['Time', 'Value', '__name__', 'alertstate'],
    rename: { alertname: 'Alert', severity: 'Severity', owner: 'Owner', pair: 'Pair' },
    order: ['alertname', 'severity', 'owner', 'pair'],
    noValue: 'no alert firing',
    description: 'Every risk alert firing now, with its severity and owner. Its runbook section in ' +
      'dashboards/RUNBOOK.md says what it means and what to do.',
    targets: [{
      expr: 'sum by (alertname, severity, owner, pair) (ALERTS{alertstate="firing", alertname=~"Risk.+"})',
      instant: true, format: prometheus.PromQueryFormat.Table,
    }],
  }));
  return d;
}
