// Row lineage on demand (`sluice trace`, the designer's "Where did this come from?"): where one row of a past run
// came from and the nodes it passed, answered from what the run kept. Pure module (zod only).
import * as z from 'zod';

/** What a row's lineage id says about its origin (the formats the source and aggregate kinds write). */
export const originSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('line'), node: z.string(), file: z.string(), line: z.number() }),
  z.object({ type: z.literal('page'), node: z.string(), page: z.number(), record: z.number() }),
  z.object({ type: z.literal('row'), node: z.string(), file: z.string(), row: z.number() }),
  z.object({ type: z.literal('group'), node: z.string(), key: z.string() }),
  z.object({ type: z.literal('all'), node: z.string() }),
  z.object({ type: z.literal('sql-row'), node: z.string(), row: z.number() }),
  z.object({ type: z.literal('file'), node: z.string(), file: z.string() }),
  z.object({ type: z.literal('unknown'), node: z.string(), text: z.string() }),
]);
export type Origin = z.infer<typeof originSchema>;

export const traceResultSchema = z.object({
  runId: z.string(),
  pipelineName: z.string(),
  nodeId: z.string(),
  /** Where the row was read from: a checkpoint, the quarantine, or a sink's file. */
  from: z.enum(['quarantine', 'checkpoint', 'sink-file']),
  file: z.string(),
  /** The row's number in that file, from 1; null when the request named the row by its lineage id. */
  row: z.number().nullable(),
  lineage: z.string(),
  origin: originSchema,
  sourceLine: z.number().nullable(),
  /** The nodes from the origin to the traced node, in graph order, with their labels; null without the pipeline. */
  path: z.array(z.object({ nodeId: z.string(), kind: z.string(), label: z.string().optional() })).nullable(),
  values: z.record(z.string(), z.unknown()),
  reasons: z.array(z.string()).optional(),
  ruleIds: z.array(z.string()).optional(),
  /** The original text of a malformed input line the quarantine kept (invalid bytes shown as U+FFFD). */
  raw: z.string().nullable().optional(),
  notes: z.array(z.string()),
});
export type TraceResult = z.infer<typeof traceResultSchema>;

export const traceRowRequestSchema = z.object({
  runId: z.string().regex(/^[A-Za-z0-9-]+$/),
  nodeId: z.string(),
  /** Row number, from 1, of the node's output (or of its quarantine with `quarantine`), in the order the run kept it. */
  row: z.number().int().min(1).optional(),
  /** Or the row with this lineage id (its first such row), as a quarantine page or a preview shows it. */
  lineage: z.string().min(1).max(4096).optional(),
  quarantine: z.boolean().default(false),
  /** The output port (default: the node's data output). */
  port: z.string().optional(),
  /** The pipeline as the designer holds it, for the nodes passed when no saved file by the run's name is found. */
  pipeline: z.unknown().optional(),
});
export type TraceRowRequest = z.input<typeof traceRowRequestSchema>;

/** A request names its row by number or by lineage id, not both. */
export const traceRowInputSchema = traceRowRequestSchema.refine((r) => (r.row === undefined) !== (r.lineage === undefined), { message: 'name the row by "row" or by "lineage", one of them' });

export const traceMethods = {
  /** Where a row of a past run came from: source file and line (or page and record) and the nodes it passed. */
  traceRow: { input: traceRowInputSchema, output: traceResultSchema },
} as const;
