// What the engine knows about a pipeline before anything runs: validation problems, every port's columns (the
// whole-document pass and the designer's per-node `schemasFor`), and types sniffed from a text source's sample.
// Part of the one contract (contract.ts re-exports it); pure zod schemas and types.
import * as z from 'zod';
import { problemSchema } from './errors.js';

export const validationResultSchema = z.object({
  ok: z.boolean(),
  problems: z.array(problemSchema),
});
export type ValidationResult = z.infer<typeof validationResultSchema>;

export const columnSchema = z.object({ name: z.string(), type: z.string() });
export type Column = z.infer<typeof columnSchema>;

/** A port's columns as known before any run; `nullable` is false only where the engine knows it. */
export const staticColumnSchema = z.object({
  name: z.string(),
  type: z.string(),
  nullable: z.boolean().optional(),
  /** The node whose declared types decided this column's type (where a type fix points); the designer's own pass needs it. */
  typedAt: z.string().optional(),
});
export const schemasResultSchema = z.object({
  /** node id → output port → its columns, or null where they cannot be known before a run (a REST source). */
  ports: z.record(z.string(), z.record(z.string(), z.array(staticColumnSchema).nullable())),
  problems: z.array(problemSchema),
  /** How long the pass over the graph took, in milliseconds (file headers and DuckDB describes included). */
  ms: z.number(),
});
export type SchemasResult = z.infer<typeof schemasResultSchema>;

/**
 * One node the designer asks the engine to judge alone (`schemasFor`): its kind, config (parameters applied), its
 * index in the document (where problems point) and, per input port in edge order, either the columns the
 * designer's own pass gave that edge (null: not knowable) or the output of an earlier node of the same request.
 */
export const regionNodeSchema = z.object({
  id: z.string(),
  at: z.number().int().min(0),
  kind: z.string(),
  config: z.record(z.string(), z.unknown()),
  inputs: z.record(z.string(), z.array(z.union([z.array(staticColumnSchema).nullable(), z.object({ node: z.string(), port: z.string() })]))),
  /** false: the designer works this node out itself; the engine uses it for the nodes below but leaves it out of the answer. */
  reply: z.boolean().optional(),
});
export type RegionNode = z.infer<typeof regionNodeSchema>;
export const schemasForResultSchema = z.object({
  /** node id → its output ports' columns (null: not knowable before a run) and the problems the engine sees there. */
  nodes: z.record(z.string(), z.object({ outputs: z.record(z.string(), z.array(staticColumnSchema).nullable()), problems: z.array(problemSchema) })),
  /** Why these nodes cannot be judged apart from their document (an unknown kind, a config that does not parse). */
  unjudged: z.string().optional(),
  ms: z.number(),
});
export type SchemasForResult = z.infer<typeof schemasForResultSchema>;

/** Column types sniffed from a sample of a text source, offered to the user to accept into the file. */
export const sniffResultSchema = z.object({
  nodeId: z.string(),
  /** The config field accepted types go into (`types`). */
  field: z.string().optional(),
  /** The file sampled, relative to the pipeline's folder. */
  file: z.string().optional(),
  rows: z.number().optional(),
  columns: z
    .array(
      z.object({
        name: z.string(),
        type: z.string(),
        values: z.number(),
        closest: z.object({ type: z.string(), misfits: z.number(), examples: z.array(z.string()) }).optional(),
      }),
    )
    .optional(),
  /** Why nothing could be sniffed (no file yet, a file that cannot be read). */
  error: z.string().optional(),
  code: z.string().optional(),
});
export type SniffResult = z.infer<typeof sniffResultSchema>;
