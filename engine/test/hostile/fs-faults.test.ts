// File-system faults, through the real CLI in a child process: a read-only output folder, a disk that fills up
// mid-write (a small tmpfs where mounting works, and a file-size limit everywhere), a DuckDB file locked by
// another process, and an output path that is a folder. Each run must exit 1 with one error line naming the
// node and the path, leave the previous output byte-identical with no partial or temporary file beside it, and
// record the failure in the run's manifest.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '@sluice/format/api/contract';
import { duck, sq, tmpDir } from '../helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'));

const tally = { tried: 0, skipped: [] as string[] };
const mounts: string[] = [];

afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  console.log(`file-system faults: ${tally.tried} tried, each a clean failure with the previous output intact${tally.skipped.length ? `; skipped: ${tally.skipped.join('; ')}` : ''}`);
});

/** An unprivileged account to run as, when this process is root (root ignores file permissions). */
function unprivileged(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' });
  const u = id('-u');
  const g = id('-g');
  return u.status === 0 && g.status === 0 ? { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
}

interface Setup {
  dir: string;
  file: string;
  hist: string;
}

/** A pipeline folder readable by everyone (the run may be another user), with a history folder it may write. */
function setup(nodes: unknown[]): Setup {
  const dir = tmpDir('sluice-fsfault-');
  fs.chmodSync(dir, 0o755);
  const hist = path.join(dir, 'hist');
  fs.mkdirSync(hist, { mode: 0o777 });
  fs.chmodSync(hist, 0o777);
  const file = path.join(dir, 'p.pipeline.json');
  const ids = (nodes as { id: string }[]).map((n) => n.id);
  const edges = ids.slice(1).map((to, i) => ({ from: { node: ids[i], port: 'out' }, to: { node: to, port: 'in' } }));
  fs.writeFileSync(file, JSON.stringify({ version: 1, name: 'fs fault', nodes, edges }));
  return { dir, file, hist };
}

/**
 * Parquet → CSV of 200,000 rows that are 0.8 MB as Parquet and 9 MB as CSV, so writing them needs more room than
 * reading them; the CSV goes to `outRel` (a folder made here).
 */
async function bigToCsv(outRel: string): Promise<{ s: Setup; outDir: string }> {
  const s = setup([
    { id: 'src', kind: 'source.parquet', config: { path: 'big.parquet' } },
    { id: 'out', kind: 'sink.csv', config: { path: path.join(outRel, 'out.csv') } },
  ]);
  await duck(`COPY (SELECT range AS id, repeat('x', 40) AS v FROM range(200000)) TO ${sq(path.join(s.dir, 'big.parquet'))} (FORMAT parquet)`);
  const outDir = path.join(s.dir, 'out');
  fs.mkdirSync(outDir);
  return { s, outDir };
}

function sluice(s: Setup, extra: string[], opts: SpawnSyncOptions = {}, shell?: string): { status: number | null; stdout: string; stderr: string } {
  const args = [bin, 'run', s.file, '--history', s.hist, ...extra];
  const r = shell
    ? spawnSync('bash', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, ...args], { encoding: 'utf8', timeout: 60_000, ...opts })
    : spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, ...opts });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function manifestOf(s: Setup): RunManifest {
  // The history folder also holds the run store (runstore.duckdb) and pipeline state (_state); runs are folders.
  const runs = fs.readdirSync(s.hist, { withFileTypes: true }).filter((d) => d.isDirectory() && !/^[._]/.test(d.name)).map((d) => d.name);
  expect(runs).toHaveLength(1);
  return JSON.parse(fs.readFileSync(path.join(s.hist, runs[0] as string, 'manifest.json'), 'utf8')) as RunManifest;
}

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of fs.readdirSync(dir).sort()) {
    const f = path.join(dir, n);
    out[n] = fs.statSync(f).isDirectory() ? `dir(${fs.readdirSync(f).join(',')})` : fs.readFileSync(f).toString('base64');
  }
  return out;
}

/** The failure the fault must end in: exit 1, one error line naming node and path, the record saying failed. */
function expectCleanFailure(s: Setup, r: { status: number | null; stdout: string; stderr: string }, node: string, target: string, why: RegExp): void {
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(1);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at |internal error/);
  const errors = r.stdout.split('\n').filter((l) => /^\s*error\s/.test(l));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain(`node "${node}"`);
  expect(errors[0]).toContain(target);
  expect(errors[0]).toMatch(why);
  const m = manifestOf(s);
  expect(m.outcome).toBe('failed');
  expect(m.errors.join('\n')).toContain(`node "${node}"`);
  expect(m.errors.join('\n')).toContain(target);
  const failed = m.nodes.find((n) => n.nodeId === node);
  expect(failed?.status).toBe('failed');
  // The record says how many rows the failed node was given, so nothing is unaccounted for.
  const upstream = m.nodes[m.nodes.findIndex((n) => n.nodeId === node) - 1];
  if (upstream) expect(failed?.rowsIn).toBe(upstream.rowsOut);
}

const PREVIOUS = 'id,v\nprevious,output\n';

/** A previous output as an earlier run would have left it: a CSV file, or a DuckDB database with table t. */
async function previousOutput(file: string): Promise<void> {
  if (file.endsWith('.csv')) fs.writeFileSync(file, PREVIOUS);
  else await duck(`CREATE TABLE t AS SELECT 'previous' AS id, 'output' AS v`, file);
}

