// The pure half of the Parquet file sink: its fields, and the checks of its keys against the input (no output port).
import * as z from 'zod';
import { fileSinkFields, fileSinkSchema } from './file-sink.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({ ...fileSinkFields, compression: z.enum(['zstd', 'snappy', 'uncompressed']).default('zstd') });
export type SinkParquetConfig = z.infer<typeof config>;

export const sinkParquetSchema: KindSchema<SinkParquetConfig> = {
  kind: 'sink.parquet',
  config,
  outputSchema: (a) => fileSinkSchema(a.config, a.input('in'), a.nodeId),
};
