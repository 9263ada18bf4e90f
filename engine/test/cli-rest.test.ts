// `sluice run` with a REST source, through the supervised worker: `--allow-host` reaches the node, retries show
// as progress lines on stderr, and the summary reports the node's requests, retries and breaker.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from './helpers.js';
import { dataset, startFaultServer, type FaultServer } from './support/fault-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'engine', 'bin', 'sluice.js');
const built = fs.existsSync(path.join(root, 'engine', 'dist', 'cli', 'main.js'));

/** Asynchronous, so the fault server in this process keeps answering while the CLI runs. */
function sluice(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let s: FaultServer;
let dir: string;
let file: string;

beforeAll(async () => {
  s = await startFaultServer({ records: dataset(40), pageSize: 10, faultRate: 0.3, seed: 5, faults: ['503', '500'] });
  dir = tmpDir();
  file = path.join(dir, 'rest.pipeline.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      name: 'rest',
      nodes: [
        {
          id: 'api',
          kind: 'source.rest',
          config: { url: s.url, recordsPath: 'data.items', pagination: { type: 'page', size: 10 }, retry: { maxAttempts: 10, baseMs: 5, maxMs: 20 }, secretHeaders: { 'X-Api-Key': 'SLUICE_SECRET_TEST_KEY' } },
        },
        { id: 'out', kind: 'sink.csv', config: { path: 'out.csv' } },
      ],
      edges: [{ from: { node: 'api', port: 'out' }, to: { node: 'out', port: 'in' } }],
    }),
  );
});
afterAll(() => s.close());

describe.skipIf(!built)('sluice run with a REST source (needs npm run build:engine)', () => {
  it('refuses a host that was not allowed, naming the flag to use', async () => {
    const r = await sluice(['run', file, '--history', path.join(dir, 'h')], { SLUICE_SECRET_TEST_KEY: 'k-123' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`is not allowed for this run; a pipeline file may not reach the network on its own. Allow it with \`sluice run --allow-host ${s.host}\``);
    expect(s.stats.requests).toBe(0);
  });

  it('a malformed --allow-host is a usage error', async () => {
    const r = await sluice(['run', file, '--allow-host', 'not a host']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow-host expects HOST or HOST:PORT');
  });

  it('retries show as progress lines, the summary reports them, and every record is written once', async () => {
    const r = await sluice(['run', file, '--history', path.join(dir, 'h'), '--allow-host', s.host], { SLUICE_SECRET_TEST_KEY: 'k-123' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const retryLines = r.stderr.split('\n').filter((l) => /^ {2}api: retry \d+\/9 in \d+ ms \((503|500)\), page \d$/.test(l));
    const faults = s.stats.faults['503'] + s.stats.faults['500'];
    expect(faults).toBeGreaterThan(0);
    expect(retryLines).toHaveLength(faults);
    expect(r.stdout).toMatch(new RegExp(`io {7}api: ${s.stats.requests} requests, ${faults} retries, ${faults} failed, \\d+ ms waiting, 5 pages, breaker closed`));
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n')).toHaveLength(41);
    // Runs are the folders; the history folder also holds the run store (runstore.duckdb).
    const runs = fs.readdirSync(path.join(dir, 'h'), { withFileTypes: true }).filter((d) => d.isDirectory() && !/^[._]/.test(d.name)).map((d) => d.name);
    for (const id of runs) expect(fs.readFileSync(path.join(dir, 'h', id, 'manifest.json'), 'utf8')).not.toContain('k-123');
  });
});
