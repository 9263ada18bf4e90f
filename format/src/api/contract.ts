// The one typed contract between Sluice's front ends (renderer, CLI, Electron IPC) and the engine.
// Pure module: zod schemas and types only. Each method's input is validated by every adapter.
import * as z from 'zod';
import { allowedHost } from './hosts.js';
import { errorBodySchema } from './errors.js';

export { engineErrorSchema, errorBodySchema, fixSchema, problemSchema, type EngineErrorBody, type Fix } from './errors.js';
import { manifestOpsFields, opsMethods, profileResultSchema } from './ops-contract.js';
import { inputFingerprintSchema } from './inputs.js';
import { pinMethods } from './pins-contract.js';
import { traceMethods } from './trace-contract.js';
import { validationResultSchema, columnSchema, schemasResultSchema, regionNodeSchema, schemasForResultSchema, sniffResultSchema } from './schema-contract.js';

export * from './schema-contract.js';

export { changedInput, inputFingerprintSchema, type InputFingerprint } from './inputs.js';

export const portSpecSchema = z.object({
  name: z.string(),
  title: z.string(),
  /** `data` carries rows on; `quarantine` carries rejected rows with reasons; `reference` is read, not consumed. */
  role: z.enum(['data', 'quarantine', 'reference']),
  /** Input ports: whether several edges may arrive here (union). */
  multiple: z.boolean().optional(),
  optional: z.boolean().optional(),
});
export type PortSpec = z.infer<typeof portSpecSchema>;

/**
 * What a kind is, declared on the kind itself and read by preview, replay, the run tab and the form (no list of
 * kinds is kept anywhere else).
 */
export const kindTraitsSchema = z.object({
  /** `row-wise`: each row is judged on its own, so a sample of the input gives a faithful sample of the output; `set-wise`: rows are judged together. */
  rows: z.enum(['row-wise', 'set-wise']),
  /** At a replay of quarantined rows: `judges` (its quarantine can be replayed here), `passes` (replayed rows flow through), `refuses` (a few replayed rows would give wrong answers). */
  replay: z.enum(['judges', 'passes', 'refuses']),
  /** The counts a run reports for it. `balanced`: in = passed + quarantined + filtered holds; `opaque`: new rows, counted but not reconciled one by one. */
  counts: z.enum(['balanced', 'opaque', 'source', 'sink']),
});
export type KindTraits = z.infer<typeof kindTraitsSchema>;

export const nodeKindInfoSchema = z.object({
  kind: z.string(),
  category: z.enum(['source', 'transform', 'quality', 'sink']),
  title: z.string(),
  description: z.string(),
  inputs: z.array(portSpecSchema),
  outputs: z.array(portSpecSchema),
  /** JSON Schema of the node's config, generated from its zod schema. */
  configSchema: z.record(z.string(), z.unknown()),
  /** Config a freshly dropped node starts with. */
  defaults: z.record(z.string(), z.unknown()),
  /** The kind's config version; files record it per node and older configs are migrated on load. */
  version: z.number().int().min(1),
  traits: kindTraitsSchema,
  /** The config field that takes column types sniffed from the data (`sniffTypes`), for kinds that offer a sniff. */
  sniffField: z.string().optional(),
});
export type NodeKindInfo = z.infer<typeof nodeKindInfoSchema>;

export const catalogSchema = z.object({
  engineVersion: z.string(),
  kinds: z.array(nodeKindInfoSchema),
});
export type Catalog = z.infer<typeof catalogSchema>;


/**
 * Values cross the contract as JSON-safe cells: numbers beyond 2^53, decimals and
 * dates travel as strings so nothing is rounded; null stays null.
 */
export const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Cell = z.infer<typeof cellSchema>;

