// Property: nothing is lost in multi-input graphs. Two dirty CSV sources (one typed by strict casts, so values
// like 4.5, 0x10, 1e3 and 99999999999 are quarantined at the source) meet in a union and a join (inner with
// unmatched rows quarantined or filtered, left, anti; right keys may repeat, so a join can fan out), then one of
// aggregate / sort / limit / SQL, then a CSV sink. For every case: every balanced node balances, each node's
// counts equal an independent JavaScript model's, every source line is output or quarantined exactly once, and
// what the sink wrote equals the model's rows.
//
// One locked-down DuckDB (the engine's own Database) is reused and the executor called directly. Runs:
// SLUICE_PROPERTY_RUNS, else 1,000 under CI and 30 locally (a case costs about 0.3 s on this loaded machine).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeMetrics } from '@sluice/format/api/contract';
import { kindOf } from '../src/nodes/registry.js';
import { Database } from '../src/db/database.js';
import { executePipeline } from '../src/runtime/execution/execute.js';
import { preparePipeline } from '../src/runtime/run.js';
import { tmpDir } from './helpers.js';
import { N_VALUES } from './property/cases.js';
import { strictInt } from './property/model.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? (process.env['CI'] ? 1000 : 30));

type LRow = { k: string | null; n: string | null };
type RRow = { k: string | null; label: string };
type Join = { type: 'inner' | 'left' | 'anti'; unmatched: 'quarantine' | 'filter' };
type Tail = { kind: 'aggregate' } | { kind: 'sort' } | { kind: 'limit'; count: number } | { kind: 'sql' } | { kind: 'none' };

const KEYS = ['k1', 'k2', 'k3', 'k4'];
const lRowArb = fc.record({ k: fc.option(fc.constantFrom(...KEYS), { freq: 6 }), n: fc.option(fc.constantFrom(...N_VALUES), { freq: 6 }) });
const rRowArb = fc.record({ k: fc.option(fc.constantFrom('k1', 'k2', 'k4', 'k5'), { freq: 6 }), label: fc.constantFrom('a', 'b', 'c') });
const joinArb = fc.record({ type: fc.constantFrom('inner' as const, 'left' as const, 'anti' as const), unmatched: fc.constantFrom('quarantine' as const, 'filter' as const) });
const tailArb: fc.Arbitrary<Tail> = fc.oneof(
  fc.constant({ kind: 'aggregate' as const }),
  fc.constant({ kind: 'sort' as const }),
  fc.record({ kind: fc.constant('limit' as const), count: fc.nat(6) }),
  fc.constant({ kind: 'sql' as const }),
  fc.constant({ kind: 'none' as const }),
);

let db: Database;
let baseDir: string;
let workDir: string;

beforeAll(async () => {
  baseDir = tmpDir('sluice-prop2-base-');
  workDir = tmpDir('sluice-prop2-work-');
  fs.mkdirSync(path.join(workDir, 'tmp'));
  db = await Database.open({ allowedDirs: [baseDir, workDir], tempDir: path.join(workDir, 'tmp'), threads: 1 });
});

afterAll(() => {
  db?.close();
});

const csv = (header: string, rows: (string | null)[][]): string => [header, ...rows.map((r) => r.map((v) => v ?? '').join(','))].join('\n') + '\n';

interface Counts {
  rowsIn: number;
  rowsOut: number;
  quarantined: number;
  filtered: number;
}

