// How `sluice` ends: the exit code of a run's outcome, and one clear message for an error (a stack only for an
// internal fault, and only with SLUICE_DEBUG=1). Shared by the full CLI and `sluice run`'s lean entry.
import * as fs from 'node:fs';
import { CommanderError } from 'commander';
import { formatProblem } from '@sluice/format/pipeline/problems';
import { ERROR_CODES, InvalidPipeline, faultDetail, isUserFacing, toErrorBody, type ErrorWhere } from '@sluice/format/api/errors';
import type { RunManifest } from '@sluice/format/api/contract';
import { EXIT } from './exit-codes.js';
import { errWrite, names } from './inputs.js';
import { redact } from '../runtime/secrets.js';
import { WORKER_ENV } from '../runtime/supervision/supervise.js';

/** What `sluice --help` says first. */
export const SLUICE_DESCRIPTION = 'Design data pipelines visually and run them reliably. Exit codes: 0 success, 1 run failed, 2 invalid pipeline or usage, 3 quality gate failed, 4 partial (resume it).';

/** One line on stdout, secrets redacted; synchronous in a supervised worker, whose last event must be out before a crash. */
export function outLine(s: string): void {
  const line = redact(s);
  if (process.env[WORKER_ENV]) fs.writeSync(1, `${line}\n`);
  else process.stdout.write(`${line}\n`);
}

function exitCodeOfError(code: string): number {
  if (code === ERROR_CODES.internal) return EXIT.runFailed;
  if (code === ERROR_CODES.gateFailed) return EXIT.gateFailed;
  return EXIT.invalid;
}

/** `node "x", field "y": ` before a message that names a place the message itself does not. */
function placed(where: ErrorWhere | undefined): string {
  if (!where) return '';
  const bits = [where.nodeId !== undefined ? names.name(where.nodeId) : '', where.field !== undefined ? `field "${where.field}"` : ''].filter(Boolean);
  return bits.length > 0 ? `${bits.join(', ')}: ` : '';
}

export function exitCodeOf(outcome: RunManifest['outcome']): number {
  if (outcome === 'succeeded') return EXIT.ok;
  if (outcome === 'gate_failed') return EXIT.gateFailed;
  if (outcome === 'partial') return EXIT.partial;
  return EXIT.runFailed;
}

/** Reports an error that ended a command and returns the exit code. `--json` also prints the error body as is. */
export function reportError(e: unknown, argv: string[], command: string, out: (s: string) => void): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  // The same body the HTTP server and the IPC dispatcher answer with; `--json` prints it as is.
  const body = toErrorBody(e, command);
  if (argv.includes('--json')) out(JSON.stringify(body));
  if (e instanceof InvalidPipeline) errWrite(`invalid pipeline:\n${e.problems.map((p) => `  ${formatProblem(p, undefined, names.name)}`).join('\n')}\n`);
  else if (isUserFacing(e)) errWrite(`error: ${placed(body.error.where)}${body.error.message}\n`);
  else {
    errWrite(`internal error: ${body.error.message}${process.env['SLUICE_DEBUG'] ? '' : ' (set SLUICE_DEBUG=1 to print the details)'}\n`);
    if (process.env['SLUICE_DEBUG']) errWrite(`${faultDetail(e)}\n`);
  }
  return exitCodeOfError(body.error.code);
}
