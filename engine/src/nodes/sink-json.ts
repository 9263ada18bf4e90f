// Write rows as newline-delimited JSON or a JSON array, atomically.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { sinkJsonSchema } from '@sluice/format/kinds/sink-json';
import { writeFileSink } from './shared/file-sink.js';

const config = sinkJsonSchema.config;

export const sinkJsonNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sink.json',
  category: 'sink',
  title: 'Write JSON',
  description: 'Write rows as NDJSON (one object per line) or a JSON array, atomically.',
  inputs: [{ name: 'in', title: 'Rows', role: 'data' }],
  outputs: [],
  config,
  defaults: { path: 'output.ndjson', mode: 'overwrite', key: [] },
  accounting: 'sink',
  // Its COPY writes every input row (or it counts them first: append, merge, delete markers).
  countsInputs: ['in'],
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'sink' },
  outputSchema: sinkJsonSchema.outputSchema,
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  execute: (ctx, c) =>
    writeFileSink(ctx, c, {
      copyOptions: `FORMAT json, ARRAY ${c.array ? 'true' : 'false'}`,
      readExisting: (p) => `SELECT * FROM read_json(${p}, format = ${c.array ? "'array'" : "'newline_delimited'"})`,
    }),
};
