// Group rows and compute aggregates. Every input row is folded into exactly one group, which the reconciler checks.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { COLUMN } from '@sluice/format/api/editor-hints';
import { columnOf, duplicateNames, requireKnown, unknownColumn, wrongType } from '@sluice/format/schema/checks';
import { isNumeric, typeClass, type Schema } from '@sluice/format/schema/types';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';

const fns = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'] as const;

const config = z.strictObject({
  groupBy: z.array(z.string().min(1).meta(COLUMN)).default([]),
  aggregates: z
    .array(z.strictObject({ fn: z.enum(fns), column: z.string().meta(COLUMN).optional().describe('Not needed for count'), as: z.string().min(1) }))
    .min(1),
});

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
  version: 1,
  migrations: [],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'balanced' },
  outputSchema({ nodeId, config: c, input }) {
    const inp = input('in');
    const problems = requireKnown(inp, c.groupBy.map((name, i) => ({ field: `groupBy[${i}]`, name })));
    const cols: Schema = c.groupBy.flatMap((g) => {
      const col = columnOf(inp, g);
      return col ? [{ name: g, type: col.type, ...(col.nullable === false ? { nullable: false } : {}) }] : [];
    });
    c.aggregates.forEach((a, i) => {
      const field = `aggregates[${i}].column`;
      if (!a.column) {
        if (a.fn !== 'count') problems.push({ code: 'missing_column', field, message: `"${a.fn}" needs a column: choose which column to ${a.fn}` });
        cols.push({ name: a.as, type: a.fn === 'count' ? 'BIGINT' : 'DOUBLE', ...(a.fn === 'count' ? { nullable: false } : {}) });
        return;
      }
      const col = columnOf(inp, a.column);
      if (!col) {
        problems.push(unknownColumn(field, a.column, inp));
        return;
      }
      if ((a.fn === 'sum' || a.fn === 'avg') && !isNumeric(col.type)) {
        problems.push(wrongType(field, col, `${a.fn} needs numbers`, 'DOUBLE', nodeId));
      }
      cols.push({ name: a.as, type: aggregateType(a.fn, col.type), ...(a.fn.startsWith('count') ? { nullable: false } : {}) });
    });
    problems.push(...duplicateNames([...c.groupBy.map((name, i) => ({ field: `groupBy[${i}]`, name })), ...c.aggregates.map((a, i) => ({ field: `aggregates[${i}].as`, name: a.as }))]));
    return { outputs: { out: cols }, problems };
  },
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
    return { passed: folded };
  },
};

/** DuckDB's result types: sum widens whole numbers to HUGEINT and decimals to 38 digits; avg is a DOUBLE. */
function aggregateType(fn: (typeof fns)[number], input: string): string {
  if (fn === 'count' || fn === 'count_distinct') return 'BIGINT';
  if (fn === 'min' || fn === 'max') return input;
  if (fn === 'avg') return 'DOUBLE';
  const cls = typeClass(input);
  if (cls === 'integer') return 'HUGEINT';
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(input);
  if (dec) return `DECIMAL(38,${dec[2]})`;
  return 'DOUBLE';
}
