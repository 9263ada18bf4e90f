// Event-time windows (tumbling, hopping, session) with a watermark: the latest event time seen, minus the allowed
// lateness. A window is emitted once, in the run whose watermark passes its end; until then its rows are held in
// the node's state (runtime/durability/pipeline-state.ts), committed with the run's outputs, so a window spanning several
// runs (batches) gives the same result as one run over all the data. A row for a window that has already closed
// is late: quarantined with the window and the watermark in its reason, and sent to the `late` port.
//
// The watermark moves between batches, not within one: a batch's rows are judged against the watermark the
// earlier batches left, which is what makes the result independent of how the input was cut into batches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { NodeKind } from './types.js';
import { LINEAGE, UserError } from '../runtime/exec-context.js';
import { writeAtomic } from '../fsutil/files.js';
import { COLUMN } from '@sluice/format/api/editor-hints';
import { qi, qlit } from '../sql/quote.js';
import { requireColumns } from './shared/columns.js';
import { rowJsonSql } from './shared/row-json.js';
import { aggregateNode } from './aggregate.js';
import { columnOf, unknownColumn, wrongType } from '@sluice/format/schema/checks';
import { typeClass, type Schema, type SchemaProblem } from '@sluice/format/schema/types';

const UNITS: Record<string, number> = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6 };

/**
 * A duration as "250ms", "10s", "5m", "1h", "1d": text only, so the designer's form shows a plain text field
 * (version 1 also took a number of seconds; its migration writes those as "Ns"). Kept as written: a checked
 * config is checked again later (a run re-checks what a watcher prepared), so the schema must not convert it.
 */
const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as "30s", "5m", "1h" or "1d"');

/** A duration in microseconds. */
function us(d: string | undefined): number | undefined {
  if (d === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d) as RegExpExecArray;
  return Math.round(Number(m[1]) * (UNITS[m[2] as string] as number));
}

const fns = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'] as const;

const config = z
  .strictObject({
    timeColumn: z.string().min(1).meta(COLUMN).describe('The event-time column (a timestamp, or text that converts to one)'),
    type: z.enum(['tumbling', 'hopping', 'session']).default('tumbling'),
    size: duration.optional().describe('Window length (tumbling, hopping)'),
    slide: duration.optional().describe('How far each hopping window starts after the previous one'),
    gap: duration.optional().describe('Session windows: a pause this long ends a session'),
    lateness: duration.default('0s').describe('How far behind the latest event time a row may arrive and still count'),
    groupBy: z.array(z.string().min(1).meta(COLUMN)).default([]),
    aggregates: z.array(z.strictObject({ fn: z.enum(fns), column: z.string().meta(COLUMN).optional().describe('Not needed for count'), as: z.string().min(1) })).min(1),
  })
  .superRefine((c, ctx) => {
    if (c.type !== 'session' && c.size === undefined) ctx.addIssue({ code: 'custom', path: ['size'], message: `a ${c.type} window needs a "size"` });
    if (c.type === 'hopping' && c.slide === undefined) ctx.addIssue({ code: 'custom', path: ['slide'], message: 'a hopping window needs a "slide"' });
    if (c.type === 'session' && c.gap === undefined) ctx.addIssue({ code: 'custom', path: ['gap'], message: 'a session window needs a "gap"' });
    for (const [k, v] of [['size', c.size], ['slide', c.slide], ['gap', c.gap]] as const) if (v !== undefined && us(v) === 0) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" must be longer than zero` });
  });
type WindowConfigInput = z.infer<typeof config>;

/** The config with its durations in microseconds. */
interface WindowConfig extends Omit<WindowConfigInput, 'size' | 'slide' | 'gap' | 'lateness'> {
  size: number | undefined;
  slide: number | undefined;
  gap: number | undefined;
  lateness: number;
}

/** What the node remembers between runs besides its held rows. */
interface WindowState {
  /** The window definition the held rows were assigned under: another one cannot continue from them. */
  definition: string;
  maxEventUs: number | null;
  watermarkUs: number | null;
}

const T = '"__sl_t"';
const RID = '"__sl_rid"';

