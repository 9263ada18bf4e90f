// The IPC adapter against the real engine, in plain Node: every method round-trips, bad calls are refused clearly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { channelFor, createIpcDispatcher, type IpcReply } from '@sluice/format/api/ipc';
import { engineMethods, type EngineMethod } from '@sluice/format/api/contract';
import { createEngineService } from '../src/service.js';
import { tmpDir } from './helpers.js';
import { validateChainPipeline, writeValidateChainInput } from './support/validate-chain.js';

const APP = 'app://sluice/index.html';
const work = tmpDir();
writeValidateChainInput(work);
const pipeline = validateChainPipeline('ipc');
const service = createEngineService({ workspaces: [work], fileWorkspace: work });
afterAll(() => service.close());
const logged: unknown[] = [];
const dispatch = createIpcDispatcher(service, { isTrustedSender: (url) => url.startsWith('app://sluice/'), logInternal: (e) => logged.push(e) });

function value<T>(r: IpcReply): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('IPC dispatcher', () => {
  it('round-trips every method of the contract', async () => {
    const seen = new Set<EngineMethod>();
    const call = async <T>(m: EngineMethod, payload: unknown): Promise<T> => {
      seen.add(m);
      return value<T>(await dispatch(channelFor(m), APP, payload));
    };
    const catalog = await call<{ kinds: { kind: string }[] }>('catalog', {});
    expect(catalog.kinds.map((k) => k.kind)).toContain('validate');
    expect(await call<{ ok: boolean }>('validate', { pipeline, baseDir: work })).toEqual({ ok: true, problems: [] });
    const schemas = await call<{ ports: Record<string, Record<string, { name: string }[] | null>> }>('schemas', { pipeline, baseDir: work });
    expect(Object.keys(schemas.ports).sort()).toEqual(pipeline.nodes.map((n) => n.id).sort());
    const preview = await call<{ totalRows: number; quarantineTotal: number }>('preview', { pipeline, nodeId: 'check', baseDir: work });
    expect([preview.totalRows, preview.quarantineTotal]).toEqual([2, 1]);
    const run = await call<{ runId: string; outcome: string }>('run', { pipeline, baseDir: work });
    expect(run.outcome).toBe('succeeded');
    expect(fs.readFileSync(path.join(work, 'out.csv'), 'utf8')).toBe('id,v\n1,a\n3,c\n');
    const runs = await call<{ runId: string }[]>('listRuns', {});
    expect(runs.map((r) => r.runId)).toContain(run.runId);
    const page = await call<{ total: number; entries: { ruleIds: string[]; sourceLine: number }[] }>('quarantinePage', { runId: run.runId, nodeId: 'check' });
    expect(page.total).toBe(1);
    expect(page.entries[0]).toMatchObject({ ruleIds: ['v_required'], sourceLine: 3 });
    await call<unknown[]>('samples', {});
    // The run store (engine/src/ops) saw the run: history, the pipelines list, trends and the record.
    expect((await call<{ runId: string }[]>('runHistory', {})).map((r) => r.runId)).toContain(run.runId);
    expect((await call<{ name: string }[]>('runPipelines', {})).map((p) => p.name)).toContain(pipeline.name);
    expect((await call<unknown[]>('runTrends', { pipelineName: pipeline.name })).length).toBeGreaterThan(0);
    expect(await call<{ runId: string }>('runRecord', { runId: run.runId })).toMatchObject({ runId: run.runId });
    // Pipeline files in the workspace (browser mode's stand-in for file dialogs).
    expect(await call<{ path: string }>('writeFile', { path: 'p.pipeline.json', text: JSON.stringify(pipeline) })).toMatchObject({ path: 'p.pipeline.json' });
    const listed = await call<{ files: { path: string }[] }>('listFiles', {});
    expect(listed.files.map((f) => f.path)).toContain('p.pipeline.json');
    expect(JSON.parse((await call<{ text: string }>('readFile', { path: 'p.pipeline.json' })).text)).toEqual(pipeline);
    // The started form of a run: answer at once, follow it, and find nothing to cancel once it has ended.
    const { jobId } = await call<{ jobId: string }>('startRun', { pipeline, baseDir: work });
    let status = await call<{ state: string; manifest?: { outcome: string } }>('runStatus', { jobId });
    for (let i = 0; i < 300 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await call<{ state: string; manifest?: { outcome: string } }>('runStatus', { jobId });
    }
    expect(status.state).toBe('done');
    expect(status.manifest?.outcome).toBe('succeeded');
    expect(await call<{ cancelled: boolean }>('cancelRun', { jobId })).toEqual({ cancelled: false });
    // A watch (micro-batches of a "New files" source): it runs a batch, reports it, and stops when asked.
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
      await new Promise((r) => setTimeout(r, 50));
      w = await call<{ batches: number }>('watchStatus', { watchId });
    }
    expect(w.batches).toBe(1);
    expect(await call<{ stopping: boolean }>('watchStop', { watchId })).toEqual({ stopping: true });
    expect([...seen].sort()).toEqual(Object.keys(engineMethods).sort());
  });

  it('refuses untrusted senders, unknown channels and bad arguments with clear messages', async () => {
    const fromWeb = await dispatch(channelFor('catalog'), 'https://evil.example/', {});
    expect(fromWeb).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await dispatch('sluice:constructor', APP, {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatch('other:catalog', APP, {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await dispatch(channelFor('preview'), APP, { pipeline, nodeId: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(bad.ok ? '' : bad.error.message).toMatch(/^Invalid input for preview: nodeId: /);
  });

  it('refuses malformed arguments for every method of the contract, naming the method', async () => {
    for (const m of Object.keys(engineMethods) as EngineMethod[]) {
      const r = await dispatch(channelFor(m), APP, ['not', 'an', 'object']);
      expect(r, m).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(r.ok ? '' : r.error.message).toMatch(new RegExp(`^Invalid input for ${m}: `));
    }
  });

  it('returns the problems of an invalid pipeline and user mistakes as messages, never stacks', async () => {
    const broken = { ...pipeline, nodes: pipeline.nodes.map((n) => (n.id === 'check' ? { ...n, kind: 'nope' } : n)) };
    const r = await dispatch(channelFor('preview'), APP, { pipeline: broken, nodeId: 'src', baseDir: work });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_pipeline' } });
    expect(r.ok ? [] : r.error.problems?.map((p) => p.message)).toContain('unknown node kind "nope"');
    const outside = await dispatch(channelFor('run'), APP, { pipeline, baseDir: '/etc' });
    expect(outside).toMatchObject({ ok: false, error: { code: 'user_error' } });
    expect(outside.ok ? '' : outside.error.message).toMatch(/outside the workspace/);
    expect(JSON.stringify([r, outside])).not.toMatch(/\n\s+at /);
    expect(logged).toEqual([]);
  });
});