/** Network or file I/O of a node that retries: requests made, failures, retries and its circuit breaker. */
export const ioStatsSchema = z.object({
  requests: z.number(),
  retries: z.number(),
  failures: z.number(),
  /** Total time spent waiting between attempts. */
  retryWaitMs: z.number(),
  breaker: z.enum(['closed', 'open', 'half-open']),
  /** Times the breaker opened during the node. */
  breakerOpens: z.number().optional(),
  /** Pages committed to the node's durable spool, and how many of them came from an earlier, interrupted run. */
  pages: z.number().optional(),
  resumedPages: z.number().optional(),
  lastError: z.string().optional(),
});
export type IoStats = z.infer<typeof ioStatsSchema>;

export const nodeMetricsSchema = z.object({
  nodeId: z.string(),
  kind: z.string(),
  status: z.enum(['ok', 'warning', 'failed', 'skipped']),
  rowsIn: z.number(),
  rowsOut: z.number(),
  quarantined: z.number(),
  filtered: z.number(),
  /** The explicit rule that filtered rows (e.g. a filter's expression, "blank line"). */
  filterReason: z.string().optional(),
  /** Rows of the consumed inputs that left this node as output (differs from rowsOut for joins and aggregates). */
  passed: z.number(),
  durationMs: z.number(),
  outputs: z.record(z.string(), z.number()),
  warnings: z.array(z.string()),
  error: z.string().optional(),
  /** A source that stopped early at a preview's row limit: its counts describe a sample. */
  sampled: z.boolean().optional(),
  /**
   * A resumed run took this node's result from the earlier attempt instead of running it again: from its verified
   * checkpoint, its commit (a sink), or its recorded counts when no node that runs again reads its output.
   */
  resumed: z.boolean().optional(),
  /** This run kept checkpoints of the node's outputs, so a resume of it would not run the node again. */
  checkpointed: z.boolean().optional(),
  /** Retries and breaker state of a node that does network or file I/O. */
  io: ioStatsSchema.optional(),
});
export type NodeMetrics = z.infer<typeof nodeMetricsSchema>;

export const quarantineEntrySchema = z.object({
  lineage: z.string(),
  sourceLine: z.number().nullable(),
  ruleIds: z.array(z.string()),
  reasons: z.array(z.string()),
  /** The row's values as JSON text (exact, as the node saw them), or null for malformed input lines. */
  row: z.string().nullable(),
  /** Original text of a malformed input line; invalid bytes are shown as U+FFFD here and kept exactly in storage. */
  raw: z.string().nullable(),
});
export type QuarantineEntry = z.infer<typeof quarantineEntrySchema>;

/** Network hosts REST sources may reach, as the user allowed them for a request (never from a pipeline file). */
const allowHostsSchema = z
  .array(z.string().max(300).refine((e) => allowedHost(e) !== undefined, { message: 'expected HOST or HOST:PORT, e.g. api.example.com or 127.0.0.1:8080' }))
  .max(100)
  .optional();

const SIZE = /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** Resource limits a caller may set for a run or a preview (engine/src/runtime/execution/limits.ts has the defaults). */
export const limitsInputSchema = z
  .strictObject({
    memoryLimit: z.string().regex(SIZE, 'a size such as 512MB or 4GB').optional(),
    tempLimit: z.string().regex(SIZE, 'a size such as 512MB or 4GB').optional(),
    /** Folder DuckDB spills to when a query outgrows the memory limit (default: the run's own work folder). */
    tempDir: z.string().min(1, 'a folder').max(4096).optional(),
    nodeTimeoutSeconds: z.number().min(0).max(7 * 24 * 3600).optional(),
    previewTimeoutSeconds: z.number().min(0).max(24 * 3600).optional(),
  })
  .optional();
export type LimitsInput = z.infer<typeof limitsInputSchema>;
/**
 * Environment variables a pipeline may read secrets from besides `SLUICE_SECRET_…`, as the user allowed them
 * for a request (the designer's pipeline settings; never from a pipeline file).
 */
const allowEnvSchema = z
  .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name'))
  .max(100)
  .optional();

