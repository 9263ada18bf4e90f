// The crash harness: `sluice run` is killed with SIGKILL (its whole process group, as a power cut would) at named
// points and at seeded random moments, then resumed with `--resume latest` until it finishes. Every case must
// end byte-identical to an uninterrupted run: the same output files, the same quarantines, the same counts, no
// row lost or duplicated, no temporary file left, nothing half-written under a final name.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset, startFaultServer, type FaultServer } from './support/fault-server.js';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import { tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'));
/** Kills per test run; CI runs at least 50. */
const KILLS = Number(process.env['SLUICE_CRASH_KILLS'] ?? 50);

interface Case {
  name: string;
  sample: string;
  file: string;
  /** Edits to the sample before it runs (e.g. append mode over an earlier output). */
  prepare?: (dir: string) => Promise<void>;
  /** Where to kill: at a node's start (`node-start:id`) or at a named point of runtime/faults.ts. */
  points: string[];
  /** Extra `sluice run` arguments (e.g. the hosts a REST source may reach). */
  args?: () => string[];
}

/** The REST case's API: 300 records in pages of 20, a fifth of the requests failing transiently. */
let api: FaultServer | undefined;

const ALL = { SLUICE_CHECKPOINT: 'all' };

/** Every case passes through these: node checkpoints and quarantine files. */
const COMMON = ['checkpoint-write', 'quarantine-write'];
/** File sinks publish through these. */
const FILE_SINK = ['sink-staged', 'before-rename', 'after-rename'];

const cases: Case[] = [
  { name: 'orders', sample: 'orders', file: 'orders.pipeline.json', points: ['node-start:orders', 'node-start:checks', 'node-start:report', ...COMMON, ...FILE_SINK] },
  {
    name: 'orders-append',
    sample: 'orders',
    file: 'orders.pipeline.json',
    points: ['node-start:rejects', ...FILE_SINK],
    prepare: async (dir) => {
      // Appending over an existing file is where a repeated publish would show as duplicated rows.
      editNodes(path.join(dir, 'orders.pipeline.json'), (n) => (n['kind'] === 'sink.csv' ? { ...n, config: { ...(n['config'] as object), mode: 'append' } } : n));
      fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'out', 'revenue_by_country.csv'), 'country,orders,revenue\nZZ,1,1.00\n');
      fs.writeFileSync(path.join(dir, 'out', 'rejected_orders.csv'), 'order_id,customer,country,amount,ordered_at,status,__rule_ids,__reasons\n');
    },
  },
  { name: 'events', sample: 'events', file: 'events.pipeline.json', points: ['node-start:users', 'node-start:enriched', ...COMMON, 'before-rename'] },
  {
    name: 'customers-append',
    sample: 'customers',
    file: 'customers.pipeline.json',
    points: ['node-start:load', 'quarantine-write', 'duckdb-commit'],
    prepare: async (dir) => {
      editNodes(path.join(dir, 'customers.pipeline.json'), (n) => (n['kind'] === 'sink.duckdb' ? { ...n, config: { ...(n['config'] as object), mode: 'append' } } : n));
      fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
      const inst = await DuckDBInstance.create(path.join(dir, 'out', 'warehouse.duckdb'));
      const c = await inst.connect();
      await c.run(`CREATE TABLE customers AS SELECT 'C-0000' AS customer_id, 'old@example.com' AS email, 'Earlier Row' AS full_name, 'GB' AS country, DATE '2020-01-01' AS signup_date, 1 AS credit_limit`);
      c.closeSync();
      inst.closeSync();
    },
  },
  {
    name: 'rest',
    sample: 'orders',
    file: 'rest.pipeline.json',
    points: ['node-start:api', 'node-start:out', 'checkpoint-write', 'before-rename'],
    args: () => ['--allow-host', api?.host ?? ''],
    prepare: async (dir) => {
      if (!api) throw new Error('the API server is not running');
      const retry = { maxAttempts: 10, baseMs: 5, maxMs: 50, maxRetryAfterMs: 50 };
      fs.writeFileSync(
        path.join(dir, 'rest.pipeline.json'),
        JSON.stringify({
          version: 1,
          name: 'REST orders',
          nodes: [
            { id: 'api', kind: 'source.rest', config: { url: api.url, recordsPath: 'data.items', pagination: { type: 'page', size: 20 }, retry, timeoutMs: 2000, breaker: { failureThreshold: 8, coolDownMs: 20 } } },
            { id: 'rules', kind: 'validate', config: { rules: [{ id: 'seventh', type: 'expression', expression: 'CAST(seq AS INTEGER) % 7 <> 0', message: 'every seventh record is held back' }] } },
            { id: 'out', kind: 'sink.csv', config: { path: 'out/records.csv' } },
          ],
          edges: [
            { from: { node: 'api', port: 'out' }, to: { node: 'rules', port: 'in' } },
            { from: { node: 'rules', port: 'valid' }, to: { node: 'out', port: 'in' } },
          ],
        }),
      );
    },
  },
];

