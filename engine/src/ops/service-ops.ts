// The EngineApi methods of run history: answered from the run store of every history folder the engine knows.
import * as fs from 'node:fs';
import type { EngineApi } from '../api/contract.js';
import { engineMethods } from '../api/contract.js';
import { UserError } from '../runtime/exec-context.js';
import { RunStore } from './store.js';

type OpsApi = Pick<EngineApi, 'runHistory' | 'runTrends' | 'runRecord'>;

export function opsService(historyDirs: () => Iterable<string>): OpsApi {
  const existing = () => [...historyDirs()].filter((d) => fs.existsSync(d));
  return {
    async runHistory(input) {
      const q = engineMethods.runHistory.input.parse(input);
      const all = [];
      for (const dir of existing()) all.push(...(await RunStore.with(dir, (s) => s.list(q))));
      return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, q.limit);
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
