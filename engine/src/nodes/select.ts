// Choose, rename and reorder columns. The lineage column always travels along.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { selectSchema } from '@sluice/format/kinds/select';
import { LINEAGE } from '../runtime/exec-context.js';
import { qi } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';

const config = selectSchema.config;

export const selectNode: NodeKind<z.infer<typeof config>> = {
  kind: 'select',
  category: 'transform',
  title: 'Select columns',
  description: 'Keep, rename and reorder columns.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Output', role: 'data' }],
  config,
  defaults: { columns: [] },
  accounting: 'conserving',
  inputOrder: 'propagates',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  outputSchema: selectSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    requireColumns(ctx.nodeId, 'columns', c.columns.map((x) => x.name), await ctx.columns(input));
    const list = c.columns.map((x) => `${qi(x.name)}${x.as ? ` AS ${qi(x.as)}` : ''}`);
    // A view: selecting columns costs nothing until a consumer reads them.
    await ctx.run(`CREATE VIEW ${ctx.output('out')} AS SELECT ${qi(LINEAGE)}, ${list.join(', ')} FROM ${input}`);
    // A projection keeps every row: its rows are its input's, so the view is not read again to count them.
    return { outputRows: { out: ctx.inputRows('in') } };
  },
};