function editNodes(file: string, f: (n: Record<string, unknown>) => Record<string, unknown>): void {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Record<string, unknown>[] };
  p.nodes = p.nodes.map(f);
  fs.writeFileSync(file, JSON.stringify(p, null, 2));
}

async function setUp(c: Case): Promise<string> {
  const dir = tmpDir(`sluice-crash-${c.name}-`);
  for (const f of fs.readdirSync(path.join(root, 'samples', c.sample))) {
    const from = path.join(root, 'samples', c.sample, f);
    if (fs.statSync(from).isFile() && f !== 'expected.json') fs.copyFileSync(from, path.join(dir, f));
  }
  await c.prepare?.(dir);
  return dir;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The harness's timer killed it while it ran. */
  killed: boolean;
  /** The worker had started the run (this attempt's record existed) when it was killed. */
  started: boolean;
}

/** How far the run record of `dir` has got: records started, and attempts (the first run plus resumes) begun. */
function attempts(dir: string): number {
  const m = latestManifest(dir);
  return m ? 1 + (m.resumes?.length ?? 0) + runCount(dir) * 1000 : 0;
}

function runCount(dir: string): number {
  const h = path.join(dir, '.sluice', 'runs');
  return fs.existsSync(h) ? fs.readdirSync(h).filter((d) => fs.existsSync(path.join(h, d, 'manifest.json'))).length : 0;
}

/** Pids in the run locks of `dir`: a supervised run's worker leads its own process group. */
function workerPids(dir: string): number[] {
  const h = path.join(dir, '.sluice', 'runs');
  if (!fs.existsSync(h)) return [];
  return fs.readdirSync(h).flatMap((d) => {
    const lock = path.join(h, d, 'run.lock');
    const pid = fs.existsSync(lock) ? Number(fs.readFileSync(lock, 'utf8')) : NaN;
    return Number.isInteger(pid) && pid > 0 ? [pid] : [];
  });
}

/**
 * Run the CLI in its own process group; kill the group `killAfterMs` after this attempt's run record appears, if it
 * is still running. Counting from the record rather than from the spawn puts every kill inside the run: on a loaded
 * machine process start-up takes longer than in the reference run, and a delay counted from the spawn then mostly
 * landed in start-up, which tests nothing and does not count, so the harness needed many more rounds.
 */
function runCli(dir: string, file: string, args: string[], opts: { killAfterMs?: number; env?: Record<string, string>; supervised?: boolean } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    // Unsupervised, the CLI is the engine process itself (what the supervisor starts): one process to start
    // instead of two, so the harness can afford many more kills.
    const worker = opts.supervised ? {} : { SLUICE_RUN_WORKER: '1' };
    const child = spawn(process.execPath, [bin, 'run', path.join(dir, file), ...args, ...(opts.supervised ? [] : ['--json'])], {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, ...worker, ...opts.env },
    });
    let killed = false;
    let started = false;
    const before = attempts(dir);
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      killed = true;
      // A kill counts only if this attempt had begun its run (its record, or its resume entry, exists);
      // one that lands while node is still starting up tests nothing.
      started = attempts(dir) > before;
      try {
        // The worker first (its own process group), then the CLI's group: a power cut stops both at once.
        for (const pid of workerPids(dir)) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // Not a group leader, or gone.
          }
        }
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        killed = false;
      }
    };
    const delay = opts.killAfterMs;
    const watch =
      delay === undefined
        ? undefined
        : setInterval(() => {
            if (attempts(dir) <= before) return;
            clearInterval(watch);
            timer = setTimeout(kill, delay);
          }, 10);
    child.on('close', (code, signal) => {
      if (watch) clearInterval(watch);
      if (timer) clearTimeout(timer);
      const wasKilled = killed && (signal === 'SIGKILL' || code === null);
      resolve({ code, signal, killed: wasKilled, started: wasKilled && started });
    });
  });
}

