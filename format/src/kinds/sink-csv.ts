// The pure half of the CSV file sink: its fields, and the checks of its keys against the input (no output port).
import * as z from 'zod';
import { fileSinkFields, fileSinkSchema } from './file-sink.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  ...fileSinkFields,
  delimiter: z.string().min(1).max(1).default(','),
  formulas: z
    .enum(['keep', 'neutralize'])
    .default('keep')
    .describe('Text cells a spreadsheet would run as a formula (starting with =, @, +, -, tab or CR): keep them as they are (with a warning and the count), or neutralize them with a leading \''),
});

export type SinkCsvConfig = z.infer<typeof config>;

export const sinkCsvSchema: KindSchema<SinkCsvConfig> = {
  kind: 'sink.csv',
  config,
  outputSchema: (a) => fileSinkSchema(a.config, a.input('in'), a.nodeId),
};