export const windowNode: NodeKind<WindowConfigInput> = {
  kind: 'window',
  category: 'transform',
  title: 'Window (event time)',
  description: 'Tumbling, hopping or session windows over an event-time column with a watermark. Each window is emitted once when the watermark passes it; late rows are quarantined with their window and the watermark.',
  inputs: [{ name: 'in', title: 'Events', role: 'data' }],
  outputs: [
    { name: 'out', title: 'Windows', role: 'data' },
    { name: 'late', title: 'Late rows', role: 'quarantine' },
  ],
  config,
  defaults: { timeColumn: 'event_time', type: 'tumbling', size: '1m', lateness: '0s', groupBy: [], aggregates: [{ fn: 'count', as: 'events' }] },
  accounting: 'reducing',
  inputOrder: 'absorbs',
  stateful: true,
  version: 2,
  migrations: [
    {
      note: 'durations are text ("90s"); a number of seconds is written as such',
      up: (config) => {
        const out = { ...config };
        for (const k of ['size', 'slide', 'gap', 'lateness']) if (typeof out[k] === 'number') out[k] = `${out[k]}s`;
        return out;
      },
    },
  ],
  traits: { rows: 'set-wise', replay: 'refuses', counts: 'balanced' },
  // A window's row is an aggregate's group with the window's bounds in front, so the aggregate kind states the
  // group and aggregate columns (and their problems); late rows are the input rows with their reasons.
  async outputSchema(a) {
    const inp = a.input('in');
    const c = a.config;
    const problems: SchemaProblem[] = [];
    const time = columnOf(inp, c.timeColumn);
    if (!time) problems.push(unknownColumn('timeColumn', c.timeColumn, inp));
    else if (!['timestamp', 'date', 'text'].includes(typeClass(time.type))) problems.push(wrongType('timeColumn', time, 'the event time must be a timestamp', 'TIMESTAMP', a.nodeId));
    const groups = await aggregateNode.outputSchema({ ...a, config: { groupBy: c.groupBy, aggregates: c.aggregates } });
    problems.push(...groups.problems);
    const bounds = ['window_start', 'window_end'];
    for (const [i, g] of c.groupBy.entries()) if (bounds.includes(g)) problems.push({ code: 'duplicate_column', field: `groupBy[${i}]`, message: `the output would have two columns named "${g}" (the window's own bound); rename the column before the window` });
    for (const [i, x] of c.aggregates.entries()) if (bounds.includes(x.as)) problems.push({ code: 'duplicate_column', field: `aggregates[${i}].as`, message: `the output would have two columns named "${x.as}" (the window's own bound); give this one another name` });
    const groupCols = groups.outputs['out'];
    const out: Schema | undefined = groupCols && [...bounds.map((name) => ({ name, type: 'TIMESTAMP', nullable: false })), ...groupCols];
    const late: Schema = [...inp, { name: '__rule_ids', type: 'VARCHAR[]' }, { name: '__reasons', type: 'VARCHAR[]' }];
    return { outputs: { out, late }, problems };
  },
  async execute(ctx, written) {
    const c: WindowConfig = { ...written, size: us(written.size), slide: us(written.slide), gap: us(written.gap), lateness: us(written.lateness) ?? 0 };
    const input = ctx.input('in');
    const cols = await ctx.columns(input);
    requireColumns(ctx.nodeId, 'timeColumn', [c.timeColumn], cols);
    requireColumns(ctx.nodeId, 'groupBy', c.groupBy, cols);
    const aggs = c.aggregates.map((a, i) => {
      if (a.fn !== 'count' && !a.column) throw new UserError(`aggregates[${i}]: "${a.fn}" needs a column`, { nodeId: ctx.nodeId, field: `aggregates[${i}].column` });
      if (a.column) requireColumns(ctx.nodeId, `aggregates[${i}].column`, [a.column], cols);
      const col = a.column ? qi(a.column) : '*';
      return `${a.fn === 'count_distinct' ? `count(DISTINCT ${col})` : `${a.fn}(${col})`} AS ${qi(a.as)}`;
    });
    const names = cols.map((x) => x.name);
    const definition = JSON.stringify({ t: c.timeColumn, type: c.type, size: c.size, slide: c.slide, gap: c.gap, lateness: c.lateness, groupBy: c.groupBy, cols });
    const prior = readState(ctx.committedState);
    if (prior && prior.definition !== definition) {
      throw new UserError('the window definition or the input columns changed since the held windows were opened; run with --full-refresh to start the windows over', { nodeId: ctx.nodeId });
    }
    const wmPrev = prior?.watermarkUs ?? null;
    const tmp = (s: string) => `${ctx.output('out').slice(0, -1)}__${s}"`;
    const batch = tmp('batch');
    const pool = tmp('pool');
    const timeType = cols.find((x) => x.name === c.timeColumn)?.type ?? '';
    const tExpr = /WITH TIME ZONE/.test(timeType) ? `epoch_us(${qi(c.timeColumn)})` : `epoch_us(TRY_CAST(${qi(c.timeColumn)} AS TIMESTAMP))`;
    await ctx.run(`CREATE TEMP TABLE ${batch} AS SELECT *, ${tExpr} AS ${T} FROM ${input}`);

    // Rows with no usable event time cannot be placed in any window.
    await ctx.run(
      `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), ['event_time'], ['event time column ' || ${qlit(`"${c.timeColumn}"`)} || ' is empty or not a timestamp (' || coalesce(${qi(c.timeColumn)}::VARCHAR, 'NULL') || ')'], ${rowJsonSql(names)}, NULL FROM ${batch} WHERE ${T} IS NULL`,
    );
    // Late: the row's earliest window closed in an earlier run (a session: the row is behind the watermark).
    const earliestEnd = endOfEarliestWindow(c);
    const lateWhere = wmPrev === null ? 'false' : `${T} IS NOT NULL AND ${earliestEnd} <= ${wmPrev}`;
    const reason =
      c.type === 'session'
        ? `'late: event time ' || make_timestamp(${T})::VARCHAR || ' is behind the watermark ' || make_timestamp(${wmPrev ?? 0})::VARCHAR || ', so every session it could join has closed'`
        : `'late: event time ' || make_timestamp(${T})::VARCHAR || ' falls in window [' || make_timestamp(${earliestEnd} - ${c.size ?? 0})::VARCHAR || ', ' || make_timestamp(${earliestEnd})::VARCHAR || '), which closed when the watermark reached ' || make_timestamp(${wmPrev ?? 0})::VARCHAR`;
    await ctx.run(
      `CREATE TABLE ${ctx.output('late')} AS SELECT ${qi(LINEAGE)}, ${names.map(qi).join(', ')}, ['late'] AS "__rule_ids", [${reason}] AS "__reasons" FROM ${batch} WHERE ${lateWhere} ORDER BY ${T}`,
    );
    await ctx.run(
      `INSERT INTO ${ctx.quarantine} SELECT ${qi(LINEAGE)}, TRY_CAST(split_part(${qi(LINEAGE)}, ':', -1) AS BIGINT), "__rule_ids", "__reasons", ${rowJsonSql(names)}, NULL FROM ${ctx.output('late')}`,
    );

    // The pool: rows held from earlier runs plus this batch's on-time rows.
    const held = ctx.committedState ? path.join(ctx.committedState, 'held.parquet') : undefined;
    if (held && fs.existsSync(held)) {
      // Copied into the run's scratch space: the engine's database may only read the run's own folders.
      const copy = path.join(ctx.scratchDir, 'held.parquet');
      fs.copyFileSync(held, copy);
      await ctx.run(`CREATE TEMP TABLE ${pool} AS SELECT * FROM read_parquet(${qlit(copy)})`);
      await ctx.run(`INSERT INTO ${pool} BY NAME SELECT * FROM ${batch} WHERE ${T} IS NOT NULL AND NOT (${lateWhere})`);
    } else {
      await ctx.run(`CREATE TEMP TABLE ${pool} AS SELECT * FROM ${batch} WHERE ${T} IS NOT NULL AND NOT (${lateWhere})`);
    }
    const onTime = await ctx.count(`SELECT count(*) FROM ${batch} WHERE ${T} IS NOT NULL AND NOT (${lateWhere})`);
    const maxBatch = await ctx.rows(`SELECT max(${T}) AS m FROM ${pool}`);
    const seen = maxBatch[0]?.['m'];
    const maxEventUs = seen === null || seen === undefined ? (prior?.maxEventUs ?? null) : Math.max(Number(seen), prior?.maxEventUs ?? Number.MIN_SAFE_INTEGER);
    const wmNew = maxEventUs === null ? null : maxEventUs - c.lateness;

    // Every (row, window) pair; a hopping row belongs to several windows.
    const pairs = tmp('pairs');
    await ctx.run(`CREATE TEMP TABLE ${pairs} AS ${assignWindows(c, pool)}`);
    const keys = c.groupBy.map(qi);
    const closed = wmNew === null ? 'false' : `"__sl_we" <= ${wmNew}${wmPrev === null ? '' : ` AND "__sl_we" > ${wmPrev}`}`;
    const lineage = `${qlit(`${ctx.nodeId}:window:`)} || make_timestamp("__sl_ws")::VARCHAR${keys.length ? ` || ':' || to_json(struct_pack(${c.groupBy.map((g) => `${qi(g)} := ${qi(g)}`).join(', ')}))::VARCHAR` : ''}`;
    await ctx.run(
      `CREATE TABLE ${ctx.output('out')} AS SELECT ${lineage} AS ${qi(LINEAGE)}, make_timestamp("__sl_ws") AS "window_start", make_timestamp("__sl_we") AS "window_end"${keys.length ? `, ${keys.join(', ')}` : ''}, ${aggs.join(', ')} FROM ${pairs} WHERE ${closed} GROUP BY "__sl_ws", "__sl_we"${keys.length ? `, ${keys.join(', ')}` : ''} ORDER BY "__sl_ws"${keys.length ? `, ${keys.join(', ')}` : ''}`,
    );

    if (ctx.commitId !== undefined) {
      // Rows with a window still open stay for the next run; all others are folded into emitted windows.
      const dir = path.join(ctx.stateDir, 'next');
      fs.mkdirSync(dir, { recursive: true });
      const keep = wmNew === null ? 'true' : `rowid IN (SELECT ${RID} FROM ${pairs} GROUP BY ${RID} HAVING max("__sl_we") > ${wmNew})`;
      const heldNext = path.join(dir, 'held.parquet');
      await ctx.run(`COPY (SELECT * FROM ${pool} WHERE ${keep} ORDER BY ${T}, rowid) TO ${qlit(heldNext)} (FORMAT parquet)`);
      const state: WindowState = { definition, maxEventUs, watermarkUs: wmNew };
      writeAtomic(path.join(dir, 'window.json'), JSON.stringify(state));
    }
    for (const t of [pairs, pool, batch]) await ctx.run(`DROP TABLE ${t}`);
    // Held rows count as passed: they are kept (in the node's state) and folded into their window when it closes.
    return { passed: onTime };
  },
};

