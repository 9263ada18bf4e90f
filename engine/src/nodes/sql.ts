// One SELECT over the inputs, which it reads by port name (in1, in2, in3). Checked on DuckDB's parse tree first.
// Its rows are reconciled by lineage when the query keeps the "__lineage" column (SELECT * does): an input row
// whose lineage reaches the output passed; one whose lineage does not was dropped, and dropped rows fail the run
// unless the node declares them filtered, with a reason (`filterReason`). A query that does not keep the lineage
// makes new rows; if it returns fewer rows than it read, the missing ones need that declaration too (docs/SQL.md).
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { SQL_QUERY } from '@sluice/format/api/editor-hints';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { checkSelect } from '../sql/guard.js';

const config = z.strictObject({
  query: z.string().min(1).describe('A single SELECT reading in1, in2 or in3').meta(SQL_QUERY),
  filterReason: z.string().min(1).max(500).optional().describe('Why input rows may not reach the output (e.g. "rows without an amount are left out"): they are counted as filtered with this reason. Without it, a query that drops rows fails the run\'s reconciliation'),
});

const PORTS = ['in1', 'in2', 'in3'];

export const sqlNode: NodeKind<z.infer<typeof config>> = {
  kind: 'sql',
  category: 'transform',
  title: 'SQL',
  description: 'Transform with one DuckDB SELECT over the inputs in1, in2, in3.',
  inputs: [
    { name: 'in1', title: 'in1', role: 'data' },
    { name: 'in2', title: 'in2', role: 'data', optional: true },
    { name: 'in3', title: 'in3', role: 'data', optional: true },
  ],
  outputs: [{ name: 'out', title: 'Result', role: 'data' }],
  config,
  defaults: { query: 'SELECT * FROM in1' },
  accounting: 'opaque',
  version: 1,
  migrations: [],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'opaque' },
  async outputSchema({ config: c, input, connected, env }) {
    const ins = Object.fromEntries(PORTS.filter(connected).map((p) => [p, input(p)]));
    const r = await env.describeQuery(ins, c.query);
    if ('error' in r) return { outputs: { out: undefined }, problems: [{ code: 'query', field: 'query', message: r.error }] };
    return { outputs: { out: r.columns }, problems: [] };
  },
  statics: (c) => [{ type: 'select', field: 'query', text: c.query, ports: PORTS }],
  async execute(ctx, c) {
    const connected = PORTS.filter((p) => ctx.inputs(p).length > 0);
    await checkSelect(ctx, c.query, connected, 'query');
    const ctes = connected.map((p) => `${qi(p)} AS (SELECT * FROM ${ctx.input(p)})`).join(', ');
    const tmp = `${ctx.output('out').slice(0, -1)}__q"`;
    // The closing parenthesis goes on a line of its own, so a trailing line comment in the query cannot swallow it.
    await ctx.run(`CREATE TABLE ${tmp} AS WITH ${ctes} SELECT * FROM (${c.query}
)`);
    const cols = (await ctx.columns(tmp)).map((x) => x.name);
    const hasLineage = (await ctx.rows(`SELECT count(*) AS n FROM (DESCRIBE ${tmp}) WHERE column_name = $c`, { c: LINEAGE }))[0]?.['n'];
    const lineage = Number(hasLineage) > 0 ? `coalesce(${qi(LINEAGE)}, ${qlit(`${ctx.nodeId}:row:`)} || rowid)` : `${qlit(`${ctx.nodeId}:row:`)} || rowid`;
    const inputs = connected.map((p) => ctx.input(p));
    const rowsIn = await ctx.count(`SELECT ${inputs.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ') || '0'}`);
    // Input rows whose lineage reaches the output (read before the output's missing lineages are filled in).
    const passed = Number(hasLineage) > 0
      ? await ctx.count(`SELECT count(*) FROM (${inputs.map((t) => `SELECT ${qi(LINEAGE)} AS l FROM ${t}`).join(' UNION ALL ')}) i WHERE i.l IN (SELECT ${qi(LINEAGE)} FROM ${tmp} WHERE ${qi(LINEAGE)} IS NOT NULL)`)
      : undefined;
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT ${lineage} AS ${qi(LINEAGE)}${cols.length ? `, ${cols.map(qi).join(', ')}` : ''} FROM ${tmp} ORDER BY rowid`);
    const rowsOut = await ctx.count(`SELECT count(*) FROM ${tmp}`);
    await ctx.run(`DROP TABLE ${tmp}`);
    const dropped = passed !== undefined ? rowsIn - passed : Math.max(0, rowsIn - rowsOut);
    if (dropped === 0) return passed !== undefined ? { passed } : {};
    if (c.filterReason === undefined) {
      const how = passed !== undefined
        ? `${dropped} of its ${rowsIn} input rows do not reach the output (their "${LINEAGE}" is not in it)`
        : `it returned ${rowsOut} rows from ${rowsIn} input rows without keeping the "${LINEAGE}" column, so ${dropped} rows are not accounted for`;
      throw new UserError(`row accounting does not balance: ${how}; set "filterReason" to count dropped rows as filtered with that reason, or keep every row (SELECT * keeps "${LINEAGE}")`, { nodeId: ctx.nodeId, field: 'filterReason' });
    }
    // Without the lineage the output rows are new rows (the runtime says so); the declared drop is still counted.
    return { ...(passed !== undefined ? { passed } : {}), filtered: { count: dropped, reason: c.filterReason } };
  },
};
