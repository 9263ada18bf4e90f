// The pipeline file, format v1. Pure module: the renderer imports it too.
import * as z from 'zod';
import { opsSchema } from './ops.js';

export const CURRENT_VERSION = 1;
export const SCHEMA_URL = 'https://sluice.dev/schema/pipeline-v1.json';

/** Ids double as SQL table-name parts and JSON keys, so they are kept to a safe alphabet. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and use only letters, digits, "_" or "-"');

export const portRefSchema = z.strictObject({
  node: idSchema,
  port: z.string().min(1).max(64),
});

export const edgeSchema = z.strictObject({
  from: portRefSchema,
  to: portRefSchema,
});

export const positionSchema = z.strictObject({ x: z.number(), y: z.number() });

export const nodeSchema = z.strictObject({
  id: idSchema,
  kind: z.string().min(1).max(64),
  label: z.string().max(200).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  /** The kind's config version this node was saved with; absent in files from before kinds had versions (= 1). */
  kindVersion: z.number().int().min(1).max(10_000).optional(),
  position: positionSchema.default({ x: 0, y: 0 }),
});

/** Kinds of value a parameter takes; the designer checks what the user types against it. Values stay text. */
export const PARAM_TYPES = ['string', 'integer', 'number', 'date', 'boolean'] as const;

export const paramSchema = z.strictObject({
  /** Optional: a parameter without a type is text. */
  type: z.enum(PARAM_TYPES).optional(),
  default: z.string().optional(),
  description: z.string().optional(),
});

/** When `sluice schedule` runs the pipeline (issue 17); the cron text is checked by the engine's scheduler. */
export const scheduleSchema = z.strictObject({
  cron: z.string().min(1).max(200).describe('Cron expression, e.g. "0 * * * *" (hourly) or "*/5 * * * *"'),
  timezone: z.string().min(1).max(64).optional().describe('IANA time zone of the expression (default: the machine\'s)'),
  missed: z.enum(['skip', 'catch-up']).default('skip').describe('Runs missed while the scheduler was not running: run once for all of them (skip), or once each (catch-up)'),
});

export const settingsSchema = z.strictObject({
  schedule: scheduleSchema.optional(),
});

/**
 * Annotations (issue 15): for the people reading the pipeline, never for the engine, which ignores them. A
 * sticky note is Markdown text placed on the canvas (the designer shows it as text, never as HTML); a group is a
 * titled frame around its nodes, drawn from where they are, so it moves with them.
 */
export const noteSchema = z.strictObject({
  id: idSchema,
  text: z.string().max(20_000).describe('Markdown, shown as formatted text (raw HTML is shown as text)'),
  position: positionSchema,
  width: z.number().min(80).max(4000).optional(),
  height: z.number().min(40).max(4000).optional(),
});

export const groupSchema = z.strictObject({
  id: idSchema,
  title: z.string().max(200),
  nodes: z.array(idSchema).max(10_000).describe('Ids of the nodes inside the group'),
});

export const annotationsSchema = z.strictObject({
  notes: z.array(noteSchema).max(1000).default([]),
  groups: z.array(groupSchema).max(1000).default([]),
});

export const pipelineSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(CURRENT_VERSION),
  name: z.string().min(1).max(200),
  description: z.string().max(5000).optional(),
  params: z.record(idSchema, paramSchema).default({}),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema).default([]),
  /** Operating the pipeline over time: anomaly gates, freshness, lineage (see format/ops.ts). */
  ops: opsSchema.optional(),
  settings: settingsSchema.optional(),
  /** Sticky notes and node groups; the engine ignores them. */
  annotations: annotationsSchema.optional(),
});

export type PortRef = z.infer<typeof portRefSchema>;
export type Edge = z.infer<typeof edgeSchema>;
export type PipelineNode = z.infer<typeof nodeSchema>;
export type Pipeline = z.infer<typeof pipelineSchema>;
export type ParamSpec = z.infer<typeof paramSchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type Note = z.infer<typeof noteSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Annotations = z.infer<typeof annotationsSchema>;
