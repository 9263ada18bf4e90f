// Sort: the same columns, in another order.
import * as z from 'zod';
import { COLUMN } from '../api/editor-hints.js';
import { requireKnown } from '../schema/checks.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  by: z
    .array(z.strictObject({ column: z.string().min(1).meta(COLUMN), descending: z.boolean().default(false), nullsFirst: z.boolean().default(false) }))
    .min(1),
});
export type SortConfig = z.infer<typeof config>;

export const sortSchema: KindSchema<SortConfig> = {
  kind: 'sort',
  config,
  outputSchema({ config: c, input }) {
    const inp = input('in');
    return { outputs: { out: inp }, problems: requireKnown(inp, c.by.map((b, i) => ({ field: `by[${i}].column`, name: b.column }))) };
  },
};
