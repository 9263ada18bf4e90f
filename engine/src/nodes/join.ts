// Join the left input to the right one on keys. Left rows are accounted one by one: matched rows pass (a row
// may fan out to several), unmatched rows of an inner join are filtered or quarantined, as configured.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { COLUMN } from '@sluice/format/api/editor-hints';
import { columnOf, requireKnown, typeFix } from '@sluice/format/schema/checks';
import { comparable, describeType, type Schema, type SchemaProblem } from '@sluice/format/schema/types';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';
import { rowJsonSql } from './shared/row-json.js';

const config = z.strictObject({
  type: z.enum(['inner', 'left', 'anti']).default('inner'),
  on: z.array(z.strictObject({ left: z.string().min(1, 'choose a column of the left input').meta(COLUMN), right: z.string().min(1, 'choose a column of the right input').meta(COLUMN) })).min(1),
  unmatched: z.enum(['filter', 'quarantine']).default('quarantine').describe('What happens to left rows an inner join cannot match'),
  rightPrefix: z.string().default('').describe('Prefix for right-hand columns whose names clash with left ones'),
});

export const joinNode: NodeKind<z.infer<typeof config>> = {
  kind: 'join',
  category: 'transform',
  title: 'Join',
  description: 'Join rows to a second input on keys (inner, left or anti). Unmatched rows are never dropped silently.',
  inputs: [
    { name: 'left', title: 'Left (rows)', role: 'data' },
    { name: 'right', title: 'Right (lookup)', role: 'reference' },
  ],
  outputs: [{ name: 'out', title: 'Joined', role: 'data' }],
  config,
  defaults: { type: 'inner', on: [{ left: '', right: '' }], unmatched: 'quarantine' },
  tableInputs: ['left'],
  accounting: 'reducing',
  inputOrder: 'propagates',
  version: 1,
  migrations: [],
  traits: { rows: 'set-wise', replay: 'passes', counts: 'balanced' },
  outputSchema({ nodeId, config: c, input }) {
    const l = input('left');
    const r = input('right');
    const problems: SchemaProblem[] = [
      ...requireKnown(l, c.on.map((k, i) => ({ field: `on[${i}].left`, name: k.left })), 'the left input'),
      ...requireKnown(r, c.on.map((k, i) => ({ field: `on[${i}].right`, name: k.right })), 'the right input'),
    ];
    for (const [i, k] of c.on.entries()) {
      const lc = columnOf(l, k.left);
      const rc = columnOf(r, k.right);
      if (lc && rc && !comparable(lc.type, rc.type)) {
        problems.push({
          code: 'type_mismatch',
          field: `on[${i}].right`,
          message: `the join compares "${k.left}" (${describeType(lc.type)}) with "${k.right}" (${describeType(rc.type)}), which never match: give both keys the same type (set it in their source or add a Cast node)`,
          fix: typeFix(rc, lc.type, nodeId, 'right'),
        });
      }
    }
    if (c.type === 'anti') return { outputs: { out: l }, problems };
    const rightKeys = new Set(c.on.map((k) => k.right));
    const out: Schema = [...l];
    let clashed = false;
    for (const col of r) {
      if (rightKeys.has(col.name)) continue;
      const clash = l.some((x) => x.name === col.name);
      if (clash && !c.rightPrefix) clashed = true;
      const name = clash && c.rightPrefix ? c.rightPrefix + col.name : col.name;
      if (clash && c.rightPrefix && out.some((x) => x.name === name)) problems.push({ code: 'duplicate_column', field: 'rightPrefix', message: `the right column "${col.name}" would be named "${name}", which the left input already has; choose another prefix` });
      out.push({ name, type: col.type, ...(c.type === 'left' ? {} : col.nullable === false ? { nullable: false } : {}) });
    }
    if (clashed) {
      const both = r.filter((x) => !rightKeys.has(x.name) && l.some((y) => y.name === x.name)).map((x) => x.name);
      problems.push({ code: 'duplicate_column', field: 'rightPrefix', message: `column${both.length > 1 ? 's' : ''} ${both.map((x) => `"${x}"`).join(', ')} exist${both.length > 1 ? '' : 's'} on both sides; set "rightPrefix" to rename the right one${both.length > 1 ? 's' : ''}`, fix: { action: 'set_field', label: 'Prefix them with "right_"', field: 'rightPrefix', value: 'right_' } });
    }
    return { outputs: { out }, problems };
  },
  async execute(ctx, c) {
    const left = ctx.input('left');
    const right = ctx.input('right');
    const lcols = await ctx.columns(left);
    const rcols = await ctx.columns(right);
    requireColumns(ctx.nodeId, 'on', c.on.map((k) => k.left), lcols);
    requireColumns(ctx.nodeId, 'on', c.on.map((k) => k.right), rcols);
    const cond = c.on.map((k) => `l.${qi(k.left)} = r.${qi(k.right)}`).join(' AND ');
    const matchedSql = `EXISTS (SELECT 1 FROM ${right} r WHERE ${cond})`;
    const lnames = lcols.map((x) => x.name);
    const rightKeys = new Set(c.on.map((k) => k.right));
    const rightOut = rcols.filter((x) => !rightKeys.has(x.name)).map((x) => {
      const clash = lnames.includes(x.name);
      if (clash && !c.rightPrefix) throw new UserError(`column "${x.name}" exists on both sides; set "rightPrefix" to rename the right one`, { nodeId: ctx.nodeId, field: 'rightPrefix' });
      return `r.${qi(x.name)} AS ${qi(clash ? c.rightPrefix + x.name : x.name)}`;
    });
    const lsel = [`l.${qi(LINEAGE)}`, ...lnames.map((n) => `l.${qi(n)}`)].join(', ');
    const out = ctx.output('out');
    const total = await ctx.count(`SELECT count(*) FROM ${left}`);
    const reason = `no match in the right input on ${c.on.map((k) => `${k.left}=${k.right}`).join(', ')}`;
    if (c.type === 'anti') {
      await ctx.run(`CREATE TABLE ${out} AS SELECT ${lsel} FROM ${left} l WHERE NOT ${matchedSql} ORDER BY l.rowid`);
      const kept = await ctx.count(`SELECT count(*) FROM ${out}`);
      return { passed: kept, filtered: { count: total - kept, reason: 'has a match in the right input (anti join)' } };
    }
    const joinType = c.type === 'left' ? 'LEFT JOIN' : 'JOIN';
    const sel = [lsel, ...rightOut].join(', ');
    const joined = `SELECT ${sel} FROM ${left} l ${joinType} ${right} r ON ${cond}`;
    // Keeping the left input's order costs a sort of the whole output. When nothing downstream depends on order
    // (e.g. the join feeds an aggregate) the output is a view instead: the join runs inside the query that reads
    // it, and the joined rows are never stored.
    if (ctx.orderMatters) await ctx.run(`CREATE TABLE ${out} AS ${joined} ORDER BY l.rowid`);
    else await ctx.run(`CREATE VIEW ${out} AS ${joined}`);
    if (c.type === 'left') return { passed: total };
    // Left rows carried into the output are those with a match; the rest are counted by an anti join.
    const matched = total - (await ctx.count(`SELECT count(*) FROM ${left} l WHERE NOT ${matchedSql}`));
    if (c.unmatched === 'quarantine') {
      if (matched < total) {
        await ctx.run(
          `INSERT INTO ${ctx.quarantine} SELECT l.${qi(LINEAGE)}, TRY_CAST(split_part(l.${qi(LINEAGE)}, ':', -1) AS BIGINT), ['no_match'], [${qlit(reason)}], ${rowJsonSql(lnames, 'l')}, NULL FROM ${left} l WHERE NOT ${matchedSql} ORDER BY l.rowid`,
        );
      }
      return { passed: matched };
    }
    return { passed: matched, filtered: { count: total - matched, reason } };
  },
};