function latestManifest(dir: string): RunManifest | undefined {
  const h = path.join(dir, '.sluice', 'runs');
  if (!fs.existsSync(h)) return undefined;
  const ids = fs.readdirSync(h).filter((d) => fs.existsSync(path.join(h, d, 'manifest.json'))).sort();
  const last = ids[ids.length - 1];
  return last ? runManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(h, last, 'manifest.json'), 'utf8'))) : undefined;
}

/** Resume until the run succeeds (a resume may be killed again when `killAgain` says so). */
async function finish(dir: string, c: Case, killAgain: () => number | undefined, env: Record<string, string>): Promise<number> {
  let kills = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const last = latestManifest(dir);
    if (last?.outcome === 'succeeded') return kills;
    const ms = killAgain();
    const args = last ? ['--resume', 'latest'] : [];
    const r = await runCli(dir, c.file, [...args, ...(c.args?.() ?? [])], ms === undefined ? { env } : { killAfterMs: ms, env });
    if (r.started) kills++;
  }
  throw new Error(`case ${c.name} did not finish after 10 resumes`);
}

interface Snapshot {
  files: Record<string, string>;
  tables: Record<string, string>;
  quarantine: Record<string, string>;
  counts: unknown;
}

async function snapshot(dir: string): Promise<Snapshot> {
  const files: Record<string, string> = {};
  const tables: Record<string, string> = {};
  const out = path.join(dir, 'out');
  for (const f of fs.existsSync(out) ? fs.readdirSync(out).sort() : []) {
    const full = path.join(out, f);
    if (f.endsWith('.duckdb')) {
      // The database file's bytes depend on its write history; its rows are what must match.
      const inst = await DuckDBInstance.create(full, { access_mode: 'READ_ONLY' });
      const conn = await inst.connect();
      const rows = (await conn.runAndReadAll(`SELECT * FROM customers ORDER BY ALL`)).getRowsJson();
      tables[f] = JSON.stringify(rows);
      conn.closeSync();
      inst.closeSync();
    } else if (!f.endsWith('.wal')) files[f] = fs.readFileSync(full, 'latin1');
  }
  const m = latestManifest(dir);
  if (!m) throw new Error('no run record');
  const runDir = path.join(dir, '.sluice', 'runs', m.runId);
  const quarantine: Record<string, string> = {};
  for (const [node, rel] of Object.entries(m.quarantine)) quarantine[node] = crypto.createHash('sha256').update(fs.readFileSync(path.join(runDir, rel))).digest('hex');
  const counts = m.nodes.map((n) => ({ id: n.nodeId, status: n.status, in: n.rowsIn, out: n.rowsOut, q: n.quarantined, f: n.filtered, passed: n.passed, outputs: n.outputs }));
  return { files, tables, quarantine, counts };
}

