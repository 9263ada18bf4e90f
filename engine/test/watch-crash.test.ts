// The crash harness for micro-batches: files land while `sluice watch` runs, and the watcher is killed with
// SIGKILL (its whole process group) at random moments and at named points, including between a batch's sink
// commit and its state commit, then started again. Every row of every file must end in the table exactly once.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { duck, tmpDir } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'));
const KILLS = Number(process.env['SLUICE_WATCH_KILLS'] ?? 8);
const FILES = 40;
const ROWS = 25;

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

function watch(dir: string, opts: { killAfterMs?: number; killAt?: string }): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'watch', path.join(dir, 'p.pipeline.json'), '--json', '--poll', '100', '--max-files', '3', '--exit-when-idle', '1200'], {
      cwd: dir,
      detached: true,
      stdio: 'ignore',
      // SLUICE_RUN_WORKER lets the named fault points fire in this process (see runtime/faults.ts).
      env: { ...process.env, ...(opts.killAt ? { SLUICE_RUN_WORKER: '1', SLUICE_FAULT_KILL_AT: opts.killAt } : {}) },
    });
    let killed = false;
    const timer =
      opts.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            try {
              process.kill(-(child.pid as number), 'SIGKILL');
              killed = true;
            } catch {
              // Already gone.
            }
          }, opts.killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ killed: killed || signal === 'SIGKILL', code });
    });
  });
}

/** Each row once in an appended table; with a window, each (1-minute) window once with all its rows. */
const CASES = {
  rows: {
    nodes: [
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', settleMs: 50, types: { id: 'INTEGER' } } },
      { id: 'out', kind: 'sink.duckdb', config: { path: 'out/w.duckdb', table: 'rows', mode: 'append' } },
    ],
    edges: [{ from: { node: 'inbox', port: 'out' }, to: { node: 'out', port: 'in' } }],
  },
  windows: {
    nodes: [
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv', settleMs: 50, types: { id: 'INTEGER', ts: 'TIMESTAMP' } } },
      { id: 'win', kind: 'window', config: { timeColumn: 'ts', type: 'tumbling', size: '1m', aggregates: [{ fn: 'count', as: 'events' }, { fn: 'min', column: 'id', as: 'first_id' }] } },
      { id: 'out', kind: 'sink.duckdb', config: { path: 'out/w.duckdb', table: 'windows', mode: 'append' } },
    ],
    edges: [
      { from: { node: 'inbox', port: 'out' }, to: { node: 'win', port: 'in' } },
      { from: { node: 'win', port: 'out' }, to: { node: 'out', port: 'in' } },
    ],
  },
};

describe.skipIf(!built)('watch: crash harness (needs npm run build:engine)', () => {
  it.each(Object.keys(CASES) as (keyof typeof CASES)[])(`%s: processes every landed file exactly once across ${KILLS}+ kill -9s during a watch`, async (name) => {
    const seed = Number(process.env['SLUICE_CRASH_SEED'] ?? 20261207);
    const random = rng(seed);
    const dir = tmpDir('sluice-watch-crash-');
    fs.mkdirSync(path.join(dir, 'inbox'));
    fs.writeFileSync(
      path.join(dir, 'p.pipeline.json'),
      JSON.stringify({ version: 1, name: 'watch crash', ...CASES[name] }),
    );
    // Files land while the watcher runs and dies: each written under a temporary name, then renamed in.
    let landed = 0;
    const lander = (async () => {
      for (let f = 0; f < FILES; f++) {
        // File f's events fall in minute f, so with files landing in order no event is ever late.
        const rows = Array.from({ length: ROWS }, (_, r) => `${f * ROWS + r},file ${f},2026-01-01 ${String(Math.floor(f / 60)).padStart(2, '0')}:${String(f % 60).padStart(2, '0')}:${String(r).padStart(2, '0')}`).join('\n');
        const tmp = path.join(dir, `.f${f}.tmp`);
        fs.writeFileSync(tmp, `id,label,ts\n${rows}\n`);
        fs.renameSync(tmp, path.join(dir, 'inbox', `f${String(f).padStart(3, '0')}.csv`));
        landed++;
        await new Promise((r) => setTimeout(r, Math.round(random() * 120)));
      }
    })();
    const named = ['state-commit', 'duckdb-commit', 'node-start:out', 'checkpoint-write'];
    let kills = 0;
    let rounds = 0;
    for (;;) {
      rounds++;
      if (rounds > KILLS * 6) throw new Error(`only ${kills} kills in ${rounds} rounds`);
      const point = kills < named.length && rounds % 2 === 1 ? named[kills] : undefined;
      const r = kills < KILLS ? await watch(dir, point ? { killAt: point } : { killAfterMs: 300 + Math.round(random() * 1500) }) : await watch(dir, {});
      if (r.killed) kills++;
      else if (kills >= KILLS && landed === FILES) {
        expect(r.code).toBe(0);
        break;
      }
    }
    await lander;
    const db = path.join(dir, 'out', 'w.duckdb');
    if (name === 'rows') {
      const rows = await duck<{ n: bigint; d: bigint; lo: number; hi: number }>(`SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM rows`, db);
      console.log(`watch crash harness (rows): ${kills} kills over ${rounds} watcher starts (seed ${seed}); ${FILES} files landed, ${Number(rows[0]?.n)} rows in the table`);
      expect(rows[0]).toEqual({ n: BigInt(FILES * ROWS), d: BigInt(FILES * ROWS), lo: 0, hi: FILES * ROWS - 1 });
    } else {
      // Every window but the last (still open: no later event has passed the watermark) emitted once, whole.
      const w = await duck<{ n: bigint; d: bigint; bad: bigint; firsts: bigint }>(`SELECT count(*) AS n, count(DISTINCT window_start) AS d, count(*) FILTER (WHERE events <> ${ROWS}) AS bad, sum(first_id) AS firsts FROM windows`, db);
      console.log(`watch crash harness (windows): ${kills} kills over ${rounds} watcher starts (seed ${seed}); ${Number(w[0]?.n)} windows emitted`);
      const firsts = Array.from({ length: FILES - 1 }, (_, f) => f * ROWS).reduce((a, b) => a + b, 0);
      expect(w[0]).toEqual({ n: BigInt(FILES - 1), d: BigInt(FILES - 1), bad: 0n, firsts: BigInt(firsts) });
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
  }, 300_000);
});
