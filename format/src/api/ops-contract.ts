// What operating pipelines over time adds to a run's record and to the EngineApi: column statistics, per-rule
// failures, the quality score, anomaly-gate findings and the run store's rows. Pure module (zod only).
import * as z from 'zod';

/**
 * Statistics of one column of a node's output, computed by DuckDB at run time: rows, nulls, min and max over every
 * row of the output; the distinct count over `distinctRows` rows (see there).
 */
export const columnStatSchema = z.object({
  port: z.string(),
  name: z.string(),
  type: z.string(),
  rows: z.number(),
  nulls: z.number(),
  /**
   * Distinct non-null values, counted exactly among `distinctRows` rows; without `distinctRows` (runs recorded
   * before it existed), a HyperLogLog estimate over every row.
   */
  distinct: z.number().nullable(),
  /**
   * The rows `distinct` was counted from: every row of the output (equal to `rows`) up to 100,000 rows, above that a
   * random sample of whole row blocks of about 100,000 rows, so the count is of the sample, not an estimate of the
   * whole output.
   */
  distinctRows: z.number().optional(),
  /** Numbers, dates and timestamps only, as text so nothing is rounded. */
  min: z.string().nullable(),
  max: z.string().nullable(),
});
export type ColumnStat = z.infer<typeof columnStatSchema>;

/**
 * Quality score (0–100), documented in docs/OPERATIONS.md: a node's score is the share of the rows it consumed that
 * it passed on (rows neither quarantined nor filtered by a rule that rejects data), minus 100 when one of its
 * gates failed; the run's is the row-weighted mean over its quality nodes (validate, contracts) and sources.
 */
export const qualitySchema = z.object({
  score: z.number().nullable(),
  nodes: z.record(z.string(), z.number()),
});
export type Quality = z.infer<typeof qualitySchema>;

export const anomalySeveritySchema = z.enum(['warn', 'fail', 'hold']);
export type AnomalySeverity = z.infer<typeof anomalySeveritySchema>;

/** One anomaly check's verdict for a run. */
export const anomalyFindingSchema = z.object({
  nodeId: z.string(),
  metric: z.string(),
  /** The rule (quarantine rate) or column (null rate) the metric is about. */
  subject: z.string().optional(),
  value: z.number(),
  median: z.number(),
  mad: z.number(),
  /** Signed distance from the median in MADs; null when there was too little history to judge. */
  deviation: z.number().nullable(),
  history: z.number(),
  severity: anomalySeveritySchema,
  tripped: z.boolean(),
  message: z.string(),
});
export type AnomalyFinding = z.infer<typeof anomalyFindingSchema>;

/** Bytes a node read or wrote, measured on its files, and how (see engine/src/ops/bytes.ts). */
export const nodeBytesSchema = z.object({
  /** Sources: bytes of the input files. */
  read: z.number().optional(),
  /** Sinks: bytes of what they published. */
  written: z.number().optional(),
  files: z.number(),
  /** How the number was measured, in words shown to the user. */
  from: z.string(),
});
export type NodeBytes = z.infer<typeof nodeBytesSchema>;

export const startedBySchema = z.enum(['cli', 'designer', 'desktop', 'test']);

/** Additions to the run manifest; every field is optional so older records still read. */
export const manifestOpsFields = {
  /** Who started the run. */
  startedBy: startedBySchema.optional(),
  /** Per node: rows that failed each rule (a row failing two rules counts for both). */
  rules: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  /** Per node: bytes read (sources) and written (sinks), with how each was measured. */
  bytes: z.record(z.string(), nodeBytesSchema).optional(),
  /** Per node: statistics of the columns of its data outputs. */
  columns: z.record(z.string(), z.array(columnStatSchema)).optional(),
  quality: qualitySchema.optional(),
  anomalies: z.array(anomalyFindingSchema).optional(),
  /** An anomaly gate with severity `hold` tripped: nothing was published after it; resume with --accept-anomalies. */
  held: z.boolean().optional(),
};

