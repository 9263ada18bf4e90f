// DuckDB can crash its process on crafted input, so `sluice run` does the work in a child process and watches it:
// a crash becomes a failed run that names the node it happened in, never a dead CLI.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runManifestSchema, type NodeMetrics, type RunManifest } from '../api/contract.js';
import { writeManifest } from '../runtime/run.js';

export const WORKER_ENV = 'SLUICE_RUN_WORKER';

export interface SupervisedResult {
  manifest?: RunManifest;
  /** Set when the worker died without finishing. */
  crash?: string;
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
  if (runDir) markCrashed(runDir, crash);
  return { crash };
}

/** The dead worker could not finish its run record; the supervisor does, so history shows the failure. */
function markCrashed(runDir: string, crash: string): void {
  const file = path.join(runDir, 'manifest.json');
  try {
    const m = runManifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (m.outcome !== 'running') return;
    writeManifest(file, { ...m, outcome: 'failed', finishedAt: new Date().toISOString(), errors: [...m.errors, crash] });
  } catch {
    // No readable record: the crash message printed by the CLI is all there is.
  }
}
