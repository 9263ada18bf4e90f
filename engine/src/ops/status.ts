// Freshness and SLAs across a workspace: every pipeline file with its last success, its age, and whether it is
// healthy, late or failing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePipelineText } from '@sluice/format/pipeline/load';
import { durationMs, freshnessSchema } from '@sluice/format/pipeline/ops';
import { RunStore } from './store.js';

export type Health = 'healthy' | 'late' | 'failing' | 'never run' | 'unknown';

export interface PipelineStatus {
  file: string;
  name: string;
  health: Health;
  lastRunAt: string | undefined;
  lastOutcome: string | undefined;
  lastSuccessAt: string | undefined;
  ageMs: number | undefined;
  maxAgeMs: number | undefined;
  owner: string | undefined;
  why: string;
}

/** Exit codes of `sluice status`: which kinds of trouble there are. */
export const STATUS_EXIT = { healthy: 0, late: 5, failing: 6, lateAndFailing: 7 } as const;

const SKIP = new Set(['node_modules', 'dist', 'out']);

export function findPipelineFiles(root: string, depth = 5): string[] {
  const out: string[] = [];
  const walk = (dir: string, d: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() && d > 0) walk(full, d - 1);
      else if (e.isFile() && (e.name.endsWith('.pipeline.json') || e.name.endsWith('.sluice'))) out.push(full);
    }
  };
  walk(root, depth);
  return out;
}

export function formatAge(ms: number): string {
  if (ms < 90_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 48 * 3_600_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}

/** How the status reads a history folder's store: by default it opens it; the engine service lends its open one. */
export type StoreUser = <T>(historyDir: string, f: (s: RunStore) => Promise<T>) => Promise<T>;

export async function workspaceStatus(root: string, now = Date.now(), use: StoreUser = (dir, f) => RunStore.with(dir, f)): Promise<PipelineStatus[]> {
  const out: PipelineStatus[] = [];
  for (const file of findPipelineFiles(root)) {
    const rel = path.relative(root, file);
    const parsed = parsePipelineText(fs.readFileSync(file, 'utf8'));
    const raw = parsed.raw as { name?: unknown; ops?: { freshness?: unknown } } | undefined;
    if (!raw || typeof raw.name !== 'string') continue;
    const fresh = freshnessSchema.safeParse(raw.ops?.freshness);
    const maxAgeMs = fresh.success ? (fresh.data.maxAge ? durationMs(fresh.data.maxAge) : durationMs(fresh.data.cadence) * 1.5) : undefined;
    const owner = fresh.success ? fresh.data.owner : undefined;
    const historyDir = path.join(path.dirname(file), '.sluice', 'runs');
    const last = fs.existsSync(historyDir)
      ? await use(historyDir, async (s) => (await s.lastRuns()).find((x) => x.pipelineName === raw.name))
      : undefined;
    const lastRun = last?.lastRun;
    const ageMs = last?.lastSuccessAt ? now - Date.parse(last.lastSuccessAt) : undefined;
    const base = { file: rel, name: raw.name, lastRunAt: lastRun?.startedAt, lastOutcome: lastRun?.outcome, lastSuccessAt: last?.lastSuccessAt, ageMs, maxAgeMs, owner };
    let health: Health;
    let why: string;
    if (!lastRun) {
      health = maxAgeMs !== undefined ? 'late' : 'never run';
      why = 'no run recorded';
    } else if (lastRun.outcome !== 'succeeded' && lastRun.outcome !== 'running') {
      health = 'failing';
      why = `last run ${lastRun.runId} ended ${lastRun.outcome}`;
    } else if (maxAgeMs !== undefined && (ageMs === undefined || ageMs > maxAgeMs)) {
      health = 'late';
      why = ageMs === undefined ? 'no successful run yet' : `last success ${formatAge(ageMs)} ago, more than the ${formatAge(maxAgeMs)} allowed`;
    } else if (maxAgeMs === undefined) {
      health = 'unknown';
      why = 'no freshness declared (ops.freshness)';
    } else {
      health = 'healthy';
      why = `last success ${formatAge(ageMs ?? 0)} ago (max ${formatAge(maxAgeMs)})`;
    }
    out.push({ ...base, health, why });
  }
  return out;
}

export function statusExitCode(rows: PipelineStatus[]): number {
  const late = rows.some((r) => r.health === 'late');
  const failing = rows.some((r) => r.health === 'failing');
  return late && failing ? STATUS_EXIT.lateAndFailing : failing ? STATUS_EXIT.failing : late ? STATUS_EXIT.late : STATUS_EXIT.healthy;
}
