// One SELECT over the inputs, which it reads by port name (in1, in2, in3). Checked on DuckDB's parse tree first.
import { z } from 'zod';
import type { NodeKind } from './types.js';
import { SQL_QUERY } from '@sluice/format/api/editor-hints';
import { LINEAGE } from '../runtime/exec-context.js';
import { qi, qlit } from '../sql/quote.js';
import { checkSelect } from '../sql/guard.js';

const config = z.strictObject({
  query: z.string().min(1).describe('A single SELECT reading in1, in2 or in3').meta(SQL_QUERY),
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
    await ctx.run(`CREATE TABLE ${ctx.output('out')} AS SELECT ${lineage} AS ${qi(LINEAGE)}${cols.length ? `, ${cols.map(qi).join(', ')}` : ''} FROM ${tmp} ORDER BY rowid`);
    await ctx.run(`DROP TABLE ${tmp}`);
    return {};
  },
};
