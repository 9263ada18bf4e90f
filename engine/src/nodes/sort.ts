// Order rows by one or more columns.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { COLUMN } from '@sluice/format/api/editor-hints';
import { requireKnown } from '@sluice/format/schema/checks';
import { qi } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';

const config = z.strictObject({
  by: z
    .array(z.strictObject({ column: z.string().min(1).meta(COLUMN), descending: z.boolean().default(false), nullsFirst: z.boolean().default(false) }))
    .min(1),
});

export const sortNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sort',
  category: 'transform',
  title: 'Sort',
  description: 'Order rows by columns.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Output', role: 'data' }],
  config,
  defaults: { by: [] },
  accounting: 'conserving',
  version: 1,
  migrations: [],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'balanced' },
  outputSchema({ config: c, input }) {
    const inp = input('in');
    return { outputs: { out: inp }, problems: requireKnown(inp, c.by.map((b, i) => ({ field: `by[${i}].column`, name: b.column }))) };
  },
  async execute(ctx, c) {
    const input = ctx.input('in');
    requireColumns(ctx.nodeId, 'by', c.by.map((b) => b.column), await ctx.columns(input));
    const order = c.by.map((b) => `${qi(b.column)} ${b.descending ? 'DESC' : 'ASC'} NULLS ${b.nullsFirst ? 'FIRST' : 'LAST'}`);
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT * FROM ${input} ORDER BY ${order.join(', ')}`);
    return {};
  },
};
