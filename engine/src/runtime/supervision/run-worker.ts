// The entry point of a supervised run's worker process (runtime/supervision/supervise.ts starts it). It reads one RunSpec as
// JSON on stdin, checks it against the contract, runs it, and reports on stdout as NDJSON: each run event, then
// `run-end` with the manifest. Mistakes in the spec end with one line on stderr and exit code 2.
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runSpecSchema } from '@sluice/format/api/contract';
import { invalidInput, isUserFacing, toErrorBody } from '@sluice/format/api/errors';
import { runPipeline } from '../run.js';
import { CANCEL_GRACE_MS, PARENT_PIPE_ENV, STOP_SIGNALS } from './supervise.js';
import type { RunEvent } from '../execution/execute-options.js';

/** Written synchronously: if the engine crashes next, its last event must already be out. */
function emit(message: unknown): void {
  fs.writeSync(1, `${JSON.stringify(message)}\n`);
}

function eventLine(e: RunEvent): unknown {
  const { type, ...rest } = e;
  return { event: type, ...rest };
}

/**
 * The spec is the first line on stdin. The supervisor keeps stdin open after it: its end means the supervisor is
 * gone (killed, or its terminal closed), and the run then stops as if cancelled (see `watchSupervisor`).
 */
async function readSpecLine(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        process.stdin.off('data', onData);
        process.stdin.off('end', onEnd);
        process.stdin.pause();
        resolve(text.slice(0, nl));
      }
    };
    const onEnd = () => resolve(text);
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
  });
}

/** With the supervisor gone, stop the run, and do not outlive it by more than the grace period. */
function watchSupervisor(controller: AbortController): void {
  if (!process.env[PARENT_PIPE_ENV]) return;
  let gone = false;
  const orphaned = () => {
    if (gone) return;
    gone = true;
    controller.abort();
    setTimeout(() => process.exit(1), CANCEL_GRACE_MS * 2).unref();
  };
  process.stdin.on('end', orphaned);
  process.stdin.on('error', orphaned);
  process.stdin.resume();
  process.stdin.unref();
  // Also by parentage: a worker whose supervisor died is handed to another parent. The end of stdin alone was
  // seen to arrive late on a loaded machine while DuckDB kept every core busy.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) orphaned();
  }, 250).unref();
}

export async function runWorker(text: string): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    process.stderr.write('the run worker was given a run spec that is not JSON\n');
    return 2;
  }
  const spec = runSpecSchema.safeParse(raw);
  if (!spec.success) {
    process.stderr.write(`${invalidInput('the run worker', spec.error).message}\n`);
    return 2;
  }
  const controller = new AbortController();
  // The supervisor's stop is SIGINT to the worker's process group; SIGTERM and SIGHUP stop it the same way. The
  // run ends as `cancelled` between nodes (or its query is interrupted).
  for (const sig of STOP_SIGNALS) process.on(sig, () => controller.abort());
  watchSupervisor(controller);
  try {
    const manifest = await runPipeline({ ...spec.data, signal: controller.signal, onEvent: (e) => emit(eventLine(e)) });
    emit({ event: 'run-end', manifest });
    return 0;
  } catch (e) {
    const body = toErrorBody(e, 'run');
    // The whole body (code, place, every problem) for the supervisor, which reports it as its own check would.
    if (isUserFacing(e)) emit({ event: 'run-refused', error: body.error });
    process.stderr.write(`${body.error.message}\n`);
    return isUserFacing(e) ? 2 : 1;
  }
}

// Started as a process (not imported by a test): read the spec and run it.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  process.exitCode = await runWorker(await readSpecLine());
}