export const previewRequestSchema = z.object({
  pipeline: z.unknown(),
  nodeId: z.string(),
  limit: z.number().int().min(0).max(10_000).default(100),
  params: z.record(z.string(), z.string()).default({}),
  baseDir: z.string().optional(),
  allowHosts: allowHostsSchema,
  limits: limitsInputSchema,
  allowEnv: allowEnvSchema,
});
export type PreviewRequest = z.input<typeof previewRequestSchema>;

export const previewResultSchema = z.object({
  nodeId: z.string(),
  port: z.string(),
  columns: z.array(columnSchema),
  rows: z.array(z.array(cellSchema)),
  /** Each row's lineage id, parallel to `rows` (null where a row has none); decoded by pipeline/lineage-id.ts. */
  lineage: z.array(z.string().nullable()).optional(),
  totalRows: z.number(),
  metrics: z.array(nodeMetricsSchema),
  quarantine: z.array(quarantineEntrySchema),
  quarantineTotal: z.number(),
  /**
   * Exact count per rule of every row quarantined at the node in this preview (not only the entries sent),
   * counted in the same pass; a row failing two rules counts under both.
   */
  quarantineByRule: z.record(z.string(), z.number()).optional(),
  /** True when sources were read only partly (a limit pushed down), so counts describe a sample. */
  sampled: z.boolean(),
  /** The input files this preview read, as they were just before it read them (see api/inputs.ts). */
  inputs: z.array(inputFingerprintSchema).optional(),
});
export type PreviewResult = z.infer<typeof previewResultSchema>;

/**
 * The options a user chooses for a run, defined once: the designer sends them in a run request, the CLI builds
 * them from its flags, and the supervisor hands them to the run's worker inside a RunSpec. A new run option is
 * added here, read by its planner (runtime/run.ts) and offered by the front ends; nothing copies it by hand.
 */
/**
 * A run option that `sluice run` offers as a flag of its own, derived from this entry (engine/src/cli/run-flags.ts):
 * a new simple option (boolean, string or enum) registered here needs no hand-written CLI code. `flag` is commander's
 * syntax: `--name` for a boolean, `--name <value>` for a value.
 */
export interface RunOptionFlag {
  flag: string;
  help: string;
}
export const runOptionFlags = z.registry<RunOptionFlag>();

export const runOptionsSchema = z.object({
  params: z.record(z.string(), z.string()).default({}),
  /** Resume this earlier run of the same pipeline: verified nodes are skipped, committed sinks are not written again. */
  resume: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
  /** Which node outputs to checkpoint for a later resume (default: the engine's, normally 'auto'). */
  checkpoint: z.enum(['auto', 'all', 'off']).optional(),
  /** Stateful nodes (incremental sources, windows) start from nothing instead of the last committed state. */
  fullRefresh: z.boolean().optional().register(runOptionFlags, { flag: '--full-refresh', help: 'incremental sources and windows start over: read every file again, forget window state' }),
  /**
   * "Run up to here": run only this node and the nodes that feed it; nothing after it is read or written. The run's
   * record keeps the node (`upTo`), so a partial run is never read as a run of the whole pipeline.
   */
  upTo: z
    .string()
    .min(1)
    .optional()
    .register(runOptionFlags, { flag: '--up-to <node>', help: 'run only this node and the nodes that feed it; nothing after it is read or written' }),
  allowHosts: allowHostsSchema,
  limits: limitsInputSchema,
  allowEnv: allowEnvSchema,
});
export type RunOptionsInput = z.input<typeof runOptionsSchema>;

export const runRequestSchema = runOptionsSchema.extend({
  pipeline: z.unknown(),
  /** Where the pipeline file lives; relative paths in it resolve against this folder. */
  baseDir: z.string().optional(),
});
export type RunRequest = z.input<typeof runRequestSchema>;

