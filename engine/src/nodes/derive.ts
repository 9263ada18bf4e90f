// Add or replace columns computed from SQL expressions.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { duplicateNames } from '@sluice/format/schema/checks';
import type { Schema, SchemaProblem } from '@sluice/format/schema/types';
import { SQL_EXPRESSION } from '@sluice/format/api/editor-hints';
import { qi } from '../sql/quote.js';
import { checkExpression } from '../sql/guard.js';

const config = z.strictObject({
  columns: z
    .array(z.strictObject({ name: z.string().min(1), expression: z.string().min(1).meta(SQL_EXPRESSION) }))
    .min(1)
    .describe('Each new or replaced column and its DuckDB SQL expression'),
});

export const deriveNode: NodeKind<z.infer<typeof config>> = {
  kind: 'derive',
  category: 'transform',
  title: 'Derive columns',
  description: 'Add or replace columns computed with SQL expressions.',
  inputs: [{ name: 'in', title: 'Input', role: 'data' }],
  outputs: [{ name: 'out', title: 'Output', role: 'data' }],
  config,
  defaults: { columns: [{ name: 'new_column', expression: '1' }] },
  accounting: 'conserving',
  inputOrder: 'propagates',
  version: 1,
  migrations: [],
  traits: { rows: 'row-wise', replay: 'passes', counts: 'balanced' },
  async outputSchema({ config: c, input, env }) {
    const inp = input('in');
    const problems: SchemaProblem[] = duplicateNames(c.columns.map((d, i) => ({ field: `columns[${i}].name`, name: d.name })));
    const out: Schema = [...inp];
    for (const [i, d] of c.columns.entries()) {
      const r = await env.describeExpressions(inp, [d.expression]);
      if ('error' in r) {
        problems.push({ code: r.column ? 'unknown_column' : 'expression', field: `columns[${i}].expression`, message: r.error });
        return { outputs: { out: undefined }, problems };
      }
      const col = { name: d.name, type: r.types[0] ?? 'VARCHAR' };
      const at = out.findIndex((x) => x.name === d.name);
      if (at >= 0) out[at] = col;
      else out.push(col);
    }
    return { outputs: { out }, problems };
  },
  statics: (c) => c.columns.map((d, i) => ({ type: 'expression' as const, field: `columns[${i}].expression`, text: d.expression })),
  async execute(ctx, c) {
    const input = ctx.input('in');
    const existing = new Set((await ctx.columns(input)).map((x) => x.name));
    const replace: string[] = [];
    const add: string[] = [];
    for (const [i, d] of c.columns.entries()) {
      const expr = await checkExpression(ctx, d.expression, `columns[${i}].expression`);
      (existing.has(d.name) ? replace : add).push(`(${expr}) AS ${qi(d.name)}`);
    }
    const star = replace.length > 0 ? `* REPLACE (${replace.join(', ')})` : '*';
    // A view: the expression is computed by whichever node reads it, fused into that node's query.
    await ctx.run(`CREATE VIEW ${ctx.output('out')} AS SELECT ${star}${add.length ? `, ${add.join(', ')}` : ''} FROM ${input}`);
    // Evaluate every expression once now (without storing the result), so that a value the expression cannot
    // handle fails this node, with its name, rather than whichever node reads the view later. The same pass counts
    // the rows, which the runtime would otherwise count by reading the view (and its input's chain) again.
    const [r] = await ctx.rows(`SELECT count(*) AS n, ${c.columns.map((d) => `count(${qi(d.name)})`).join(', ')} FROM ${ctx.output('out')}`);
    return { outputRows: { out: Number(r?.['n'] ?? 0) } };
  },
};
