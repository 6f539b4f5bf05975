// Pipeline health: whether the job keeps up, so that the other two dashboards show the present.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import {
  labelVariable, riskDashboard, statPanel, steps, tablePanel, timeseriesPanel,
} from './lib';

const P = 'pair=~"$pair"';

export function pipelineHealth(): dashboard.DashboardBuilder {
  const d = riskDashboard('risk-pipeline-health', 'Collateral risk: pipeline health',
    'Throughput, watermark lag, tick-to-event latency, checkpoints, restarts, Kafka consumer lag and ' +
    'dead letters of the Flink job. When the pipeline lags, every risk figure is late: margin calls ' +
    'and liquidations are decided in event time, only as fast as the watermark moves.')
    .withVariable(labelVariable('pair', 'Pair', 'risk_price_available',
      'Collateral/quote pairs, for the per-pair throughput panels.'));

  // ---------------------------------------------------------------- now
  d.withRow(new dashboard.RowBuilder('Now'));
  d.withPanel(statPanel({
    title: 'Watermark lag', width: 4, height: 4, unit: 's', decimals: 0, colourBackground: true,
    thresholds: steps('green', [60, 'orange'], [300, 'red']),
    description: 'Wall clock minus the slowest stage\'s watermark: how late deadlines fire. Below zero the clock is ' +
      'ahead of the wall clock and RiskWatermarkAheadOfWallClock pages; a stall is the job\'s own check ' +
      '(RiskWatermarkStalled), not this lag.',
    targets: [{ expr: 'max(risk:watermark_lag_seconds:max)' }],
  }));
  d.withPanel(statPanel({
    title: 'Job uptime', width: 4, height: 4, unit: 'ms', decimals: 0,
    description: 'Time since the job last (re)started. A short uptime means a recent restart from ' +
      'the last checkpoint.',
    targets: [{ expr: 'max(flink_jobmanager_job_uptime)' }],
  }));
  d.withPanel(statPanel({
    title: 'Restarts in range', width: 4, height: 4, decimals: 0,
    thresholds: steps('green', [1, 'orange'], [3, 'red']),
    description: 'Job restarts within the dashboard\'s time range. Each restart replays from the last ' +
      'checkpoint; repeated restarts are a crash loop.',
    targets: [{ expr: 'sum(increase(flink_jobmanager_job_numRestarts[$__range]))' }],
  }));
  d.withPanel(statPanel({
    title: 'Failed checkpoints in range', width: 4, height: 4, decimals: 0,
    thresholds: steps('green', [1, 'orange'], [2, 'red']),
    description: 'Checkpoints that failed within the time range. Alert topics and audit tables ' +
      'commit only on completed checkpoints: failures delay every downstream notification.',
    targets: [{ expr: 'sum(increase(flink_jobmanager_job_numberOfFailedCheckpoints[$__range]))' }],
  }));
  d.withPanel(statPanel({
    title: 'Dead letters in range', width: 4, height: 4, decimals: 0,
    thresholds: steps('green', [1, 'orange']),
    description: 'Input records refused (risk.dead-letter, rejected_events) within the time range. ' +
      'Each is an input the risk figures do not include.',
    targets: [{ expr: 'sum(increase(risk_dead_letters[$__range]))' }],
  }));
  d.withPanel(statPanel({
    title: 'Metrics endpoints up', width: 4, height: 4, unit: 'percentunit', decimals: 0, colourBackground: true,
    thresholds: steps('red', [1, 'green']),
    description: 'Share of the Flink processes whose metrics Prometheus scrapes. Below 100% some ' +
      'figures on every dashboard are missing and alerts on them cannot fire.',
    targets: [{ expr: 'avg(up{job="flink"})' }],
  }));

  // ---------------------------------------------------------------- throughput
  d.withRow(new dashboard.RowBuilder('Throughput and latency'));
  d.withPanel(timeseriesPanel({
    title: 'Records in per second by operator', width: 12, height: 8, legendRight: true,
    description: 'Records each operator of the job takes in per second (summed over subtasks). The ' +
      'sources show the input rate; an operator well below its upstream is falling behind.',
    targets: [{ expr: 'risk:operator_records_in:rate', legend: '{{operator_name}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Price ticks accepted per second', width: 12, height: 8,
    description: 'Price ticks taken into evaluations per second, per pair. The heartbeat of the price ' +
      'path: flat at zero means no prices arrive.',
    targets: [{ expr: `sum by (pair) (risk:price_ticks_accepted:rate5m{${P}})`, legend: '{{pair}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Kafka consumer lag', width: 12, height: 8, decimals: 0,
    description: 'Records waiting in Kafka behind the job\'s sources (the worst partition of each ' +
      'source). Growing lag means the job reads slower than inputs arrive.',
    targets: [{ expr: 'risk:kafka_records_lag:max', legend: '{{operator_name}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Tick-to-event latency', width: 12, height: 8, unit: 's',
    description: 'From a price tick\'s ingestion to the event it caused (evaluation, margin call, ' +
      'liquidation) being handed to the Kafka sink, median and 99th percentile per event type: how late ' +
      'a margin call leaves after the price that caused it (readers of the exactly-once topics see it ' +
      'at the next checkpoint\'s commit).',
    targets: [{ expr: 'risk:tick_to_event_seconds:max{quantile=~"0.5|0.99"}', legend: '{{type}} q{{quantile}}' }],
  }));

  // ---------------------------------------------------------------- time
  d.withRow(new dashboard.RowBuilder('Event time'));
  d.withPanel(timeseriesPanel({
    title: 'Watermark lag by stage', width: 12, height: 8, unit: 's', thresholdLines: true,
    thresholds: steps('transparent', [300, 'red']),
    description: 'Wall clock minus the watermark of the prices and facilities stages. Cure deadlines, ' +
      'confirmation timeouts and escalations fire in event time: they are late by this much. The ' +
      'dashed line is live.watermarkLagAlert (5 min).',
    targets: [{ expr: 'risk:watermark_lag_seconds:max', legend: '{{stage}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Metrics sweep duration', width: 12, height: 8, unit: 's', thresholdLines: true,
    thresholds: steps('transparent', [1, 'orange']),
    description: 'How long the latest sweeps of the book\'s figures took on each LTV subtask, its ' +
      'shards together. They run every 10 s on the operator\'s thread; above the dashed line (1 s) they ' +
      'run less often (at most a tenth of the time), and exposure, distribution, shock ladder and watchlist ' +
      'refresh slower.',
    targets: [{ expr: 'max by (subtask_index) (risk_metrics_sweep_seconds)', legend: 'subtask {{subtask_index}}' }],
  }));

  // ---------------------------------------------------------------- checkpoints
  d.withRow(new dashboard.RowBuilder('Checkpoints and restarts'));
  d.withPanel(timeseriesPanel({
    title: 'Checkpoint duration', width: 8, height: 8, unit: 'ms',
    description: 'Duration of the last completed checkpoint. Outputs become visible to downstream ' +
      'systems when a checkpoint completes: long checkpoints delay alerts.',
    targets: [{ expr: 'max by (job_name) (flink_jobmanager_job_lastCheckpointDuration)', legend: '{{job_name}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Checkpoint size', width: 8, height: 8, unit: 'bytes',
    description: 'Size of the last checkpoint: the job\'s state (facilities, timers, price windows). ' +
      'Steady growth without a growing book points at state not being cleared.',
    targets: [{ expr: 'max by (job_name) (flink_jobmanager_job_lastCheckpointSize)', legend: '{{job_name}}' }],
  }));
  d.withPanel(timeseriesPanel({
    title: 'Failed checkpoints and restarts', width: 8, height: 8, decimals: 0,
    colours: { 'failed checkpoints': 'orange', restarts: 'red' },
    description: 'Checkpoint failures and job restarts per interval. Both should stay at zero; ' +
      'together they usually mean the job is crash-looping.',
    targets: [
      { expr: 'sum(increase(flink_jobmanager_job_numberOfFailedCheckpoints[$__rate_interval]))', legend: 'failed checkpoints' },
      { expr: 'sum(increase(flink_jobmanager_job_numRestarts[$__rate_interval]))', legend: 'restarts' },
    ],
  }));

  // ---------------------------------------------------------------- dead letters
  d.withRow(new dashboard.RowBuilder('Dead letters and configuration'));
  d.withPanel(timeseriesPanel({
    title: 'Dead letters per minute by reason', width: 12, height: 8, stack: true,
    description: 'Input records refused per minute, by reason (MISSING_FIELD, LATE_EVENT, ' +
      'UNKNOWN_POLICY, ...). A new reason appearing usually follows an upstream change.',
    targets: [{ expr: 'risk:dead_letters:rate5m * 60', legend: '{{reason}}' }],
  }));
  d.withPanel(tablePanel({
    title: 'Configuration in force', width: 12, height: 8,
    hide: ['Time', 'Value'], rename: { config_hash: 'Config hash', code_version: 'Code version' },
    order: ['config_hash', 'code_version'],
    description: 'The configuration hash and code version the job runs with. Every decision records ' +
      'its configHash: compare with an event\'s configHash when explaining it.',
    targets: [{
      expr: 'group by (config_hash, code_version) (risk_config_info)',
      instant: true, format: prometheus.PromQueryFormat.Table,
    }],
  }));
  return d;
}
