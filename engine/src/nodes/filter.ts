// Keeps rows whose expression is true. Every other row is counted as filtered, with this node's reason.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { filterSchema } from '@sluice/format/kinds/filter';
import { describeType } from '@sluice/format/schema/types';
import { isView, mayChange } from './shared/views.js';
import { checkExpression } from '../sql/guard.js';

const config = filterSchema.config;

export const filterNode: NodeKind<z.infer<typeof config>> = {
  kind: 'filter',
  category: 'transform',
  title: 'Filter',
  description: 'Keep rows where an expression is true; the rest are counted as filtered with your reason.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Kept', role: 'data' }],
  config,
  defaults: { expression: 'true' },
  accounting: 'conserving',
  inputOrder: 'propagates',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  // The columns are the pure half's; whether the condition is true/false over them only DuckDB can say.
  async outputSchema(args) {
    const { config: c, input, env } = args;
    const inp = input('in');
    const { outputs } = filterSchema.outputSchema(args);
    const r = await env.describeExpressions(inp, [c.expression]);
    if ('error' in r) return { outputs, problems: [{ code: r.column ? 'unknown_column' : 'expression', field: 'expression', message: r.error }] };
    const t = r.types[0] ?? 'BOOLEAN';
    const problems = t === 'BOOLEAN' || t === '"NULL"' ? [] : [{ code: 'type_mismatch', field: 'expression', message: `the condition gives ${describeType(t)}, not true/false; compare it, e.g. ${c.expression} > 0` }];
    return { outputs, problems };
  },
  statics: (c) => [{ type: 'expression', field: 'expression', text: c.expression }],
  async execute(ctx, c) {
    const input = ctx.input('in');
    const expr = await checkExpression(ctx, c.expression, 'expression');
    const reason = c.reason ?? `not (${c.expression})`;
    // As this input's only reader, the node deletes the rows it drops in place instead of copying the ones it
    // keeps; DELETE reports how many rows it removed, so the count is exactly what left.
    const claimed = await ctx.claimInput('in');
    if (claimed) {
      const dropped = await ctx.count(`DELETE FROM ${claimed} WHERE (${expr}) IS NOT TRUE`);
      await ctx.run(`ALTER TABLE ${claimed} RENAME TO ${ctx.output('out')}`);
      return { filtered: { count: dropped, reason } };
    }
    // Over a view (a typed source, a derive) the filter is a view too: its readers run it inside their own
    // query, so a Parquet scan below gets the filter and reads only the columns they use. One pass counts the
    // rows it keeps and the rows it drops (counting the view afterwards would run its whole chain again); the
    // runtime checks that the two add up to its input's rows.
    if ((await isView(ctx, input)) && !mayChange(c.expression)) {
      await ctx.run(`CREATE VIEW ${ctx.output('out')} AS SELECT * FROM ${input} WHERE (${expr}) IS TRUE`);
      // When the one node reading the view counts every row it reads (an aggregate, a file sink), that count is
      // the kept rows, and the rest of the input (the complement, condition IS NOT TRUE) is what the rule
      // filtered: the pass below would read the whole chain once more only to learn it.
      if (ctx.readerCounts('out')) return { countedByReader: { port: 'out', reason } };
      const [r] = await ctx.rows(`SELECT count(*) FILTER (WHERE (${expr}) IS TRUE) AS kept, count(*) FILTER (WHERE (${expr}) IS NOT TRUE) AS dropped FROM ${input}`);
      return { outputRows: { out: Number(r?.['kept'] ?? 0) }, filtered: { count: Number(r?.['dropped'] ?? 0), reason } };
    }
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT * FROM ${input} WHERE (${expr}) IS TRUE`);
    const dropped = await ctx.count(`SELECT count(*) FROM ${input} WHERE (${expr}) IS NOT TRUE`);
    return { filtered: { count: dropped, reason } };
  },
};
