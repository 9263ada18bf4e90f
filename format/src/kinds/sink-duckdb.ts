// The pure half of the DuckDB table sink: its fields, and the checks of its keys against the input (no output port).
import * as z from 'zod';
import { COLUMN, PATH } from '../api/editor-hints.js';
import { fileSinkSchema } from './file-sink.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  path: z.string().min(1, 'needs a file: choose the database file').meta(PATH).describe('DuckDB database file, relative to the pipeline file'),
  table: z.string().min(1).max(128),
  mode: z.enum(['overwrite', 'append', 'merge']).default('overwrite'),
  key: z.array(z.string().min(1).meta(COLUMN)).default([]),
  includeLineage: z.boolean().default(false),
  deleteColumn: z.string().min(1).meta(COLUMN).optional().describe('Merge only: a BOOLEAN column; a row where it is true deletes its key from the table instead of being written'),
});
export type SinkDuckdbConfig = z.infer<typeof config>;

export const sinkDuckdbSchema: KindSchema<SinkDuckdbConfig> = {
  kind: 'sink.duckdb',
  config,
  outputSchema: (a) => fileSinkSchema(a.config, a.input('in'), a.nodeId),
};
