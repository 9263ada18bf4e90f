// Select columns: which columns leave, in which order, under which names.
import * as z from 'zod';
import { COLUMN } from '../api/editor-hints.js';
import { columnOf, duplicateNames, requireKnown } from '../schema/checks.js';
import type { KindSchema } from './kind.js';

const config = z.strictObject({
  columns: z
    .array(z.strictObject({ name: z.string().min(1).meta(COLUMN), as: z.string().min(1).optional() }))
    .min(1)
    .describe('Columns to keep, in order; "as" renames'),
});
export type SelectConfig = z.infer<typeof config>;

export const selectSchema: KindSchema<SelectConfig> = {
  kind: 'select',
  config,
  outputSchema({ config: c, input }) {
    const inp = input('in');
    const problems = [
      ...requireKnown(inp, c.columns.map((x, i) => ({ field: `columns[${i}].name`, name: x.name }))),
      ...duplicateNames(c.columns.map((x, i) => ({ field: x.as ? `columns[${i}].as` : `columns[${i}].name`, name: x.as ?? x.name }))),
    ];
    const out = c.columns.flatMap((x) => {
      const col = columnOf(inp, x.name);
      return col ? [{ ...col, name: x.as ?? x.name }] : [];
    });
    return { outputs: { out }, problems };
  },
};