/** The independent model: what each node must report, and the rows the sink must write (as sorted text lines). */
function model(L: LRow[], R: RRow[], join: Join, tail: Tail): { counts: Record<string, Counts>; written: string[] } {
  const typed = L.map((r, i) => ({ id: i + 2, k: r.k, n: r.n === null ? null : (strictInt(r.n) ?? NaN) }));
  const good = typed.filter((r) => !Number.isNaN(r.n));
  const big = good.filter((r) => r.n !== null && r.n >= 10);
  const union = [...good, ...big];
  const matches = (k: string | null) => (k === null ? [] : R.filter((r) => r.k === k));
  type X = { id: number; k: string | null; n: number | null; label?: string | null };
  let joined: X[] = [];
  const hit = union.filter((u) => matches(u.k).length > 0).length;
  let jq = 0;
  let jf = 0;
  if (join.type === 'anti') {
    joined = union.filter((u) => matches(u.k).length === 0);
    jf = hit;
  } else if (join.type === 'left') {
    joined = union.flatMap((u): X[] => (matches(u.k).length ? matches(u.k).map((r) => ({ ...u, label: r.label })) : [{ ...u, label: null }]));
  } else {
    joined = union.flatMap((u) => matches(u.k).map((r) => ({ ...u, label: r.label })));
    if (join.unmatched === 'quarantine') jq = union.length - hit;
    else jf = union.length - hit;
  }
  const counts: Record<string, Counts> = {
    sl: { rowsIn: L.length, rowsOut: good.length, quarantined: L.length - good.length, filtered: 0 },
    sr: { rowsIn: R.length, rowsOut: R.length, quarantined: 0, filtered: 0 },
    big: { rowsIn: good.length, rowsOut: big.length, quarantined: 0, filtered: good.length - big.length },
    u: { rowsIn: union.length, rowsOut: union.length, quarantined: 0, filtered: 0 },
    j: { rowsIn: union.length, rowsOut: joined.length, quarantined: jq, filtered: jf },
  };
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  const line = (x: X) => [x.id, x.k, x.n, ...(join.type === 'anti' ? [] : [x.label])].map(cell).join(',');
  let rows: string[];
  if (tail.kind === 'aggregate') {
    const groups = new Map<string, { k: string | null; c: number; s: number | null }>();
    for (const x of joined) {
      const g = groups.get(String(x.k)) ?? { k: x.k, c: 0, s: null };
      g.c++;
      if (x.n !== null) g.s = (g.s ?? 0) + x.n;
      groups.set(String(x.k), g);
    }
    rows = [...groups.values()].map((g) => [g.k, g.c, g.s].map(cell).join(','));
    counts['t'] = { rowsIn: joined.length, rowsOut: groups.size, quarantined: 0, filtered: 0 };
  } else if (tail.kind === 'limit') {
    // The first N rows in the join's order: left rows in order, each with its matches; which matches come first
    // is DuckDB's choice, so only the count and the left rows' ids are compared below.
    const kept = joined.slice(0, tail.count);
    rows = kept.map(line);
    counts['t'] = { rowsIn: joined.length, rowsOut: kept.length, quarantined: 0, filtered: joined.length - kept.length };
  } else if (tail.kind === 'sql') {
    const kept = joined.filter((x) => x.n !== null);
    rows = kept.map(line);
    // Reconciled by lineage: the rows without n are the node's declared drop.
    counts['t'] = { rowsIn: joined.length, rowsOut: kept.length, quarantined: 0, filtered: joined.length - kept.length };
  } else {
    rows = joined.map(line);
    if (tail.kind === 'sort') counts['t'] = { rowsIn: joined.length, rowsOut: joined.length, quarantined: 0, filtered: 0 };
  }
  counts['out'] = { rowsIn: rows.length, rowsOut: 0, quarantined: 0, filtered: 0 };
  return { counts, written: rows.sort() };
}

function tailNode(t: Tail): { id: string; kind: string; config: Record<string, unknown> } | undefined {
  switch (t.kind) {
    case 'aggregate':
      return { id: 't', kind: 'aggregate', config: { groupBy: ['k'], aggregates: [{ fn: 'count', as: 'c' }, { fn: 'sum', column: 'n', as: 's' }] } };
    case 'sort':
      return { id: 't', kind: 'sort', config: { by: [{ column: 'n', descending: true }] } };
    case 'limit':
      return { id: 't', kind: 'limit', config: { count: t.count } };
    case 'sql':
      return { id: 't', kind: 'sql', config: { query: 'SELECT * FROM in1 WHERE n IS NOT NULL', filterReason: 'n is missing' } };
    case 'none':
      return undefined;
  }
}

