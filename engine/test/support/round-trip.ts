// Every method of the contract, called once over a transport (the IPC dispatcher, the Electron engine link) on the
// validate chain (validate-chain.ts), with what each answer must hold. One list for every transport: a method added
// to the contract is added here once, and each transport's test fails until it is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { engineMethods, type EngineMethod } from '@sluice/format/api/contract';
import type { validateChainPipeline } from './validate-chain.js';

/** Calls one method over the transport under test and returns its value (throws on an error reply). */
export type Call = <T>(method: EngineMethod, payload: unknown) => Promise<T>;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round-trips every method of the contract through `call`, in folder `work` (holding the chain's input). */
export async function roundTripEveryMethod(transport: Call, pipeline: ReturnType<typeof validateChainPipeline>, work: string): Promise<void> {
  const seen = new Set<EngineMethod>();
  const call = <T>(m: EngineMethod, payload: unknown): Promise<T> => {
    seen.add(m);
    return transport<T>(m, payload);
  };
  const catalog = await call<{ kinds: { kind: string }[] }>('catalog', {});
  expect(catalog.kinds.map((k) => k.kind)).toContain('validate');
  expect(await call<{ ok: boolean }>('validate', { pipeline, baseDir: work })).toEqual({ ok: true, problems: [] });
  const schemas = await call<{ ports: Record<string, unknown> }>('schemas', { pipeline, baseDir: work });
  expect(Object.keys(schemas.ports).sort()).toEqual(pipeline.nodes.map((n) => n.id).sort());
  // The same columns for the validator and the sink below it, judged alone from the source's columns.
  const srcCols = (schemas.ports as Record<string, Record<string, unknown>>)['src']?.['out'];
  const region = await call<{ nodes: Record<string, { outputs: Record<string, unknown> }> }>('schemasFor', {
    nodes: [
      { id: 'check', at: 1, kind: 'validate', config: pipeline.nodes[1]?.config, inputs: { in: [srcCols] } },
      { id: 'out', at: 2, kind: 'sink.csv', config: pipeline.nodes[2]?.config, inputs: { in: [{ node: 'check', port: 'valid' }] } },
    ],
    baseDir: work,
  });
  expect(region.nodes['check']?.outputs).toEqual((schemas.ports as Record<string, unknown>)['check']);
  expect(Object.keys(region.nodes)).toEqual(['check', 'out']);
  const preview = await call<{ totalRows: number; quarantineTotal: number }>('preview', { pipeline, nodeId: 'check', baseDir: work });
  expect([preview.totalRows, preview.quarantineTotal]).toEqual([2, 1]);
  const sniff = await call<{ field: string; columns: { name: string; type: string }[] }>('sniffTypes', { pipeline, nodeId: 'src', baseDir: work });
  expect(sniff.field).toBe('types');
  expect(sniff.columns.map((c) => c.name)).toEqual(['id', 'v']);
  expect((await call<{ inputs: unknown[] }>('inputFingerprints', { pipeline, baseDir: work })).inputs.length).toBeGreaterThan(0);
  const profile = await call<{ rows: number; columns: { name: string }[] }>('profile', { pipeline, nodeId: 'check', baseDir: work });
  expect([profile.rows, profile.columns.map((c) => c.name)]).toEqual([2, ['id', 'v']]);
  // Pinned data (pipeline tests): pin the validator, test, list, remove.
  const where = { baseDir: work, fileName: 'chain.pipeline.json' };
  const pinned = await call<{ folder: string; pins: { nodeId: string; expected?: { rows: number; quarantined: number } }[] }>('pinData', { ...where, pipeline, nodeId: 'check' });
  expect(pinned.pins.find((x) => x.nodeId === 'check')?.expected).toMatchObject({ rows: 2, quarantined: 1 });
  expect(await call<{ passed: boolean }>('testPins', { ...where, pipeline })).toMatchObject({ passed: true });
  expect((await call<{ pins: unknown[] }>('listPins', where)).pins).toEqual(pinned.pins);
  expect((await call<{ pins: { nodeId: string }[] }>('removePin', { ...where, nodeId: 'check' })).pins.map((x) => x.nodeId)).toEqual(['src']);
  const run = await call<{ runId: string; outcome: string }>('run', { pipeline, baseDir: work });
  expect(run.outcome).toBe('succeeded');
  expect(fs.readFileSync(path.join(work, 'out.csv'), 'utf8')).toBe('id,v\n1,a\n3,c\n');
  expect((await call<{ runId: string }[]>('listRuns', {})).map((r) => r.runId)).toContain(run.runId);
  const page = await call<{ total: number; entries: { ruleIds: string[]; sourceLine: number }[] }>('quarantinePage', { runId: run.runId, nodeId: 'check' });
  expect(page.total).toBe(1);
  expect(page.entries[0]).toMatchObject({ ruleIds: ['v_required'], sourceLine: 3 });
  const traced = await call<{ sourceLine: number; origin: { type: string; node: string }; path: { nodeId: string }[] }>('traceRow', { runId: run.runId, nodeId: 'check', row: 1, quarantine: true, pipeline });
  expect(traced).toMatchObject({ sourceLine: 3, origin: { type: 'line', node: 'src' } });
  expect(traced.path.map((n) => n.nodeId)).toEqual(['src', 'check']);
  expect(Array.isArray(await call('samples', {}))).toBe(true);
  // The run store (engine/src/ops) saw the run: history, the pipelines list, trends and the record.
  expect((await call<{ runId: string }[]>('runHistory', {})).map((r) => r.runId)).toContain(run.runId);
  expect((await call<{ name: string }[]>('runPipelines', {})).map((p) => p.name)).toContain(pipeline.name);
  expect((await call<unknown[]>('runTrends', { pipelineName: pipeline.name })).length).toBeGreaterThan(0);
  expect(await call<{ runId: string }>('runRecord', { runId: run.runId })).toMatchObject({ runId: run.runId });
  // Pipeline files in the workspace (browser mode's stand-in for file dialogs).
  expect(await call<{ path: string }>('writeFile', { path: 'p.pipeline.json', text: JSON.stringify(pipeline) })).toMatchObject({ path: 'p.pipeline.json' });
  expect((await call<{ files: { path: string }[] }>('listFiles', {})).files.map((f) => f.path)).toContain('p.pipeline.json');
  // The freshness of the workspace's pipelines (the designer's Open dialog).
  expect((await call<{ file: string }[]>('workspaceStatus', {})).map((r) => r.file)).toContain('p.pipeline.json');
  expect(JSON.parse((await call<{ text: string }>('readFile', { path: 'p.pipeline.json' })).text)).toEqual(pipeline);
  // The started form of a run: answer at once, follow it, and find nothing to cancel once it has ended.
  const { jobId } = await call<{ jobId: string }>('startRun', { pipeline, baseDir: work });
  let status = await call<{ state: string; metrics: unknown[]; manifest?: { outcome: string } }>('runStatus', { jobId });
  for (let i = 0; i < 600 && status.state === 'running'; i++) {
    await pause(50);
    status = await call('runStatus', { jobId });
  }
  expect(status.state).toBe('done');
  expect(status.manifest?.outcome).toBe('succeeded');
  expect(status.metrics).toHaveLength(3);
  expect(await call('cancelRun', { jobId })).toEqual({ cancelled: false });
  // A watch of a "New files" source: one batch, reported, then stopped.
  fs.mkdirSync(path.join(work, 'inbox'), { recursive: true });
  fs.writeFileSync(path.join(work, 'inbox', 'a.csv'), 'id\n1\n');
  const landed = new Date(Date.now() - 60_000);
  fs.utimesSync(path.join(work, 'inbox', 'a.csv'), landed, landed);
  const watched = {
    version: 1,
    name: 'watched',
    nodes: [
      { id: 'inbox', kind: 'source.files', config: { path: 'inbox/*.csv' } },
      { id: 'out', kind: 'sink.csv', config: { path: 'watched.csv', mode: 'append' } },
    ],
    edges: [{ from: { node: 'inbox', port: 'out' }, to: { node: 'out', port: 'in' } }],
  };
  const { watchId } = await call<{ watchId: string }>('watchStart', { pipeline: watched, baseDir: work });
  let w = await call<{ batches: number }>('watchStatus', { watchId });
  for (let i = 0; i < 300 && w.batches === 0; i++) {
    await pause(50);
    w = await call<{ batches: number }>('watchStatus', { watchId });
  }
  expect(w.batches).toBe(1);
  expect(await call('watchStop', { watchId })).toEqual({ stopping: true });
  // Every method of the contract was called: a new method must get its round trip here.
  expect([...seen].sort()).toEqual(Object.keys(engineMethods).sort());
}
