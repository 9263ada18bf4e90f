// Anomaly gates: a run's metric against the same metric in the pipeline's last successful runs, judged with robust
// statistics (median and MAD, the median absolute deviation) so that one odd run in the history does not move them.
import type { RunManifest, NodeMetrics } from '@sluice/format/api/contract';
import type { AnomalyFinding } from '@sluice/format/api/ops-contract';
import type { AnomalyBlock, AnomalyCheck } from '@sluice/format/pipeline/ops';

/** What a metric is read from: a finished run's record, or the one being built. */
export interface MetricSource {
  nodes: NodeMetrics[];
  rules?: Record<string, Record<string, number>> | undefined;
  columns?: RunManifest['columns'];
  /** Whole-run duration (ms), for a run-level `duration` check. */
  durationMs?: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function mad(xs: number[], m = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - m)));
}

const isSource = (n: NodeMetrics) => n.kind.startsWith('source.');

/** A check's value in one run, or undefined when that run did not measure it (node absent, skipped, failed). */
export function metricValue(c: AnomalyCheck, r: MetricSource): number | undefined {
  if (c.metric === 'duration' && c.node === undefined) return r.durationMs;
  const n = r.nodes.find((x) => x.nodeId === c.node);
  if (!n || n.status === 'skipped' || n.status === 'failed') return undefined;
  const consumed = isSource(n) ? n.rowsOut + n.quarantined + n.filtered : n.rowsIn;
  switch (c.metric) {
    case 'rows':
      return isSource(n) ? consumed : n.rowsOut;
    case 'rows_in':
      return n.rowsIn;
    case 'duration':
      return n.durationMs;
    case 'quarantine_rate': {
      const failed = c.rule === undefined ? n.quarantined : (r.rules?.[n.nodeId]?.[c.rule] ?? 0);
      return consumed === 0 ? 0 : failed / consumed;
    }
    case 'null_rate': {
      const col = r.columns?.[n.nodeId]?.find((x) => x.name === c.column);
      return col === undefined ? undefined : col.rows === 0 ? 0 : col.nulls / col.rows;
    }
  }
}

function label(c: AnomalyCheck, r: MetricSource): string {
  const n = r.nodes.find((x) => x.nodeId === c.node);
  switch (c.metric) {
    case 'rows':
      return n && isSource(n) ? 'rows read' : 'rows out';
    case 'rows_in':
      return 'rows in';
    case 'duration':
      return 'duration';
    case 'quarantine_rate':
      return c.rule === undefined ? 'quarantine rate' : `quarantine rate of rule "${c.rule}"`;
    case 'null_rate':
      return `null rate of column "${c.column ?? ''}"`;
  }
}

// Made on first use: building a number format loads ICU data, ~10 ms at every engine start otherwise.
let groupedFormat: Intl.NumberFormat | undefined;
const grouped = (v: number): string => (groupedFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })).format(v);

function show(c: AnomalyCheck, v: number): string {
  if (c.metric === 'quarantine_rate' || c.metric === 'null_rate') return `${(v * 100).toFixed(v * 100 < 10 ? 2 : 1)}%`;
  if (c.metric === 'duration') return `${grouped(v)} ms`;
  return grouped(v);
}

/**
 * Judge one check. The spread is the MAD, floored at 1 % of the median (and at one row, or 0.1 percentage point
 * of a rate) so that a history that never varied does not make the smallest change infinitely far off.
 */
export function judge(c: AnomalyCheck, block: AnomalyBlock, current: MetricSource, history: MetricSource[]): AnomalyFinding | undefined {
  const value = metricValue(c, current);
  if (value === undefined) return undefined;
  const past = history.map((h) => metricValue(c, h)).filter((v): v is number => v !== undefined).slice(0, block.window);
  const severity = c.severity ?? block.severity;
  const threshold = c.threshold ?? block.threshold;
  const base = { nodeId: c.node ?? '(run)', metric: c.metric, ...(c.rule ?? c.column ? { subject: (c.rule ?? c.column) as string } : {}), value, severity, history: past.length };
  const who = c.node ?? 'run';
  if (past.length < block.minHistory) {
    return { ...base, median: past.length ? median(past) : 0, mad: 0, deviation: null, tripped: false, message: `${who}: ${label(c, current)} ${show(c, value)} not judged: ${past.length} successful run(s) of history, ${block.minHistory} needed` };
  }
  const m = median(past);
  const rate = c.metric === 'quarantine_rate' || c.metric === 'null_rate';
  const spread = Math.max(mad(past, m), Math.abs(m) * 0.01, rate ? 0.001 : 1);
  const deviation = (value - m) / spread;
  const tripped = Math.abs(deviation) >= threshold;
  const dir = deviation < 0 ? 'below' : 'above';
  const message = `${who}: ${label(c, current)} ${show(c, value)} is ${Math.abs(deviation).toFixed(1)} MADs ${dir} the median ${show(c, m)} of the last ${past.length} runs`;
  return { ...base, median: m, mad: mad(past, m), deviation: Math.round(deviation * 100) / 100, tripped, message };
}

/** The checks a block runs: its own, or by default the row count of every source. */
export function checksOf(block: AnomalyBlock, sources: string[]): AnomalyCheck[] {
  return block.checks.length > 0 ? block.checks : sources.map((node) => ({ node, metric: 'rows' as const }));
}
