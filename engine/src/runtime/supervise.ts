// DuckDB can crash its process on crafted input, so `sluice run` does the work in a child process and watches it:
// a crash becomes a failed run that names the node it happened in, never a dead CLI.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runManifestSchema, type NodeMetrics, type RunManifest } from '../api/contract.js';
import { writeManifest } from './run.js';

export const WORKER_ENV = 'SLUICE_RUN_WORKER';

/** The `sluice` command, which a supervised run starts as its worker. */
export const SLUICE_BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** Whether the compiled engine the worker runs exists (it does not while tests run the TypeScript sources). */
export function workerAvailable(): boolean {
  return fs.existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));
}

export interface SupervisedResult {
  manifest?: RunManifest;
  /** Set when the worker died without finishing. */
  crash?: string;
  /** The dead run's record, completed by the supervisor, when the worker got as far as creating it. */
  crashedManifest?: RunManifest;
}

export async function superviseRun(
  binPath: string,
  argv: string[],
  onNode: (e: { type: 'node-start'; nodeId: string } | { type: 'node-end'; metrics: NodeMetrics }) => void,
): Promise<SupervisedResult> {
  const child = spawn(process.execPath, [binPath, ...argv, '--json'], {
    env: { ...process.env, [WORKER_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = () => child.kill('SIGINT');
  process.once('SIGINT', forward);
  let manifest: RunManifest | undefined;
  let current: string | undefined;
  let runDir: string | undefined;
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let msg: { event?: string; nodeId?: string; metrics?: NodeMetrics; manifest?: RunManifest };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'run-start' && typeof (msg as { runDir?: unknown }).runDir === 'string') runDir = (msg as { runDir: string }).runDir;
    else if (msg.event === 'node-start' && msg.nodeId) {
      current = msg.nodeId;
      onNode({ type: 'node-start', nodeId: msg.nodeId });
    } else if (msg.event === 'node-end' && msg.metrics) {
      current = undefined;
      onNode({ type: 'node-end', metrics: msg.metrics });
    } else if (msg.event === 'run-end' && msg.manifest) manifest = msg.manifest;
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (c, s) => resolve({ code: c, signal: s })),
  );
  process.off('SIGINT', forward);
  if (manifest) return { manifest };
  if (code === 2 || code === 0) return { crash: stderr.trim() || `the engine process exited with code ${code}` };
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const where = current ? ` while running node "${current}"` : '';
  const detail = stderr.trim().split('\n').slice(-3).join(' ');
  const crash = `the engine process ${how}${where}; nothing was published by the unfinished node${detail ? ` (${detail})` : ''}`;
  const crashedManifest = runDir ? markCrashed(runDir, crash) : undefined;
  return { crash, ...(crashedManifest ? { crashedManifest } : {}) };
}

/** The dead worker could not finish its run record; the supervisor does, so history shows the failure. */
function markCrashed(runDir: string, crash: string): RunManifest | undefined {
  const file = path.join(runDir, 'manifest.json');
  try {
    const m = runManifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (m.outcome !== 'running') return m;
    const done: RunManifest = { ...m, outcome: 'failed', finishedAt: new Date().toISOString(), errors: [...m.errors, crash] };
    writeManifest(file, done);
    return done;
  } catch {
    // No readable record: the crash message is all there is.
    return undefined;
  }
}

export interface SupervisedRunOptions {
  pipeline: unknown;
  params: Record<string, string>;
  baseDir: string;
  historyDir: string;
  onNode?: Parameters<typeof superviseRun>[2];
}

/**
 * A run for a long-lived host (the designer's server, Electron's main process): the pipeline goes to a file the
 * worker reads, and a crash of the worker ends the run as failed instead of taking the host down.
 */
export async function runSupervised(o: SupervisedRunOptions): Promise<SupervisedResult> {
  const pending = path.join(o.historyDir, '.pending');
  fs.mkdirSync(pending, { recursive: true });
  const file = path.join(pending, `${crypto.randomBytes(8).toString('hex')}.pipeline.json`);
  fs.writeFileSync(file, JSON.stringify(o.pipeline));
  try {
    const args = ['run', file, '--base-dir', o.baseDir, '--history', o.historyDir, ...Object.entries(o.params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
    return await superviseRun(SLUICE_BIN, args, o.onNode ?? (() => undefined));
  } finally {
    fs.rmSync(file, { force: true });
  }
}
