// Deduplicate: one row per key, the same columns.
import * as z from 'zod';
import { COLUMN } from '../api/editor-hints.js';
import { requireKnown } from '../schema/checks.js';
import { nullKeysSchema } from './shared.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  keys: z.array(z.string().min(1, 'choose a column').meta(COLUMN)).min(1).describe('Columns that identify a record'),
  keep: z.enum(['first', 'last']).default('first').describe('Which row of a key to keep, by input order or "orderBy"'),
  orderBy: z.string().meta(COLUMN).optional().describe('Column deciding first and last; input order when empty'),
  duplicates: z.enum(['quarantine', 'filter']).default('quarantine'),
  // The same policy as validate's unique rule; "equal" is what deduplicate always did.
  nullKeys: nullKeysSchema.default('equal'),
});
export type DeduplicateConfig = z.infer<typeof config>;

export const deduplicateSchema: KindSchema<DeduplicateConfig> = {
  kind: 'deduplicate',
  config,
  outputSchema({ config: c, input }) {
    const inp = input('in');
    const problems = requireKnown(inp, [...c.keys.map((name, i) => ({ field: `keys[${i}]`, name })), ...(c.orderBy ? [{ field: 'orderBy', name: c.orderBy }] : [])]);
    return { outputs: { out: inp }, problems };
  },
};
