// Write rows to a CSV file, atomically (overwrite, append or merge by key).
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { fileSinkFields, writeFileSink } from './shared/file-sink.js';
import { qlit } from '../sql/quote.js';

const config = z.strictObject({ ...fileSinkFields, delimiter: z.string().min(1).max(1).default(',') });

export const sinkCsvNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sink.csv',
  category: 'sink',
  title: 'Write CSV',
  description: 'Write rows to a CSV file atomically: overwrite, append, or merge by key.',
  inputs: [{ name: 'in', title: 'Rows', role: 'data' }],
  outputs: [],
  config,
  defaults: { path: 'output.csv', mode: 'overwrite', key: [] },
  accounting: 'sink',
  statics: (c) => [{ type: 'output-path', field: 'path', value: c.path }],
  execute: (ctx, c) =>
    writeFileSink(ctx, c, {
      copyOptions: `FORMAT csv, HEADER true, DELIMITER ${qlit(c.delimiter)}`,
      readExisting: (p) => `SELECT * FROM read_csv(${p}, header = true, all_varchar = true, delim = ${qlit(c.delimiter)})`,
    }),
};
