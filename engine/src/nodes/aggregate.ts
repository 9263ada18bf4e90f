// Group rows and compute aggregates. Every input row is folded into exactly one group, which the reconciler checks.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { aggregateSchema } from '@sluice/format/kinds/aggregate';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';

const config = aggregateSchema.config;

export const aggregateNode: NodeKind<z.infer<typeof config>> = {
  kind: 'aggregate',
  category: 'transform',
  title: 'Aggregate',
  description: 'Group by columns and compute count, sum, avg, min, max or distinct counts.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Groups', role: 'data' }],
  config,
  defaults: { groupBy: [], aggregates: [{ fn: 'count', as: 'rows' }] },
  accounting: 'reducing',
  inputOrder: 'absorbs',
  // Every input row is folded into exactly one group: the groups' counts add up to the rows read.
  countsInputs: ['in'],
  version: 1,
  migrations: [],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'balanced' },
  outputSchema: aggregateSchema.outputSchema,
  async execute(ctx, c) {
    const input = ctx.input('in');
    const cols = await ctx.columns(input);
    requireColumns(ctx.nodeId, 'groupBy', c.groupBy, cols);
    const aggs = c.aggregates.map((a, i) => {
      if (a.fn !== 'count' && !a.column) throw new UserError(`aggregates[${i}]: "${a.fn}" needs a column`, { nodeId: ctx.nodeId, field: `aggregates[${i}].column` });
      if (a.column) requireColumns(ctx.nodeId, `aggregates[${i}].column`, [a.column], cols);
      const colSql = a.column ? qi(a.column) : '*';
      const expr = a.fn === 'count_distinct' ? `count(DISTINCT ${colSql})` : `${a.fn}(${colSql})`;
      return `${expr} AS ${qi(a.as)}`;
    });
    const keys = c.groupBy.map(qi);
    // Group rows get a lineage of their own: the node and the group's key values.
    const lineage = keys.length ? `${qlit(`${ctx.nodeId}:group:`)} || to_json(struct_pack(${c.groupBy.map((g) => `${qi(g)} := ${qi(g)}`).join(', ')}))::VARCHAR` : qlit(`${ctx.nodeId}:all`);
    const sql = `SELECT ${lineage} AS ${qi(LINEAGE)}, ${[...keys, ...aggs, 'count(*) AS "__sl_folded"'].join(', ')} FROM ${input}${keys.length ? ` GROUP BY ${keys.join(', ')} ORDER BY ${keys.join(', ')}` : ''}`;
    const tmp = `${ctx.output('out').slice(0, -1)}__agg"`;
    await ctx.run(`CREATE TABLE ${tmp} AS ${sql}`);
    const folded = await ctx.count(`SELECT coalesce(sum("__sl_folded"), 0) FROM ${tmp}`);
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT * EXCLUDE ("__sl_folded") FROM ${tmp}`);
    await ctx.run(`DROP TABLE ${tmp}`);
    return { passed: folded, inputRowsRead: { in: folded } };
  },
};

