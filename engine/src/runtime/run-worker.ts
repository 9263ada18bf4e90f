// The entry point of a supervised run's worker process (runtime/supervise.ts starts it). It reads one RunSpec as
// JSON on stdin, checks it against the contract, runs it, and reports on stdout as NDJSON: each run event, then
// `run-end` with the manifest. Mistakes in the spec end with one line on stderr and exit code 2.
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runSpecSchema } from '../api/contract.js';
import { invalidInput, isUserFacing, toErrorBody } from '../api/errors.js';
import { runPipeline } from './run.js';
import type { RunEvent } from './execute.js';

/** Written synchronously: if the engine crashes next, its last event must already be out. */
function emit(message: unknown): void {
  fs.writeSync(1, `${JSON.stringify(message)}\n`);
}

function eventLine(e: RunEvent): unknown {
  const { type, ...rest } = e;
  return { event: type, ...rest };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
  // The supervisor's stop is SIGINT: the run ends as `cancelled` between nodes.
  process.on('SIGINT', () => controller.abort());
  try {
    const manifest = await runPipeline({ ...spec.data, signal: controller.signal, onEvent: (e) => emit(eventLine(e)) });
    emit({ event: 'run-end', manifest });
    return 0;
  } catch (e) {
    process.stderr.write(`${toErrorBody(e, 'run').error.message}\n`);
    return isUserFacing(e) ? 2 : 1;
  }
}

// Started as a process (not imported by a test): read the spec and run it.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  process.exitCode = await runWorker(await readStdin());
}
