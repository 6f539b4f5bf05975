// Building blocks shared by the three dashboards: the pinned Prometheus datasource, the template
// variables, and panel constructors that refuse a panel without a description (an analyst reads
// every panel's description from its (i) icon).
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned datasource (grafana/provisioning/datasources/prometheus.yml). */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: 'risk-prometheus' };

/** Tag shared by the three dashboards; their links menu lists every dashboard with it. */
export const TAG = 'collateral-risk';

/** Colours of the LTV bands, the same on every panel. */
export const BAND_COLOURS: Record<string, string> = {
  HEALTHY: 'green',
  WARNING: 'yellow',
  MARGIN_CALL: 'orange',
  LIQUIDATION: 'red',
};

export type Target = {
  expr: string;
  legend?: string;
  /** An instant query (the latest value) instead of a range. */
  instant?: boolean;
  format?: prometheus.PromQueryFormat;
};

/** A query against the pinned datasource; refIds A, B, C... in order. */
export function target(t: Target, index: number): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(String.fromCharCode(65 + index))
    .expr(t.expr)
    .editorMode(prometheus.QueryEditorMode.Code);
  if (t.legend !== undefined) q.legendFormat(t.legend);
  if (t.instant) q.instant();
  else q.range();
  if (t.format !== undefined) q.format(t.format);
  return q;
}

/** What every panel states: its title, what an analyst reads from it, its queries and size. */
export type PanelSpec = {
  title: string;
  description: string;
  targets: Target[];
  width: number;
  height: number;
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: dashboard.Threshold[];
  mappings?: dashboard.ValueMapping[];
  noValue?: string;
};

type CommonPanelBuilder = {
  title(t: string): unknown;
  description(d: string): unknown;
  datasource(d: common.DataSourceRef): unknown;
  withTarget(t: cog.Builder<cog.Dataquery>): unknown;
  height(h: number): unknown;
  span(w: number): unknown;
  unit(u: string): unknown;
  decimals(d: number): unknown;
  min(m: number): unknown;
  max(m: number): unknown;
  thresholds(t: cog.Builder<dashboard.ThresholdsConfig>): unknown;
  mappings(m: dashboard.ValueMapping[]): unknown;
  noValue(v: string): unknown;
};

function apply<B extends CommonPanelBuilder>(b: B, spec: PanelSpec): B {
  if (spec.description.trim().length < 20) {
    throw new Error(`panel "${spec.title}" needs a description saying what it shows`);
  }
  if (spec.targets.length === 0) throw new Error(`panel "${spec.title}" has no query`);
  b.title(spec.title);
  b.description(spec.description);
  b.datasource(DATASOURCE);
  spec.targets.forEach((t, i) => b.withTarget(target(t, i)));
  b.height(spec.height);
  b.span(spec.width);
  if (spec.unit !== undefined) b.unit(spec.unit);
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.thresholds !== undefined) {
    b.thresholds(new dashboard.ThresholdsConfigBuilder()
      .mode(dashboard.ThresholdsMode.Absolute)
      .steps(spec.thresholds));
  }
  if (spec.mappings !== undefined) b.mappings(spec.mappings);
  if (spec.noValue !== undefined) b.noValue(spec.noValue);
  return b;
}

/** Threshold steps from a base colour and [value, colour] pairs. */
export function steps(base: string, ...more: Array<[number, string]>): dashboard.Threshold[] {
  return [{ value: null, color: base }, ...more.map(([value, color]) => ({ value, color }))];
}