/** A run as the run store lists it. */
export const runSummarySchema = z.object({
  runId: z.string(),
  pipelineName: z.string(),
  historyDir: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  outcome: z.string(),
  startedBy: z.string(),
  rowsRead: z.number(),
  rowsWritten: z.number(),
  /** Bytes of the input files sources read, and of the files sinks wrote (0 for runs recorded without them). */
  bytesRead: z.number(),
  bytesWritten: z.number(),
  quarantined: z.number(),
  filtered: z.number(),
  quality: z.number().nullable(),
  anomalies: z.number(),
});
export type RunSummaryRow = z.infer<typeof runSummarySchema>;

/** One point of a trend: a node's (or a rule's) metric in one run. */
export const trendPointSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  nodeId: z.string(),
  rule: z.string().nullable(),
  rowsIn: z.number(),
  rowsOut: z.number(),
  quarantined: z.number(),
  durationMs: z.number(),
  quality: z.number().nullable(),
});
export type TrendPoint = z.infer<typeof trendPointSchema>;

export const runsQuerySchema = z.object({
  limit: z.number().int().min(1).max(10_000).default(200),
  pipelineName: z.string().optional(),
  outcome: z.string().optional(),
  startedBy: z.string().optional(),
  /** ISO time: runs started at or after it. */
  since: z.string().optional(),
});

/** One pipeline of the workspace and its freshness (`sluice status`, the designer's Open dialog). */
export const pipelineStatusSchema = z.object({
  file: z.string(),
  name: z.string(),
  health: z.enum(['healthy', 'late', 'failing', 'never run', 'unknown']),
  lastRunAt: z.string().optional(),
  lastOutcome: z.string().optional(),
  lastSuccessAt: z.string().optional(),
  ageMs: z.number().optional(),
  maxAgeMs: z.number().optional(),
  owner: z.string().optional(),
  why: z.string(),
});
export type PipelineHealth = z.infer<typeof pipelineStatusSchema>;

export const opsMethods = {
  /** The pipelines that have runs, with how many and when the last began (the Runs view's pipeline filter). */
  runPipelines: { input: z.object({}), output: z.array(z.object({ name: z.string(), runs: z.number(), lastRunAt: z.string() })) },
  /** Past runs from the run store of every history folder this engine knows, newest first. */
  runHistory: { input: runsQuerySchema, output: z.array(runSummarySchema) },
  /** Per-node and per-rule metrics of a pipeline's last runs, oldest first (trend charts). */
  runTrends: {
    input: z.object({ pipelineName: z.string(), limit: z.number().int().min(1).max(1000).default(30) }),
    output: z.array(trendPointSchema),
  },
  /** Every pipeline file of the engine's first workspace with its health, as `sluice status` prints it. */
  workspaceStatus: { input: z.object({}), output: z.array(pipelineStatusSchema) },
} as const;

/** One column's profile (the preview's Profile tab). */
export const columnProfileSchema = z.object({
  name: z.string(),
  type: z.string(),
  nulls: z.number(),
  /** 0–1, of the profiled rows. */
  nullRate: z.number(),
  /** Exact count of distinct non-null values; null for nested types. */
  distinct: z.number().nullable(),
  /** As text so nothing is rounded; null for nested types and an all-null column. */
  min: z.string().nullable(),
  max: z.string().nullable(),
  /** The most frequent values (as text; null is the null value), most frequent first. */
  top: z.array(z.object({ value: z.string().nullable(), count: z.number() })),
  /** Equal-width bins between min and max, for numbers, dates and timestamps; null for other types. */
  histogram: z.array(z.object({ from: z.string(), to: z.string(), count: z.number() })).nullable(),
});
export type ColumnProfile = z.infer<typeof columnProfileSchema>;

export const profileResultSchema = z.object({
  nodeId: z.string(),
  port: z.string(),
  /** Rows of the node's whole output. */
  rows: z.number(),
  /** Rows the profile was computed over: all of them, or a random sample of this size when `sampled`. */
  profiledRows: z.number(),
  sampled: z.boolean(),
  /** Columns left out of a very wide output (the first ones are profiled). */
  omittedColumns: z.number(),
  columns: z.array(columnProfileSchema),
});
export type ProfileResult = z.infer<typeof profileResultSchema>;

