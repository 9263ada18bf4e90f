// Filter: the same columns. Whether its condition is true/false over them only DuckDB can say (the engine's half).
import * as z from 'zod';
import { SQL_EXPRESSION } from '../api/editor-hints.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  expression: z.string().min(1).describe('DuckDB SQL boolean expression over the input columns, e.g. amount > 0').meta(SQL_EXPRESSION),
  reason: z.string().max(500).optional().describe('Why rows are removed; shown in run summaries'),
});
export type FilterConfig = z.infer<typeof config>;

export const filterSchema: KindSchema<FilterConfig> = {
  kind: 'filter',
  config,
  outputSchema({ input }) {
    return { outputs: { out: input('in') }, problems: [] };
  },
  engineProblems: true,
};
