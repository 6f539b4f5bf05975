// Price feeds: every source against the reference price, freshness, exclusions, divergence.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  labelVariable, riskDashboard, stateTimelinePanel, statPanel, steps, timeseriesPanel, valueText,
} from './lib';

const P = 'pair=~"$pair"';
const PS = 'pair=~"$pair", source=~"$source"';

export function priceFeeds(): dashboard.DashboardBuilder {
  const d = riskDashboard('risk-price-feeds', 'Collateral risk: price feeds',
    'Each price source against the median and the TWAP, feed ages, exclusions (stale, outlier), the ' +
    'oracle/TWAP divergence and its incidents. The reference price decides every LTV: this is where ' +
    'to check that it can be trusted.')
    .withVariable(labelVariable('pair', 'Pair', 'risk_price_available',
      'Collateral/quote pairs, e.g. BTC-USD.'))
    .withVariable(labelVariable('source', 'Source', 'risk_price_source{pair=~"$pair"}',
      'Price sources (oracles and exchanges) of the selected pairs.'));

  // ---------------------------------------------------------------- now
  d.withRow(new dashboard.RowBuilder('Now'));
  d.withPanel(statPanel({
    title: 'Reference price', width: 4, height: 4, colourBackground: true,
    mappings: valueText({ 1: ['OK', 'green'], 0: ['UNAVAILABLE', 'red'] }),
    description: 'Per pair, whether the latest evaluation had a quorum of fresh, non-excluded sources. ' +
      'UNAVAILABLE stops band moves and holds liquidations on the pair.',
    targets: [{ expr: `risk:price_available:min{${P}}`, legend: '{{pair}}' }],
  }));
  d.withPanel(statPanel({
    title: 'LTV price', width: 4, height: 4, decimals: 2,
    description: 'The price LTVs are computed at: the median, or while an incident is open the lowest ' +
      'of primary, TWAP and median.',
    targets: [{ expr: `risk:price_reference:max{${P}, measure="ltv"}`, legend: '{{pair}}' }],
  }));
  d.withPanel(statPanel({
    title: 'Divergence', width: 4, height: 4, unit: 'percentunit', decimals: 2, sparkline: true,
    thresholds: steps('green', [0.025, 'orange'], [0.05, 'red']),
    description: 'Latest |primary - TWAP| / TWAP per pair. Above 5% on consecutive readings for 30 s ' +
      'an incident opens.',
    targets: [{ expr: `risk:divergence_ratio:max{${P}}`, legend: '{{pair}}' }],
  }));
  d.withPanel(statPanel({
    title: 'Divergence incident', width: 4, height: 4, colourBackground: true,
    mappings: valueText({ 0: ['none', 'green'], 1: ['OPEN', 'red'] }),
    description: 'OPEN while a divergence incident is open on the pair: conservative LTV price, ' +
      'liquidations held, manual review pending.',
    targets: [{ expr: `risk:divergence_incident_open:max{${P}}`, legend: '{{pair}}' }],
  }));
  d.withPanel(statPanel({
    title: 'Primary (oracle) age', width: 4, height: 4, unit: 's', decimals: 0,
    thresholds: steps('green', [3600, 'orange'], [3900, 'red']),
    description: 'Age of the freshest ORACLE source at the latest evaluation. Oracles heartbeat hourly; ' +
      'past 3900 s (maxAge) there is no primary and no divergence reading.',
    targets: [{ expr: `risk:price_primary_age_seconds:min{${P}}`, legend: '{{pair}}' }],
  }));
  d.withPanel(statPanel({
    title: 'Incidents opened', width: 4, height: 4, decimals: 0,
    thresholds: steps('green', [1, 'orange']),
    description: 'Divergence incidents opened on the selected pairs within the dashboard\'s time range.',
    targets: [{ expr: `sum(increase(risk_divergence_incidents_opened{${P}}[$__range]))` }],
  }));

  // ---------------------------------------------------------------- sources
  d.withRow(new dashboard.RowBuilder('Sources against the reference'));
  d.withPanel(timeseriesPanel({
    title: 'Each source against median and TWAP', width: 24, height: 10, decimals: 2, legendRight: true,
    colours: { 'median': 'blue', 'twap': 'purple', 'ltv': 'red' },
    description: 'The last price of every source (at each evaluation) with the median of fresh ' +
      'sources, the 5-minute TWAP of exchanges and the LTV price. A source drifting away from the ' +
      'pack is about to be excluded as an outlier; the LTV line leaving the median means an incident ' +
      'made the price conservative.',
    targets: [
      { expr: `risk:price_source:max{${PS}}`, legend: '{{source}} ({{kind}})' },
      { expr: `risk:price_reference:max{${P}, measure=~"median|twap|ltv"}`, legend: '{{measure}}' },
    ],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Deviation from the median', width: 12, height: 8, unit: 'percentunit', thresholdLines: true,
    thresholds: steps('transparent', [-0.1, 'red'], [0.1, 'red']),
    description: 'Each source\'s price relative to the median. Beyond the dashed lines (the outlier ' +
      'band, 10%) the source is excluded (OUTLIER).',
    targets: [{
      expr: `risk:price_source:max{${PS}} / on (pair) group_left () risk:price_reference:max{${P}, measure="median"} - 1`,
      legend: '{{pair}} {{source}}',
    }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Divergence of the primary from the TWAP', width: 12, height: 8, unit: 'percentunit', thresholdLines: true,
    thresholds: steps('transparent', [0.05, 'red']),
    description: 'Each reading of |primary - TWAP| / TWAP. Readings above the dashed line (5%) for at ' +
      'least 2 readings and 30 s open an incident; 5 minutes under it close it.',
    targets: [{ expr: `risk:divergence_ratio:max{${P}}`, legend: '{{pair}}' }],
  }));

  // ---------------------------------------------------------------- freshness
  d.withRow(new dashboard.RowBuilder('Freshness and exclusions'));
  d.withPanel(timeseriesPanel({
    title: 'Feed age at the latest evaluation', width: 12, height: 8, unit: 's', logScale: true, thresholdLines: true,
    thresholds: steps('transparent', [120, 'orange'], [3900, 'red']),
    description: 'Event-time age of each source\'s last tick when the pair was last evaluated. Exchanges ' +
      'go stale past 120 s, oracles past 3900 s (dashed lines); a stale source is excluded (STALE).',
    targets: [{ expr: `risk:price_source_age_seconds:max{${PS}}`, legend: '{{source}} ({{kind}})' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Exclusions per minute', width: 12, height: 8, stack: true,
    description: 'Sources left out of evaluations per minute, by source and reason (STALE, OUTLIER). ' +
      'A source excluded all the time is not feeding the reference price.',
    targets: [{
      expr: `sum by (source, reason) (risk:price_excluded:rate5m{${PS}}) * 60`,
      legend: '{{source}} {{reason}}',
    }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Ticks accepted per second', width: 12, height: 8,
    description: 'Price ticks taken into evaluations per second, by source. A source going flat has ' +
      'stopped publishing.',
    targets: [{ expr: `risk:price_ticks_accepted:rate5m{${PS}}`, legend: '{{pair}} {{source}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Late ticks per second', width: 12, height: 8,
    description: 'Ticks dead-lettered as LATE_EVENT (more than 5 s older than the source\'s newest), ' +
      'by source. A source sending late ticks has clock or delivery trouble.',
    targets: [{ expr: `risk:price_ticks_late:rate5m{${PS}}`, legend: '{{pair}} {{source}}' }],
  }));

  // ---------------------------------------------------------------- evaluations
  d.withRow(new dashboard.RowBuilder('Evaluations and incidents'));
  d.withPanel(timeseriesPanel({
    title: 'Evaluations per second by status', width: 8, height: 8, stack: true,
    colours: { OK: 'green', UNAVAILABLE: 'red' },
    description: 'Reference-price evaluations per second, OK or UNAVAILABLE (below quorum). Any ' +
      'UNAVAILABLE share is time the pair could not move bands or liquidate.',
    targets: [{ expr: `sum by (status) (risk:price_evaluations:rate5m{${P}})`, legend: '{{status}}' }],
  }));
  d.withPanel(stateTimelinePanel({
    title: 'Price unavailable and divergence incidents', width: 16, height: 8,
    mappings: valueText({ 0: ['clear', 'green'], 1: ['ACTIVE', 'red'] }),
    description: 'Per pair, the stretches when the reference price was UNAVAILABLE and when a ' +
      'divergence incident was open: the times liquidations were held for price reasons.',
    targets: [
      { expr: `1 - risk:price_available:min{${P}}`, legend: 'price unavailable {{pair}}' },
      { expr: `risk:divergence_incident_open:max{${P}}`, legend: 'divergence incident {{pair}}' },
    ],
  }));
  return d;
}
