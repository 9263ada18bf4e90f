// Run records as files: where a pipeline's history lives, which runs it holds, and how a record is replaced. Kept
// free of DuckDB and of the node kinds, because `sluice run`'s supervisor reads and completes records and must
// start in a fraction of the time the engine takes to load (runtime/supervision/supervise.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runManifestSchema, type RunManifest } from '@sluice/format/api/contract';
import { UserError } from '@sluice/format/api/errors';
import { redactDeep } from '../secrets.js';

/** A pipeline's run history folder, next to the pipeline, unless the user names another. */
export function defaultHistoryDir(baseDir: string): string {
  return path.join(baseDir, '.sluice', 'runs');
}

export function listRuns(historyDir: string, limit = 50): RunManifest[] {
  if (!fs.existsSync(historyDir)) return [];
  const out: RunManifest[] = [];
  for (const id of fs.readdirSync(historyDir).sort().reverse()) {
    const file = path.join(historyDir, id, 'manifest.json');
    if (!fs.existsSync(file)) continue;
    const parsed = runManifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (parsed.success) out.push(parsed.data);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The outcomes of a pipeline's recent runs in a history folder, newest first, leaving out `except` (the run that
 * asks), among its newest 10 × `limit` run folders. Read for the checkpoint policy before every run, so only each
 * manifest's name and outcome are looked at.
 */
export function recentOutcomes(historyDir: string, pipelineName: string, except: string, limit = 20): string[] {
  if (!fs.existsSync(historyDir)) return [];
  const out: string[] = [];
  // A history folder shared by many pipelines is read only so far back: this runs before every run starts.
  for (const id of fs.readdirSync(historyDir).sort().reverse().slice(0, 10 * limit)) {
    if (id === except) continue;
    const file = path.join(historyDir, id, 'manifest.json');
    let m: unknown;
    try {
      m = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (typeof m !== 'object' || m === null) continue;
    const { pipelineName: name, outcome } = m as { pipelineName?: unknown; outcome?: unknown };
    if (name === pipelineName && typeof outcome === 'string') out.push(outcome);
    if (out.length >= limit) break;
  }
  return out;
}

export function getRun(historyDir: string, runId: string | undefined): RunManifest {
  if (runId !== undefined && !/^[A-Za-z0-9-]+$/.test(runId)) throw new UserError(`"${runId}" is not a run id`);
  const runs = listRuns(historyDir, runId ? 100_000 : 1);
  const run = runId ? runs.find((r) => r.runId === runId) : runs[0];
  if (!run) throw new UserError(runId ? `no run "${runId}" in ${historyDir}` : `no runs yet in ${historyDir}`);
  return run;
}

/** Replace the record atomically: a reader never sees half a manifest. */
export function writeManifest(file: string, m: RunManifest): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(redactDeep(m), null, 2)}\n`);
  fs.renameSync(tmp, file);
}