describe.skipIf(!built)('file-system faults through the CLI (needs npm run build:engine)', () => {
  const user = unprivileged();
  const canDenyWrites = user !== undefined || process.getuid?.() !== 0;

  it.skipIf(!canDenyWrites)('a read-only output folder: CSV and DuckDB sinks fail cleanly, the previous outputs stay', async () => {
    tally.tried += 2;
    for (const sink of [{ kind: 'sink.csv', file: 'out.csv' }, { kind: 'sink.duckdb', file: 'out.duckdb', table: 't' }]) {
      const s = setup([
        { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
        { id: 'out', kind: sink.kind, config: { path: `ro/${sink.file}`, ...(sink.table ? { table: sink.table } : {}) } },
      ]);
      fs.writeFileSync(path.join(s.dir, 'in.csv'), 'id,v\n1,a\n2,b\n', { mode: 0o644 });
      const ro = path.join(s.dir, 'ro');
      fs.mkdirSync(ro);
      await previousOutput(path.join(ro, sink.file));
      fs.chmodSync(ro, 0o555);
      const before = listing(ro);
      const r = sluice(s, [], user ?? {});
      fs.chmodSync(ro, 0o755);
      expectCleanFailure(s, r, 'out', path.join(ro, sink.file), /Permission denied|EACCES|read-only/);
      expect(listing(ro)).toEqual(before);
    }
  });

  it('a full disk mid-write (tmpfs): the sink fails cleanly and the previous output stays', async (ctx) => {
    // The output folder itself is the small file system; relative outputs go there with --out.
    const { s, outDir: small } = await bigToCsv('');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      tally.skipped.push(`tmpfs disk-full case (mount failed: ${(mounted.stderr || mounted.error?.message || '').trim()}); the file-size-limit case covers a full disk`);
      ctx.skip();
      return;
    }
    mounts.push(small);
    tally.tried++;
    try {
      fs.writeFileSync(path.join(small, 'out.csv'), PREVIOUS);
      const before = listing(small);
      const r = sluice(s, ['--out', small]);
      expectCleanFailure(s, r, 'out', path.join(small, 'out.csv'), /No space left on device|ENOSPC/);
      expect(listing(small)).toEqual(before);
    } finally {
      spawnSync('umount', [small]);
      mounts.splice(mounts.indexOf(small), 1);
    }
  });

  it('a file-size limit mid-write (ulimit -f): the sink fails cleanly and the previous output stays', async () => {
    tally.tried++;
    const { s, outDir: out } = await bigToCsv('out');
    fs.writeFileSync(path.join(out, 'out.csv'), PREVIOUS);
    const before = listing(out);
    // SIGXFSZ is ignored so that a write past the limit fails with EFBIG instead of killing the process.
    const r = sluice(s, [], {}, "trap '' XFSZ; ulimit -f 2048");
    expectCleanFailure(s, r, 'out', path.join(out, 'out.csv'), /File too large|EFBIG/);
    expect(listing(out)).toEqual(before);
  });

  it('a file-size limit while a source writes its working copy: a plain message, the previous output stays', () => {
    tally.tried++;
    const s = setup([
      { id: 'src', kind: 'source.csv', config: { path: 'big.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
    ]);
    // A quoted delimiter in every value: a plain file is read by DuckDB a line per row (sources/csv-lines.ts) and
    // writes no working copy; this one is scanned, and its working copy is what meets the limit.
    fs.writeFileSync(path.join(s.dir, 'big.csv'), `id,v\n${Array.from({ length: 60_000 }, (_, i) => `${i},"y,${'y'.repeat(40)}"`).join('\n')}\n`);
    fs.writeFileSync(path.join(s.dir, 'out.csv'), PREVIOUS);
    const r = sluice(s, [], {}, "trap '' XFSZ; ulimit -f 1024");
    expectCleanFailure(s, r, 'src', 'working files', /EFBIG: file too large.*free disk space/);
    expect(fs.readFileSync(path.join(s.dir, 'out.csv'), 'utf8')).toBe(PREVIOUS);
  });

  it('a DuckDB file locked by another process: the sink fails naming it, the file is unchanged', async () => {
    tally.tried++;
    const s = setup([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'db', kind: 'sink.duckdb', config: { path: 'out.duckdb', table: 't' } },
    ]);
    fs.writeFileSync(path.join(s.dir, 'in.csv'), 'id,v\n1,a\n2,b\n');
    const db = path.join(s.dir, 'out.duckdb');
    await previousOutput(db);
    const before = fs.readFileSync(db);
    // Another process opens the database for writing and holds DuckDB's file lock until told to stop.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `
      const { DuckDBInstance } = await import(${JSON.stringify(path.join(root, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js'))});
      const inst = await DuckDBInstance.create(${JSON.stringify(db)});
      const conn = await inst.connect();
      await conn.run('BEGIN TRANSACTION');
      process.stdout.write('locked\\n');
      process.stdin.once('data', () => process.exit(0));
    `], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      const r = sluice(s, []);
      expectCleanFailure(s, r, 'db', db, /another process has it open/);
    } finally {
      holder.stdin.write('x');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('an output path that is a folder: the sink fails naming it, the folder is untouched', () => {
    tally.tried++;
    const s = setup([
      { id: 'src', kind: 'source.csv', config: { path: 'in.csv' } },
      { id: 'out', kind: 'sink.json', config: { path: 'out.ndjson' } },
    ]);
    fs.writeFileSync(path.join(s.dir, 'in.csv'), 'id,v\n1,a\n');
    fs.mkdirSync(path.join(s.dir, 'out.ndjson'));
    fs.writeFileSync(path.join(s.dir, 'out.ndjson', 'keep.txt'), 'keep');
    const before = listing(s.dir);
    const r = sluice(s, []);
    expectCleanFailure(s, r, 'out', path.join(s.dir, 'out.ndjson'), /EISDIR|is a directory|illegal operation on a directory/i);
    const after = listing(s.dir);
    delete after['hist'];
    delete before['hist'];
    expect(after).toEqual(before);
  });
});