let cases = 0;
async function checkCase(L: LRow[], R: RRow[], join: Join, tail: Tail): Promise<void> {
  cases++;
  fs.writeFileSync(path.join(baseDir, 'l.csv'), csv('id,k,n', L.map((r, i) => [String(i + 2), r.k, r.n])));
  fs.writeFileSync(path.join(baseDir, 'r.csv'), csv('k,label', R.map((r) => [r.k, r.label])));
  const outFile = `out${cases}.csv`;
  const t = tailNode(tail);
  const nodes = [
    { id: 'sl', kind: 'source.csv', config: { path: 'l.csv', types: { id: 'BIGINT', n: 'INTEGER' } } },
    { id: 'sr', kind: 'source.csv', config: { path: 'r.csv' } },
    { id: 'big', kind: 'filter', config: { expression: 'n >= 10' } },
    { id: 'u', kind: 'union', config: {} },
    { id: 'j', kind: 'join', config: { type: join.type, unmatched: join.unmatched, on: [{ left: 'k', right: 'k' }] } },
    ...(t ? [t] : []),
    { id: 'out', kind: 'sink.csv', config: { path: outFile } },
  ];
  const edge = (a: string, ap: string, b: string, bp: string) => ({ from: { node: a, port: ap }, to: { node: b, port: bp } });
  const edges = [
    edge('sl', 'out', 'big', 'in'),
    edge('sl', 'out', 'u', 'in'),
    edge('big', 'out', 'u', 'in'),
    edge('u', 'out', 'j', 'left'),
    edge('sr', 'out', 'j', 'right'),
    ...(t ? [edge('j', 'out', 't', tail.kind === 'sql' ? 'in1' : 'in'), edge('t', 'out', 'out', 'in')] : [edge('j', 'out', 'out', 'in')]),
  ];
  const pipeline = preparePipeline({ version: 1, name: 'property-multi', nodes, edges }, {});
  const res = await executePipeline({ pipeline, kindOf, db, baseDir, roots: [baseDir], workDir, tableName: (id, port) => `m_${id}__${port}` });
  expect(res.errors).toEqual([]);
  const m = model(L, R, join, tail);
  for (const [id, want] of Object.entries(m.counts)) {
    const got = res.metrics.find((x) => x.nodeId === id) as NodeMetrics;
    expect(got.status === 'ok' || got.status === 'warning', `${id} ${got.error ?? ''}`).toBe(true);
    if (id !== 't' || tail.kind !== 'sql') expect(got.passed + got.quarantined + got.filtered, `${id} balances`).toBe(got.rowsIn);
    const shown = id === 'out' ? { rowsIn: got.rowsIn, rowsOut: 0, quarantined: got.quarantined, filtered: got.filtered } : { rowsIn: got.rowsIn, rowsOut: got.rowsOut, quarantined: got.quarantined, filtered: got.filtered };
    expect({ id, ...shown }).toEqual({ id, ...want });
  }
  // Every line of the typed source is output or quarantined, once.
  const sl = res.metrics.find((x) => x.nodeId === 'sl') as NodeMetrics;
  expect(sl.rowsOut + sl.quarantined).toBe(L.length);
  // What the sink wrote: the model's rows (as text; a limit's fan-out order is DuckDB's, so there only the ids).
  const file = path.join(baseDir, outFile);
  const written = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l !== '').sort();
  fs.rmSync(file);
  if (tail.kind === 'limit' && join.type !== 'anti') {
    expect(written.map((l) => l.split(',')[0]).sort()).toEqual(m.written.map((l) => l.split(',')[0]).sort());
  } else expect(written).toEqual(m.written);
}

describe('property: no record is lost in multi-input graphs', () => {
  it(`two dirty sources through union, join, aggregate/sort/limit/SQL and a sink match a JavaScript model (${RUNS} runs)`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.array(lRowArb, { maxLength: 12 }), fc.array(rRowArb, { maxLength: 6 }), joinArb, tailArb, async (L, R, join, tail) => {
        await checkCase(L, R, join, tail);
      }),
      { numRuns: RUNS },
    );
    const ms = performance.now() - started;
    console.log(`property (multi-input): ${RUNS} runs in ${(ms / 1000).toFixed(1)} s (${(ms / RUNS).toFixed(1)} ms per run)`);
  }, Math.max(60_000, RUNS * 400));
});
