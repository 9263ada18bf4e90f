// The pure half of the JSON file sink: its fields, and the checks of its keys against the input (no output port).
import * as z from 'zod';
import { fileSinkFields, fileSinkSchema } from './file-sink.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({ ...fileSinkFields, array: z.boolean().default(false).describe('One JSON array instead of one object per line') });
export type SinkJsonConfig = z.infer<typeof config>;

export const sinkJsonSchema: KindSchema<SinkJsonConfig> = {
  kind: 'sink.json',
  config,
  outputSchema: (a) => fileSinkSchema(a.config, a.input('in'), a.nodeId),
};