function leftovers(dir: string): string[] {
  const out = path.join(dir, 'out');
  return fs.existsSync(out) ? fs.readdirSync(out).filter((f) => f.includes('.sluice-') || f.endsWith('.tmp')) : [];
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** A small seeded generator, so a failing schedule can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.skipIf(!built)('crash and resume (needs npm run build:engine)', () => {
  beforeAll(async () => {
    api = await startFaultServer({ records: dataset(300), pageSize: 20, faultRate: 0.2, seed: 7, retryAfter: 0 });
  });
  afterAll(async () => {
    await api?.close();
  });

  const baselines = new Map<string, { snap: Snapshot; ms: number; startMs: number }>();
  // Kills at named points and at random moments are counted apart: the random phase must reach its own count.
  let pointKills = 0;
  let randomKills = 0;
  let scenarios = 0;

  it('runs every case once uninterrupted, twice, with identical results (the reference)', async () => {
    for (const c of cases) {
      const a = await setUp(c);
      const r = await runCli(a, c.file, c.args?.() ?? []);
      expect(r.code, c.name).toBe(0);
      const b = await setUp(c);
      // Random kills hit supervised runs, so their times are drawn from a supervised run's duration.
      const t0 = performance.now();
      // When the worker's run record appears: kills before it hit process start-up, which tests nothing.
      let recordAt: number | undefined;
      const watch = setInterval(() => {
        if (recordAt === undefined && attempts(b) > 0) recordAt = performance.now() - t0;
      }, 10);
      const done = await runCli(b, c.file, c.args?.() ?? [], { supervised: true }).finally(() => clearInterval(watch));
      expect(done.code).toBe(0);
      const ms = performance.now() - t0;
      const startMs = Math.min(recordAt ?? 0, ms);
      const snap = await snapshot(a);
      expect(await snapshot(b)).toEqual(snap);
      baselines.set(c.name, { snap, ms, startMs });
    }
  }, 120_000);

  it('recovers from kills at named points: identical outputs, quarantines and counts', async () => {
    const scenariosToRun = cases.flatMap((c) => c.points.map((point) => ({ c, point })));
    // Two at a time: each scenario is mostly process start-up, and the machine has two cores.
    await pool(scenariosToRun, 2, async ({ c, point }) => {
      const base = baselines.get(c.name);
      if (!base) throw new Error('reference run missing');
      const dir = await setUp(c);
      // Every table output checkpointed, so that each kill point also tests loading checkpoints back.
      const first = await runCli(dir, c.file, c.args?.() ?? [], { env: { SLUICE_FAULT_KILL_AT: point, ...ALL } });
      expect(first.signal, `${c.name}: the run should have died at ${point}`).toBe('SIGKILL');
      pointKills++;
      await finish(dir, c, () => undefined, ALL);
      scenarios++;
      expect(await snapshot(dir), `${c.name} killed at ${point}`).toEqual(base.snap);
      expect(leftovers(dir), `${c.name} killed at ${point}`).toEqual([]);
    });
  }, 600_000);

  it(`recovers from seeded random kills (also during resumes), until ${KILLS} kills of started runs`, async () => {
    const seed = Number(process.env['SLUICE_CRASH_SEED'] ?? 20261128);
    const random = rng(seed);
    let round = 0;
    while (randomKills < KILLS) {
      const c = cases[round % cases.length] as Case;
      round++;
      const base = baselines.get(c.name);
      if (!base) throw new Error('reference run missing');
      const dir = await setUp(c);
      // Drawn from the supervised run's own span, from its record appearing to its end (a resume starts alike); the
      // delay counts from this attempt's record appearing (runCli).
      const killAt = () => Math.round(random() * (base.ms - base.startMs));
      // Alternately the default checkpoint policy ('auto', which on these small inputs keeps few) and 'all'.
      const env = round % 2 === 0 ? ALL : {};
      const first = await runCli(dir, c.file, c.args?.() ?? [], { killAfterMs: killAt(), supervised: true, env });
      if (first.started) randomKills++;
      // Half the time the first resume is killed too.
      let again = random() < 0.5;
      randomKills += await finish(dir, c, () => {
        if (!again) return undefined;
        again = false;
        return killAt();
      }, env);
      scenarios++;
      expect(await snapshot(dir), `${c.name} round ${round} (seed ${seed})`).toEqual(base.snap);
      expect(leftovers(dir)).toEqual([]);
      // A safety stop, not a target: on a loaded machine more kills land in process start-up, which do not count.
      if (round > KILLS * 6) throw new Error(`only ${randomKills} of ${round} attempts were killed mid-run`);
    }
    console.log(`crash harness: ${pointKills} kills at named points and ${randomKills} random kills of started runs survived over ${scenarios} scenarios (${round} random rounds; seed ${seed}); 0 rows lost, 0 duplicated`);
    expect(randomKills).toBeGreaterThanOrEqual(KILLS);
  }, 1_800_000);
});