/** Value-to-text mappings, e.g. {0: ['closed', 'green'], 1: ['OPEN', 'red']}. */
export function valueText(map: Record<string, [string, string]>): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(map).forEach(([value, [text, color]], index) => {
    options[value] = { text, color, index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** A range mapping from `from` upwards (open-ended), e.g. +Inf -> "none running". */
export function atLeast(from: number, text: string, color: string): dashboard.ValueMapping {
  return { type: dashboard.MappingType.RangeToText, options: { from, to: null, result: { text, color } } };
}

export type TimeseriesSpec = PanelSpec & {
  stack?: boolean;
  /** Draw the thresholds as dashed lines on the graph. */
  thresholdLines?: boolean;
  /** Fixed colours per series name (legend). */
  colours?: Record<string, string>;
  legendRight?: boolean;
  logScale?: boolean;
};

export function timeseriesPanel(spec: TimeseriesSpec): timeseries.PanelBuilder {
  const b = apply(new timeseries.PanelBuilder(), spec)
    .lineWidth(1)
    .fillOpacity(spec.stack ? 40 : 8)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .tooltip(new common.VizTooltipOptionsBuilder()
      .mode(common.TooltipDisplayMode.Multi)
      .sort(common.SortOrder.Descending))
    .legend(new common.VizLegendOptionsBuilder()
      .showLegend(true)
      .displayMode(spec.legendRight ? common.LegendDisplayMode.Table : common.LegendDisplayMode.List)
      .placement(spec.legendRight ? common.LegendPlacement.Right : common.LegendPlacement.Bottom)
      .calcs(spec.legendRight ? ['lastNotNull'] : []));
  if (spec.stack) {
    b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'));
  }
  if (spec.thresholdLines) {
    b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder()
      .mode(common.GraphThresholdsStyleMode.Dashed));
  }
  if (spec.logScale) {
    b.scaleDistribution(new common.ScaleDistributionConfigBuilder()
      .type(common.ScaleDistribution.Log)
      .log(10));
  }
  Object.entries(spec.colours ?? {}).forEach(([name, colour]) => {
    b.overrideByName(name, [{ id: 'color', value: { mode: 'fixed', fixedColor: colour } }]);
  });
  return b;
}

export type StatSpec = PanelSpec & { colourBackground?: boolean; sparkline?: boolean };

export function statPanel(spec: StatSpec): stat.PanelBuilder {
  return apply(new stat.PanelBuilder(), spec)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(spec.colourBackground ? common.BigValueColorMode.Background : common.BigValueColorMode.Value)
    .graphMode(spec.sparkline ? common.BigValueGraphMode.Area : common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto);
}

export type BarGaugeSpec = PanelSpec & { horizontal?: boolean };

export function barGaugePanel(spec: BarGaugeSpec): bargauge.PanelBuilder {
  return apply(new bargauge.PanelBuilder(), spec)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .valueMode(common.BarGaugeValueMode.Color)
    .showUnfilled(true)
    .orientation(spec.horizontal ? common.VizOrientation.Horizontal : common.VizOrientation.Vertical);
}

export type StateTimelineSpec = PanelSpec;

export function stateTimelinePanel(spec: StateTimelineSpec): statetimeline.PanelBuilder {
  return apply(new statetimeline.PanelBuilder(), spec)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .fillOpacity(80);
}

export type TableSpec = PanelSpec & {
  /** Columns to hide (e.g. Time). */
  hide?: string[];
  /** Columns to rename, old -> new. */
  rename?: Record<string, string>;
  /** Column order, by the fields' original names (before renaming). */
  order?: string[];
  sortBy?: string;
  colourColumn?: string;
};

export function tablePanel(spec: TableSpec): table.PanelBuilder {
  const b = apply(new table.PanelBuilder(), spec).showHeader(true).cellHeight(common.TableCellHeight.Sm);
  const excludeByName: Record<string, boolean> = {};
  (spec.hide ?? []).forEach((c) => { excludeByName[c] = true; });
  const indexByName: Record<string, number> = {};
  (spec.order ?? []).forEach((c, i) => { indexByName[c] = i; });
  b.withTransformation({
    id: 'organize',
    options: { excludeByName, renameByName: spec.rename ?? {}, indexByName },
  });
  if (spec.sortBy !== undefined) {
    b.sortBy([new common.TableSortByFieldStateBuilder().displayName(spec.sortBy).desc(true)]);
  }
  if (spec.colourColumn !== undefined) {
    b.overrideByName(spec.colourColumn, [
      { id: 'custom.cellOptions', value: { type: 'color-background', mode: 'gradient' } },
    ]);
  }
  return b;
}

/** A multi-value template variable over a label of a series, "All" meaning the regex `.*`. */
export function labelVariable(name: string, label: string, series: string, description: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(`label_values(${series}, ${name})`)
    .definition(`label_values(${series}, ${name})`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

/** The dashboard frame shared by all three: UTC, refreshed every 30 s, linked to each other. */
export function riskDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .timezone('utc')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .link(new dashboard.DashboardLinkBuilder('Collateral risk')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags([TAG])
      .asDropdown(false)
      .includeVars(true)
      .keepTime(true));
}

/** Renders a built dashboard as the JSON Grafana's file provisioning reads. */
export function toJson(d: dashboard.DashboardBuilder): string {
  return JSON.stringify(d.build(), null, 2) + '\n';
}