function readState(dir: string | undefined): WindowState | undefined {
  const file = dir ? path.join(dir, 'window.json') : undefined;
  return file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as WindowState) : undefined;
}

/** `x` rounded down to a multiple of `step` (also for times before 1970). */
function floorTo(x: string, step: number): string {
  return `(${x} - ((${x} % ${step}) + ${step}) % ${step})`;
}

/** SQL for the end of the earliest window a row at `__sl_t` belongs to (a session: just after the row). */
function endOfEarliestWindow(c: WindowConfig): string {
  const size = c.size ?? 0;
  if (c.type === 'tumbling') return `(${floorTo(T, size)} + ${size})`;
  if (c.type === 'hopping') {
    const slide = c.slide ?? 0;
    return `(${floorTo(`(${T} - ${size})`, slide)} + ${slide} + ${size})`;
  }
  return `(${T} + 1)`;
}

/** Each row of the pool with the start and end of every window it belongs to, and its row id in the pool. */
function assignWindows(c: WindowConfig, pool: string): string {
  const size = c.size ?? 0;
  if (c.type === 'tumbling') return `SELECT *, rowid AS ${RID}, ${floorTo(T, size)} AS "__sl_ws", ${floorTo(T, size)} + ${size} AS "__sl_we" FROM ${pool}`;
  if (c.type === 'hopping') {
    const slide = c.slide ?? 0;
    const first = `${floorTo(`(${T} - ${size})`, slide)} + ${slide}`;
    return `SELECT *, "__sl_ws" + ${size} AS "__sl_we" FROM (SELECT *, rowid AS ${RID}, unnest(generate_series(${first}, ${floorTo(T, slide)}, ${slide})) AS "__sl_ws" FROM ${pool})`;
  }
  const gap = c.gap ?? 0;
  const part = c.groupBy.length ? `PARTITION BY ${c.groupBy.map(qi).join(', ')} ` : '';
  const starts = `SELECT *, rowid AS ${RID}, CASE WHEN ${T} - lag(${T}) OVER (${part}ORDER BY ${T}, rowid) < ${gap} THEN 0 ELSE 1 END AS "__sl_new" FROM ${pool}`;
  const numbered = `SELECT *, sum("__sl_new") OVER (${part}ORDER BY ${T}, ${RID} ROWS UNBOUNDED PRECEDING) AS "__sl_sid" FROM (${starts})`;
  const sess = c.groupBy.length ? `PARTITION BY ${c.groupBy.map(qi).join(', ')}, "__sl_sid"` : 'PARTITION BY "__sl_sid"';
  return `SELECT * EXCLUDE ("__sl_new", "__sl_sid"), min(${T}) OVER (${sess}) AS "__sl_ws", max(${T}) OVER (${sess}) + ${gap} AS "__sl_we" FROM (${numbered})`;
}
