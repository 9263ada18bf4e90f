// Order rows by one or more columns.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { sortSchema } from '@sluice/format/kinds/sort';
import { qi } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';

const config = sortSchema.config;

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
  outputSchema: sortSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    requireColumns(ctx.nodeId, 'by', c.by.map((b) => b.column), await ctx.columns(input));
    const order = c.by.map((b) => `${qi(b.column)} ${b.descending ? 'DESC' : 'ASC'} NULLS ${b.nullsFirst ? 'FIRST' : 'LAST'}`);
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT * FROM ${input} ORDER BY ${order.join(', ')}`);
    return {};
  },
};
