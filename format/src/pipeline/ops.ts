// The pipeline file's `ops` block: how the pipeline is operated over time (anomaly gates, freshness, lineage).
// Pure module: the renderer imports it too.
import * as z from 'zod';

/** A duration as the file writes it: `90s`, `15m`, `6h`, `2d`, `1w`. */
export const durationTextSchema = z.string().regex(/^\d+(\.\d+)?\s*(s|m|h|d|w)$/, 'a duration like 30m, 6h, 1d or 1w');

export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

export const anomalyMetricSchema = z.enum(['rows', 'rows_in', 'quarantine_rate', 'null_rate', 'duration']);
export type AnomalyMetric = z.infer<typeof anomalyMetricSchema>;

export const anomalyCheckSchema = z.strictObject({
  /** The node whose metric is checked; omitted with metric `duration` checks the whole run. */
  node: z.string().min(1).max(64).optional(),
  metric: anomalyMetricSchema,
  /** quarantine_rate: the rule id (default: all rules of the node together); null_rate: the column (required). */
  rule: z.string().max(200).optional(),
  column: z.string().max(200).optional(),
  severity: z.enum(['warn', 'fail', 'hold']).optional(),
  /** How many MADs from the median trip the check (default: the block's). */
  threshold: z.number().positive().optional(),
});
export type AnomalyCheck = z.infer<typeof anomalyCheckSchema>;

export const anomalyBlockSchema = z.strictObject({
  /** Successful runs of this pipeline the checks compare with (the most recent ones). */
  window: z.number().int().min(3).max(1000).default(30),
  /** Fewer successful runs than this and the checks only record, never trip. */
  minHistory: z.number().int().min(3).max(1000).default(5),
  threshold: z.number().positive().default(5),
  severity: z.enum(['warn', 'fail', 'hold']).default('warn'),
  checks: z.array(anomalyCheckSchema).max(200).default([]),
});
export type AnomalyBlock = z.infer<typeof anomalyBlockSchema>;

export const freshnessSchema = z.strictObject({
  /** How often the pipeline is expected to run, e.g. `1d`. */
  cadence: durationTextSchema,
  /** The outputs are late when the last successful run is older than this (default: the cadence plus half of it). */
  maxAge: durationTextSchema.optional(),
  /** Who is told when it is late (shown by `sluice status` and in the runbook). */
  owner: z.string().max(200).optional(),
});
export type Freshness = z.infer<typeof freshnessSchema>;

export const lineageSchema = z.strictObject({
  /** OpenLineage job namespace (default `sluice`). */
  namespace: z.string().min(1).max(200).optional(),
  /** Also POST each event here; the host must be allowed for the run (--allow-host), or nothing is sent. */
  url: z.string().url().max(2000).optional(),
});

export const opsSchema = z.strictObject({
  anomaly: anomalyBlockSchema.optional(),
  freshness: freshnessSchema.optional(),
  lineage: lineageSchema.optional(),
});
export type OpsBlock = z.infer<typeof opsSchema>;
