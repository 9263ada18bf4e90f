// The EngineApi methods of run history: answered from the run store of every history folder the engine knows.
import * as fs from 'node:fs';
import type { EngineApi } from '@sluice/format/api/contract';
import { engineMethods } from '@sluice/format/api/contract';
import { UserError } from '../runtime/exec-context.js';
import { RunStore } from './store.js';

type OpsApi = Pick<EngineApi, 'runHistory' | 'runTrends' | 'runRecord' | 'runPipelines'>;

export function opsService(historyDirs: () => Iterable<string>): OpsApi {
  const existing = () => [...historyDirs()].filter((d) => fs.existsSync(d));
  return {
    async runHistory(input) {
      const q = engineMethods.runHistory.input.parse(input);
      const all = [];
      for (const dir of existing()) all.push(...(await RunStore.with(dir, (s) => s.list(q))));
      return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, q.limit);
    },
    async runPipelines() {
      const byName = new Map<string, { name: string; runs: number; lastRunAt: string }>();
      for (const dir of existing()) {
        for (const p of await RunStore.with(dir, (s) => s.pipelines())) {
          const prev = byName.get(p.name);
          byName.set(p.name, prev ? { name: p.name, runs: prev.runs + p.runs, lastRunAt: prev.lastRunAt > p.lastRunAt ? prev.lastRunAt : p.lastRunAt } : p);
        }
      }
      return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
    async runTrends(input) {
      const q = engineMethods.runTrends.input.parse(input);
      const all = [];
      for (const dir of existing()) all.push(...(await RunStore.with(dir, (s) => s.trends(q.pipelineName, q.limit))));
      return all.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },
    async runRecord(input) {
      const { runId } = engineMethods.runRecord.input.parse(input);
      for (const dir of existing()) {
        const m = await RunStore.with(dir, (s) => s.manifest(runId));
        if (m) return m;
      }
      throw new UserError(`no run "${runId}"`);
    },
  };
}
