// Write rows to a Parquet file, atomically (overwrite, append or merge by key).
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { sinkParquetSchema } from '@sluice/format/kinds/sink-parquet';
import { writeFileSink } from './shared/file-sink.js';

const config = sinkParquetSchema.config;

export const sinkParquetNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sink.parquet',
  category: 'sink',
  title: 'Write Parquet',
  description: 'Write rows to a Parquet file atomically: overwrite, append, or merge by key.',
  inputs: [{ name: 'in', title: 'Rows', role: 'data' }],
  outputs: [],
  config,
  defaults: { path: 'output.parquet', mode: 'overwrite', key: [] },
  accounting: 'sink',
  // Its COPY writes every input row (or it counts them first: append, merge, delete markers).
  countsInputs: ['in'],
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'sink' },
  outputSchema: sinkParquetSchema.outputSchema,
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  execute: (ctx, c) =>
    writeFileSink(ctx, c, {
      copyOptions: `FORMAT parquet, COMPRESSION ${c.compression}`,
      readExisting: (p) => `SELECT * FROM read_parquet(${p})`,
    }),
};
