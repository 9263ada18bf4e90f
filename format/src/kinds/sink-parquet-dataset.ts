// The pure half of the Parquet dataset sink (merge by key into a versioned folder): its fields and key checks.
import * as z from 'zod';
import { COLUMN } from '../api/editor-hints.js';
import { fileSinkSchema } from './file-sink.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  path: z.string().min(1).describe('Dataset folder, relative to the pipeline file (Sluice keeps it as a link to the current version)'),
  key: z.array(z.string().min(1).meta(COLUMN)).min(1).describe('Key columns: a row replaces the dataset\'s row with the same key'),
  deleteColumn: z.string().min(1).meta(COLUMN).optional().describe('A BOOLEAN column; a row where it is true deletes its key instead of being written'),
  compression: z.enum(['zstd', 'snappy', 'uncompressed']).default('zstd'),
});

export type SinkParquetDatasetConfig = z.infer<typeof config>;

export const sinkParquetDatasetSchema: KindSchema<SinkParquetDatasetConfig> = {
  kind: 'sink.parquet-dataset',
  config,
  outputSchema: (a) => fileSinkSchema({ mode: 'merge', key: a.config.key, deleteColumn: a.config.deleteColumn }, a.input('in'), a.nodeId),
};
