// Where `sluice inspect` finds a run: a run record given by path (its folder or its manifest.json), or a run id
// looked up in the history of the pipeline named with --pipeline, in --history, or else in the history folder
// of the current folder or of the nearest folder above it that has one. So `sluice inspect RUN_ID` works from
// anywhere inside a project, and from anywhere at all given the pipeline file or the record's path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../runtime/exec-context.js';

export interface RunLocation {
  historyDir: string;
  /** undefined: the latest run of that history. */
  runId: string | undefined;
}

const HISTORY = path.join('.sluice', 'runs');

function looksLikePath(arg: string): boolean {
  return arg.includes('/') || arg.includes(path.sep) || arg.endsWith('.json') || arg === '.' || arg === '..';
}

export function findRun(given: string | undefined, o: { history?: string | undefined; pipeline?: string | undefined; cwd: string }): RunLocation {
  // "latest", as `run --resume latest` takes it: the newest run of whichever history is found.
  const arg = given === 'latest' ? undefined : given;
  if (arg !== undefined && looksLikePath(arg)) {
    const given = path.resolve(o.cwd, arg);
    const runDir = path.basename(given) === 'manifest.json' ? path.dirname(given) : given;
    if (!fs.existsSync(path.join(runDir, 'manifest.json'))) throw new UserError(`no run record at ${given}: expected a run's folder (…/.sluice/runs/RUN_ID) or its manifest.json`);
    return { historyDir: path.dirname(runDir), runId: path.basename(runDir) };
  }
  if (o.history !== undefined) return { historyDir: path.resolve(o.cwd, o.history), runId: arg };
  if (o.pipeline !== undefined) return { historyDir: path.join(path.dirname(path.resolve(o.cwd, o.pipeline)), HISTORY), runId: arg };
  // The current folder, then each folder above it: the first history that has the run (or, without a run id,
  // the first history there is).
  const searched: string[] = [];
  for (let dir = path.resolve(o.cwd); ; dir = path.dirname(dir)) {
    const history = path.join(dir, HISTORY);
    searched.push(history);
    if (arg === undefined ? fs.existsSync(history) : fs.existsSync(path.join(history, arg, 'manifest.json'))) return { historyDir: history, runId: arg };
    if (path.dirname(dir) === dir) break;
  }
  if (arg === undefined) throw new UserError(`no run history in ${o.cwd} or any folder above it; name the pipeline with --pipeline FILE or the folder with --history DIR`);
  throw new UserError(`no run "${arg}" in ${searched[0]} or the history of any folder above it; name the pipeline with --pipeline FILE, the history with --history DIR, or give the run's folder path`);
}
