// Stopping `sluice run` by signal: SIGINT, SIGTERM and SIGHUP to the CLI end the worker's whole process group
// (asked first, killed after a grace period), the record says `cancelled`, the lock is released and the run can
// be resumed. A CLI that cannot act on a signal (here: killed outright) leaves no worker behind. Every resume
// attempt is listed in the record, killed ones too.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import { checkStructure } from '../../src/runtime/run.js';
import { pipeline, tmpDir, writeFiles } from '../helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'));

let cases = 0;
afterAll(() => console.log(`signals: ${cases} hostile cases`));

const NEVER_ENDS = 'WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x) SELECT n FROM x';

function setUp(): { dir: string; file: string; hist: string } {
  const dir = tmpDir('sluice-signals-');
  writeFiles(dir, { 'in.csv': 'id\n1\n2\n' });
  const file = path.join(dir, 'p.pipeline.json');
  fs.writeFileSync(file, JSON.stringify(pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'q', kind: 'sql', config: { query: NEVER_ENDS } }, { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } }], ['src -> q.in1', 'q -> out'])));
  return { dir, file, hist: path.join(dir, '.sluice', 'runs') };
}

/** Start the CLI; resolves once the worker reports it is inside node `q`. */
function start(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const child = spawn(process.execPath, [bin, 'run', file, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('"event":"node-start","nodeId":"q"')) resolve({ child, exited });
    });
    void exited.then(() => reject(new Error(`the run ended before node q started: ${buf}`)));
  });
}

function record(hist: string): { m: RunManifest; runDir: string } {
  // Runs are the folders; the history folder also holds the run store (runstore.duckdb).
  const id = fs.readdirSync(hist, { withFileTypes: true }).filter((d) => d.isDirectory() && !/^[._]/.test(d.name)).map((d) => d.name).sort().pop() as string;
  const runDir = path.join(hist, id);
  return { m: runManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(runDir, 'manifest.json'), 'utf8'))), runDir };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe.skipIf(!built)('signals to sluice run (needs npm run build:engine)', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s: the record says cancelled, the lock is released, the worker is gone', async (sig) => {
    cases++;
    const w = setUp();
    const { child, exited } = await start(w.file);
    const { runDir } = record(w.hist);
    const worker = Number(fs.readFileSync(path.join(runDir, 'run.lock'), 'utf8'));
    child.kill(sig);
    const r = await exited;
    expect(r.code).toBe(1);
    expect(await gone(worker, 2000)).toBe(true);
    const { m } = record(w.hist);
    expect(m.outcome).toBe('cancelled');
    expect(fs.existsSync(path.join(runDir, 'run.lock'))).toBe(false);
    expect(m.nodes.find((n) => n.nodeId === 'out')?.status).toBe('skipped');
  }, 20_000);

  it('a worker that ignores the request is killed with its process group after the grace period', async () => {
    cases++;
    const w = setUp();
    const { child, exited } = await start(w.file);
    const { runDir } = record(w.hist);
    const worker = Number(fs.readFileSync(path.join(runDir, 'run.lock'), 'utf8'));
    // A stopped process cannot act on SIGINT; only SIGKILL ends it.
    process.kill(worker, 'SIGSTOP');
    child.kill('SIGTERM');
    await exited;
    expect(await gone(worker, 2000)).toBe(true);
    const { m } = record(w.hist);
    expect(m.outcome).toBe('cancelled');
    expect(m.nodes.find((n) => n.nodeId === 'q')?.status).toBe('failed');
    expect(fs.existsSync(path.join(runDir, 'run.lock'))).toBe(false);
  }, 20_000);

  it('a CLI killed outright (as one stuck in a system call would end) leaves no worker alive', async () => {
    cases++;
    const w = setUp();
    const { child, exited } = await start(w.file);
    const { runDir } = record(w.hist);
    const worker = Number(fs.readFileSync(path.join(runDir, 'run.lock'), 'utf8'));
    child.kill('SIGKILL');
    await exited;
    expect(await gone(worker, 8000)).toBe(true);
    expect(record(w.hist).m.outcome).toBe('cancelled');
    expect(fs.existsSync(path.join(runDir, 'run.lock'))).toBe(false);
  }, 20_000);

  it('every resume attempt is listed, killed ones too (8 killed attempts → 8 entries)', async () => {
    cases++;
    const w = setUp();
    const env = { SLUICE_RUN_WORKER: '1' };
    const first = await start(w.file, [], env);
    first.child.kill('SIGKILL');
    await first.exited;
    for (let i = 0; i < 8; i++) {
      const again = await start(w.file, ['--resume', 'latest'], env);
      again.child.kill('SIGKILL');
      await again.exited;
    }
    const { m } = record(w.hist);
    expect(m.resumes).toHaveLength(8);
    expect(new Set(m.resumes?.map((r) => r.at)).size).toBe(8);
  }, 60_000);
});

describe('NUL and lone surrogates in a pipeline are refused naming the field', () => {
  it.each([
    ['a NUL in an expression', { expression: 'id = 1\u0000' }, 'nodes[1].config.expression', /NUL character at character 7/],
    ['a lone surrogate in an expression', { expression: "id = '\ud800'" }, 'nodes[1].config.expression', /lone UTF-16 surrogate \(\\ud800\) at character 7/],
    ['a lone low surrogate in a reason', { expression: 'true', reason: 'x\udc00' }, 'nodes[1].config.reason', /lone UTF-16 surrogate/],
  ])('%s', (_what, config, where, message) => {
    cases++;
    const p = pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'f', kind: 'filter', config }], ['src -> f']);
    const problem = checkStructure(p, {}).problems.find((x) => x.path === where);
    expect(problem?.nodeId).toBe('f');
    expect(problem?.message).toMatch(message);
  });

  it('a parameter value with a NUL is refused naming the parameter', () => {
    cases++;
    const p = pipeline([{ id: 'src', kind: 'source.csv', config: { path: '${file}' } }], [], { params: { file: { default: 'in.csv' } } });
    const problems = checkStructure(p, { file: 'in\u0000.csv' }).problems;
    expect(problems.map((x) => x.path)).toContain('params.file');
  });

  it('a valid surrogate pair (an emoji) is fine', () => {
    const p = pipeline([{ id: 'src', kind: 'source.csv', config: { path: 'in.csv' } }, { id: 'f', kind: 'filter', config: { expression: "'😀' IS NOT NULL" } }], ['src -> f']);
    expect(checkStructure(p, {}).problems).toEqual([]);
  });
});
