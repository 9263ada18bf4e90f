// The EngineApi methods of run history: answered from the run store of every history folder the engine knows.
//
// Opening a store costs more than the queries the Runs view makes (DuckDB open, lock, close: ~100–200 ms each with
// 10,000 runs), and the view asks three things at once. So the service keeps one connection per history folder
// open while it is in use, serialises its requests on it, and closes it after a short idle time: a run in another
// process (the CLI, the designer's worker) waits at most that long for the store's lock to index its run.
import * as fs from 'node:fs';
import type { EngineApi } from '@sluice/format/api/contract';
import { engineMethods } from '@sluice/format/api/contract';
import { UserError } from '../runtime/exec-context.js';
import { workspaceStatus } from './status.js';
import { RunStore } from './store.js';

type OpsApi = Pick<EngineApi, 'runHistory' | 'runTrends' | 'runRecord' | 'runPipelines' | 'workspaceStatus'>;

/** How long an unused store stays open (ms). */
const IDLE_CLOSE_MS = 1_500;
/** How long a sync stays good for requests that follow it (the view's first three arrive together). */
const FRESH_MS = 250;

interface Held {
  store: Promise<RunStore>;
  /** The tail of this folder's request chain: each request runs after the one before it. */
  tail: Promise<unknown>;
  syncedAt: number;
  timer: NodeJS.Timeout | undefined;
  busy: number;
}

/** One open store per history folder, shared by the requests that arrive while it is open. */
export class StorePool {
  private readonly held = new Map<string, Held>();

  async use<T>(dir: string, f: (s: RunStore) => Promise<T>): Promise<T> {
    let h = this.held.get(dir);
    if (!h) {
      h = { store: RunStore.open(dir), tail: Promise.resolve(), syncedAt: 0, timer: undefined, busy: 0 };
      this.held.set(dir, h);
      // A store that failed to open is forgotten at once, so that the next request tries again.
      h.store.catch(() => this.held.delete(dir));
    }
    const entry = h;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.busy++;
    const run = entry.tail.then(async () => {
      const s = await entry.store;
      if (Date.now() - entry.syncedAt > FRESH_MS) {
        await s.sync();
        entry.syncedAt = Date.now();
      }
      return f(s);
    });
    entry.tail = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      entry.busy--;
      if (entry.busy === 0 && this.held.get(dir) === entry) {
        entry.timer = setTimeout(() => this.release(dir, entry), IDLE_CLOSE_MS);
        // An open store never keeps the process alive by itself.
        entry.timer.unref();
      }
    }
  }

  private release(dir: string, h: Held): void {
    if (h.busy > 0 || this.held.get(dir) !== h) return;
    this.held.delete(dir);
    void h.tail.then(() => h.store).then((s) => s.close()).catch(() => undefined);
  }

  close(): void {
    for (const [dir, h] of [...this.held]) {
      if (h.timer) clearTimeout(h.timer);
      h.busy = 0;
      this.release(dir, h);
    }
  }
}

export function opsService(historyDirs: () => Iterable<string>, workspace?: string): { api: OpsApi; close: () => void } {
  const pool = new StorePool();
  const existing = () => [...historyDirs()].filter((d) => fs.existsSync(d));
  const api: OpsApi = {
    async runHistory(input) {
      const q = engineMethods.runHistory.input.parse(input);
      const all = [];
      for (const dir of existing()) all.push(...(await pool.use(dir, (s) => s.list(q))));
      return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, q.limit);
    },
    async runPipelines() {
      const byName = new Map<string, { name: string; runs: number; lastRunAt: string }>();
      for (const dir of existing()) {
        for (const p of await pool.use(dir, (s) => s.pipelines())) {
          const prev = byName.get(p.name);
          byName.set(p.name, prev ? { name: p.name, runs: prev.runs + p.runs, lastRunAt: prev.lastRunAt > p.lastRunAt ? prev.lastRunAt : p.lastRunAt } : p);
        }
      }
      return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
    async runTrends(input) {
      const q = engineMethods.runTrends.input.parse(input);
      const all = [];
      for (const dir of existing()) all.push(...(await pool.use(dir, (s) => s.trends(q.pipelineName, q.limit))));
      return all.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },
    async workspaceStatus() {
      if (workspace === undefined) return [];
      const rows = await workspaceStatus(workspace, Date.now(), (dir, f) => pool.use(dir, f));
      // Absent fields stay absent on the wire (the contract's optional fields are not nullable).
      return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as typeof r);
    },
    async runRecord(input) {
      const { runId } = engineMethods.runRecord.input.parse(input);
      for (const dir of existing()) {
        const m = await pool.use(dir, (s) => s.manifest(runId));
        if (m) return m;
      }
      throw new UserError(`no run "${runId}"`);
    },
  };
  return { api, close: () => pool.close() };
}