/** Replay rows an earlier run quarantined at a node, optionally edited (see runtime/durability/replay.ts). */
export const replayRequestSchema = z.object({
  runId: z.string().regex(/^[A-Za-z0-9-]+$/),
  nodeId: z.string(),
  /** Edited rows, each with the `__lineage` of the quarantined row it replaces; default: the rows as they were. */
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type ReplayRequest = z.infer<typeof replayRequestSchema>;

/**
 * Everything one run needs, as the engine executes it: a run request with its folders resolved by the host (the
 * service or the CLI). It crosses to the run's worker process as JSON, checked again by this schema there.
 */
export const runSpecSchema = runOptionsSchema.extend({
  pipeline: z.unknown(),
  baseDir: z.string(),
  historyDir: z.string(),
  /** Relative output paths resolve here (`sluice run --out`); default: baseDir. */
  outDir: z.string().optional(),
  /** Extra folders the pipeline may read or write, besides its own folder (and outDir). */
  allow: z.array(z.string()).optional(),
  replay: replayRequestSchema.optional(),
});
export type RunSpec = z.input<typeof runSpecSchema>;

/** `running` is what a run's record says until it ends; a record left `running` belongs to a run that died. */
/** `partial`: some nodes failed but independent branches finished and published; `--resume` finishes the rest. */
export const runOutcomeSchema = z.enum(['running', 'succeeded', 'partial', 'failed', 'gate_failed', 'cancelled']);

/** An edge whose columns in a run differed from the accepted schema (see schema/drift.ts). */
export const edgeDriftSchema = z.object({
  from: z.object({ node: z.string(), port: z.string() }),
  to: z.object({ node: z.string(), port: z.string() }),
  added: z.array(z.object({ name: z.string(), type: z.string() })),
  removed: z.array(z.string()),
  retyped: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
});
export type EdgeDrift = z.infer<typeof edgeDriftSchema>;

export const runManifestSchema = z.object({
  runId: z.string(),
  pipelineName: z.string(),
  pipelineHash: z.string(),
  params: z.record(z.string(), z.string()),
  engineVersion: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: runOutcomeSchema,
  nodes: z.array(nodeMetricsSchema),
  quarantine: z.record(z.string(), z.string()),
  errors: z.array(z.string()),
  /**
   * Faults of the engine itself (not mistakes of the pipeline), with their stacks, for whoever debugs them; the
   * designer and CLI show `errors`, never these.
   */
  faults: z.array(z.object({ nodeId: z.string().optional(), detail: z.string() })).optional(),
  /** Each time the run was resumed: when, and which nodes were taken from the earlier attempt. */
  resumes: z.array(z.object({ at: z.string(), restored: z.array(z.string()) })).optional(),
  /** A "run up to here": only this node and the nodes that feed it ran (the `upTo` run option). */
  upTo: z.string().optional(),
  /** This run replayed rows another run quarantined at a node. */
  replayOf: z.object({ runId: z.string(), nodeId: z.string(), rows: z.number() }).optional(),
  /** Replays of this run's quarantined rows, with how many passed this time (the ledger across runs). */
  replays: z
    .array(
      z.object({
        runId: z.string(),
        nodeId: z.string(),
        at: z.string(),
        replayed: z.number(),
        passed: z.number(),
        quarantined: z.number(),
        filtered: z.number(),
        outcome: runOutcomeSchema,
      }),
    )
    .optional(),
  /** Edges whose columns differed from the accepted schema (the file's declared types), with what changed. */
  schemaDrift: z.array(edgeDriftSchema).optional(),
  ...manifestOpsFields,
});
export type RunManifest = z.infer<typeof runManifestSchema>;

export const quarantinePageRequestSchema = z.object({
  runId: z.string(),
  nodeId: z.string(),
  rule: z.string().optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000).default(100),
});

export const quarantinePageSchema = z.object({
  total: z.number(),
  byRule: z.record(z.string(), z.number()),
  entries: z.array(quarantineEntrySchema),
});
export type QuarantinePage = z.infer<typeof quarantinePageSchema>;

export const sampleSchema = z.object({ name: z.string(), path: z.string(), pipeline: z.unknown() });
export type Sample = z.infer<typeof sampleSchema>;

/** A run started with `startRun`, as `runStatus` reports it while it goes and after it ends. */
export const runJobStatusSchema = z.object({
  jobId: z.string(),
  /** `done`: the run ended with a record (whatever its outcome); `error`: it could not run at all. */
  state: z.enum(['running', 'done', 'error']),
  /** Nodes started and not yet finished. */
  running: z.array(z.string()),
  /** Nodes finished so far, in the order they finished. */
  metrics: z.array(nodeMetricsSchema),
  cancelRequested: z.boolean(),
  /** Latest I/O statistics of nodes still running (retries, breaker), with their last progress note. */
  io: z.record(z.string(), z.object({ stats: ioStatsSchema, note: z.string().optional() })).optional(),
  manifest: runManifestSchema.optional(),
  error: errorBodySchema.optional(),
  /** The input files as they were when the run started: its counts describe these. */
  inputs: z.array(inputFingerprintSchema).optional(),
  /**
   * How far each running node's current statement is, from DuckDB's query progress: the share done, in percent,
   * and, for nodes that read tables (not files), the input rows worked through so far (runtime/execution/progress.ts).
   */
  progress: z.record(z.string(), z.object({ percent: z.number(), rows: z.number().optional() })).optional(),
});
export type RunJobStatus = z.infer<typeof runJobStatusSchema>;

/** A pipeline file in the workspace folder `sluice serve` was started with (browser mode). */
export const workspaceFileSchema = z.object({
  /** Relative to the workspace folder, with `/` separators. */
  path: z.string(),
  name: z.string(),
  modifiedMs: z.number(),
  size: z.number(),
});
export type WorkspaceFile = z.infer<typeof workspaceFileSchema>;

const workspacePathSchema = z.string().min(1).max(512);

/** A watch started with `watchStart` (micro-batches whenever files land; issue 17). */
export const watchStatusSchema = z.object({
  watchId: z.string(),
  /** `stopping`: the current batch finishes, then the watch ends. */
  state: z.enum(['watching', 'stopping', 'stopped', 'error']),
  batches: z.number(),
  failed: z.number(),
  /** Files ready and waiting for a batch, files still being written, and how long ago the oldest ready one landed. */
  lag: z.object({ ready: z.number(), waiting: z.number(), oldestMs: z.number() }),
  lastBatch: z
    .object({ runId: z.string(), outcome: runOutcomeSchema, files: z.number(), ms: z.number(), at: z.string(), latencyMs: z.number().optional() })
    .optional(),
  error: z.string().optional(),
});
export type WatchStatus = z.infer<typeof watchStatusSchema>;

/** Every method, its input schema and its output schema; adapters are generated from this table. */
export const engineMethods = {
  catalog: { input: z.object({}), output: catalogSchema },
  /** Problems with the file, and, when it is well-formed, the static problems its port schemas show. */
  validate: { input: z.object({ pipeline: z.unknown(), baseDir: z.string().optional(), params: z.record(z.string(), z.string()).optional() }), output: validationResultSchema },
  /** Every port's columns and types, computed without running the pipeline. */
  schemas: { input: z.object({ pipeline: z.unknown(), baseDir: z.string().optional(), params: z.record(z.string(), z.string()).optional() }), output: schemasResultSchema },
  /**
   * The schemas and problems of the named nodes only, given their input columns (the designer's own pass gives
   * them): after an edit to an expression node, the engine judges that node and the ones below it, not the file.
   */
  schemasFor: { input: z.object({ nodes: z.array(regionNodeSchema).max(10_000), baseDir: z.string().optional() }), output: schemasForResultSchema },
  /** Column types sniffed from a sample of a source with Sluice's strict casts; never used by a run until accepted into the file. */
  sniffTypes: { input: z.object({ pipeline: z.unknown(), nodeId: z.string(), baseDir: z.string().optional(), params: z.record(z.string(), z.string()).optional() }), output: sniffResultSchema },
  preview: { input: previewRequestSchema, output: previewResultSchema },
  /** The pipeline's input files as they are now, to compare with those a preview or run reported. */
  inputFingerprints: {
    input: z.object({ pipeline: z.unknown(), baseDir: z.string().optional(), params: z.record(z.string(), z.string()).default({}) }),
    output: z.object({ inputs: z.array(inputFingerprintSchema) }),
  },
  /** Column profiles of a node's whole output (the preview's Profile tab); cached with the previews. */
  profile: { input: previewRequestSchema.omit({ limit: true }), output: profileResultSchema },
  run: { input: runRequestSchema, output: runManifestSchema },
  /** Starts a run and answers at once; follow it with `runStatus`, stop it with `cancelRun`. */
  startRun: { input: runRequestSchema, output: z.object({ jobId: z.string() }) },
  runStatus: { input: z.object({ jobId: z.string() }), output: runJobStatusSchema },
  /** Asks a started run to stop; `cancelled` is false when the run had already ended (or is unknown). */
  cancelRun: { input: z.object({ jobId: z.string() }), output: z.object({ cancelled: z.boolean() }) },
  listRuns: { input: z.object({ limit: z.number().int().min(1).max(1000).default(50) }), output: z.array(runManifestSchema) },
  quarantinePage: { input: quarantinePageRequestSchema, output: quarantinePageSchema },
  samples: { input: z.object({}), output: z.array(sampleSchema) },
  /** Runs the pipeline whenever files land in its incremental sources, one batch at a time, in the engine's process. */
  watchStart: { input: z.object({ pipeline: z.unknown(), params: z.record(z.string(), z.string()).default({}), baseDir: z.string().optional(), maxFiles: z.number().int().min(1).max(100_000).optional() }), output: z.object({ watchId: z.string() }) },
  watchStatus: { input: z.object({ watchId: z.string() }), output: watchStatusSchema },
  /** Lets the current batch finish, then stops; `stopping` is false when the watch had already ended. */
  watchStop: { input: z.object({ watchId: z.string() }), output: z.object({ stopping: z.boolean() }) },
  /** The workspace's .json files (browser mode; an engine without a workspace refuses the file methods). */
  listFiles: { input: z.object({}), output: z.object({ root: z.string(), files: z.array(workspaceFileSchema) }) },
  readFile: { input: z.object({ path: workspacePathSchema }), output: z.object({ path: z.string(), text: z.string(), modifiedMs: z.number() }) },
  /** Atomic; refuses an existing file unless `overwrite` (answering the error code `file_exists`). */
  writeFile: {
    input: z.object({ path: workspacePathSchema, text: z.string(), overwrite: z.boolean().default(false) }),
    output: z.object({ path: z.string(), modifiedMs: z.number() }),
  },
  ...opsMethods,
  ...pinMethods,
  ...traceMethods,
  /** One run's record, found in any history folder this engine knows. */
  runRecord: { input: z.object({ runId: z.string().regex(/^[A-Za-z0-9-]+$/) }), output: runManifestSchema },
} as const;

export type EngineMethod = keyof typeof engineMethods;
export type MethodInput<M extends EngineMethod> = z.input<(typeof engineMethods)[M]['input']>;
export type MethodOutput<M extends EngineMethod> = z.infer<(typeof engineMethods)[M]['output']>;

export type EngineApi = { [M in EngineMethod]: (input: MethodInput<M>) => Promise<MethodOutput<M>> };

/**
 * What an engine pushes rather than answers: a started run's status, each time it changes (at most ten times a
 * second), ending with the status that is no longer `running`. The local server streams it (server-sent events);
 * a client without it polls `runStatus`. Returns a function that stops following.
 */
export interface EngineStreams {
  followRun(jobId: string, onStatus: (status: RunJobStatus) => void, onError?: (err: Error) => void): () => void;
}
