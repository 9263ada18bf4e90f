// Add or replace columns computed from SQL expressions.
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { duplicateNames } from '@sluice/format/schema/checks';
import type { Schema, SchemaProblem } from '@sluice/format/schema/types';
import { SQL_EXPRESSION } from '@sluice/format/api/editor-hints';
import { qi } from '../sql/quote.js';
import { checkExpression } from '../sql/guard.js';
import { UserError, type ExecContext } from '../runtime/exec-context.js';

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
    const out = ctx.output('out');
    // A view: the expression is computed by whichever node reads it, fused into that node's query.
    await ctx.run(`CREATE VIEW ${out} AS SELECT ${star}${add.length ? `, ${add.join(', ')}` : ''} FROM ${input}`);
    if (ctx.readers('out') > 0 && ctx.viewPays('out', Number.MAX_SAFE_INTEGER)) {
      // Its readers compute every value in this run: a value an expression cannot compute fails the reader, and
      // is told as this node's, with the column's field (the explainer below). The view has its input's rows.
      // (The pass below read the input's whole chain once more: 0.2 s at 5 M rows behind a join.)
      ctx.leaveExplainer?.((failure, probe) => uncomputable(ctx.nodeId, out, c.columns, failure.message, probe), 'values');
      return { outputRows: { out: ctx.inputRows('in') } };
    }
    // Nothing in this run reads every value (a preview, a run that ends here): evaluate every expression once now,
    // without storing the result, so that a value it cannot compute fails this node. The pass counts the rows too.
    try {
      const [r] = await ctx.rows(`SELECT count(*) AS n, ${c.columns.map((d) => `count(${qi(d.name)})`).join(', ')} FROM ${out}`);
      return { outputRows: { out: Number(r?.['n'] ?? 0) } };
    } catch (e) {
      throw (await uncomputable(ctx.nodeId, out, c.columns, e instanceof Error ? e.message : String(e), ctx).catch(() => undefined)) ?? e;
    }
  },
};

/**
 * The first derived column whose value cannot be computed for some row of `view`, as this node's error with its
 * field and DuckDB's reason (without the query it quotes); undefined when every column computes.
 */
async function uncomputable(nodeId: string, view: string, columns: readonly { name: string }[], message: string, probe: Pick<ExecContext, 'count'>): Promise<UserError | undefined> {
  for (const [i, d] of columns.entries()) {
    try {
      await probe.count(`SELECT count(${qi(d.name)}) FROM ${view}`);
    } catch (e) {
      const reason = (e instanceof Error ? e.message : message).split('\n')[0]?.replace(/^[A-Za-z ]+ Error: /, '').trim() ?? '';
      return new UserError(`column "${d.name}" cannot be computed for every row: ${reason}`, { nodeId, field: `columns[${i}].expression` });
    }
  }
  return undefined;
}
