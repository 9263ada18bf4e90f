// A supervised run's worker process: how it is started and told apart, and how long it gets to stop. Only Node's own
// modules here: `sluice run` (cli/run-main.ts) starts the worker with this module before it loads anything else, so
// that the worker loads the engine while the CLI reads its flags (runtime/supervision/supervise.ts follows the run).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKER_ENV = 'SLUICE_RUN_WORKER';
/** Set for a worker whose stdin is a pipe from its supervisor: end of input means the supervisor is gone. */
export const PARENT_PIPE_ENV = 'SLUICE_PARENT_PIPE';
/** Signals that stop a run: the terminal's Ctrl-C, a service manager's stop, a closed terminal. */
export const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The worker entry a supervised run starts (from engine/src or engine/dist alike): run-worker.ts bundled with the
 * engine by `npm run build:engine` (scripts/bundle-engine.mjs), which loads in a third of the time of its ~240
 * compiled modules.
 */
export const RUN_WORKER = fileURLToPath(new URL('../../../dist/bundle/run-worker.js', import.meta.url));

/** How long a worker asked to stop gets before it is killed. */
export const CANCEL_GRACE_MS = 3_000;

/** Whether `sluice run` runs in a supervised worker (the default) or in this process (asked for, or this is the worker). */
export function runsSupervised(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env[WORKER_ENV] && !env['SLUICE_NO_SUPERVISOR'];
}

/** Whether the compiled engine the worker runs exists (it does not while tests run the TypeScript sources). */
export function workerAvailable(): boolean {
  return fs.existsSync(RUN_WORKER);
}

/**
 * Starts a worker process (runtime/supervision/run-worker.ts) that loads the engine and waits for its spec as one JSON line on
 * stdin. Its stdin stays open, so that it notices when this process is gone, however that happened (end of input).
 */
export function spawnWorker(): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [RUN_WORKER], {
    env: { ...process.env, [WORKER_ENV]: '1', [PARENT_PIPE_ENV]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Not detached: the worker stays in this process's group, so that whatever ends the group (a terminal's
    // Ctrl-C, a service manager, `kill -9 -PGID`) ends the worker too, at the same moment. A worker in a group of
    // its own outlived a killed supervisor long enough to publish while a resume started (the crash harness
    // caught an append written twice). A worker whose supervisor vanished alone notices the end of its stdin.
  });
  // A worker that dies before reading its spec must not take this process down with EPIPE.
  child.stdin.on('error', () => undefined);
  return child;
}
