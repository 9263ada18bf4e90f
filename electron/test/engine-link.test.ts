// Main's half of the engine link (the IPC dispatcher over a remote EngineApi) against the engine's half (the real
// service), joined by an in-memory port that copies each message as structured clone would. No Electron needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { channelFor, createIpcDispatcher, type IpcReply } from '@sluice/format/api/ipc';
import { engineMethods } from '@sluice/format/api/contract';
import { createEngineService } from '@sluice/engine/service';
import { tmpDir } from '@sluice/engine/test/helpers';
import { validateChainPipeline, writeValidateChainInput } from '@sluice/engine/test/support/validate-chain';
import { roundTripEveryMethod } from '@sluice/engine/test/support/round-trip';
import { ENGINE_CHANNELS, ENGINE_METHODS } from '../bridge.js';
import { answer, createRemoteEngine, serializeError, type HostReply, type HostRequest } from '../engine-link.js';
import { isTrustedSender } from '../security.js';

const APP = 'app://sluice/index.html';
const work = tmpDir();
const elsewhere = tmpDir();
writeValidateChainInput(work);
fs.writeFileSync(path.join(elsewhere, 'in.csv'), 'id,v\n1,a\n');
const pipeline = validateChainPipeline('link');

const service = createEngineService({ workspaces: [work], inProcessRuns: true, fileWorkspace: work });
afterAll(() => service.close());
const posted: HostRequest[] = [];
const remote = createRemoteEngine((req) => {
  const copy = structuredClone(req);
  posted.push(copy);
  // The engine answers asynchronously, as over a real port.
  void answer(service, copy, (pushed) => setTimeout(() => remote.receive(structuredClone(pushed)), 0)).then((reply) => reply && setTimeout(() => remote.receive(structuredClone(reply) as HostReply), 0));
});
const logged: unknown[] = [];
const dispatch = createIpcDispatcher(remote.api, { isTrustedSender, logInternal: (e) => logged.push(e) });

function value<T>(r: IpcReply): T {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('the engine link between main and the engine process', () => {
  it('carries a started run\'s pushed statuses to main, ending with the finished one', async () => {
    const { jobId } = value<{ jobId: string }>(await dispatch('sluice:startRun', APP, { pipeline, baseDir: work }));
    const states = await new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      remote.followRun(jobId, (s) => {
        seen.push(s.state);
        if (s.state !== 'running') resolve(seen);
      });
    });
    expect(posted).toContainEqual({ kind: 'follow', jobId });
    expect(states.at(-1)).toBe('done');
    expect(states.slice(0, -1).every((s) => s === 'running')).toBe(true);
  });

  it('has one channel per contract method, and a remote method for each', () => {
    expect([...ENGINE_METHODS].sort()).toEqual(Object.keys(engineMethods).sort());
    expect(ENGINE_CHANNELS).toEqual(ENGINE_METHODS.map((m) => channelFor(m)));
    for (const m of ENGINE_METHODS) expect(typeof remote.api[m]).toBe('function');
  });

  it('round-trips every method through the dispatcher, the link and the real engine', async () => {
    await roundTripEveryMethod(async (m, payload) => value(await dispatch(channelFor(m), APP, payload)), pipeline, work);
    expect(logged).toEqual([]);
  });

  it('checks arguments in main, before anything reaches the engine process', async () => {
    const before = posted.length;
    for (const m of ENGINE_METHODS) {
      const r = await dispatch(channelFor(m), APP, 'not an object');
      expect(r, m).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(r.ok ? '' : r.error.message).toMatch(new RegExp(`^Invalid input for ${m}: `));
    }
    expect(await dispatch(channelFor('catalog'), 'file:///tmp/evil.html', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(posted.length).toBe(before);
  });

  it('keeps the kind of user-facing errors across the process boundary', async () => {
    const broken = { ...pipeline, nodes: pipeline.nodes.map((n) => (n.id === 'check' ? { ...n, kind: 'nope' } : n)) };
    const r = await dispatch(channelFor('preview'), APP, { pipeline: broken, nodeId: 'src', baseDir: work });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_pipeline' } });
    expect(r.ok ? [] : r.error.problems?.map((p) => p.message)).toContain('unknown node kind "nope"');
    const outside = await dispatch(channelFor('run'), APP, { pipeline, baseDir: elsewhere });
    expect(outside).toMatchObject({ ok: false, error: { code: 'user_error' } });
    expect(outside.ok ? '' : outside.error.message).toMatch(/outside the workspace/);
  });

  it('lets pipelines run in a folder once the user opened a file there', async () => {
    remote.allowWorkspace(elsewhere);
    await new Promise((r) => setTimeout(r, 10));
    const r = await dispatch(channelFor('preview'), APP, { pipeline, nodeId: 'src', baseDir: elsewhere });
    expect(value<{ totalRows: number }>(r).totalRows).toBe(1);
  });

  it('turns an engine crash into a clear error for the calls in flight, and internal faults into no detail', async () => {
    const stuck = createRemoteEngine(() => undefined);
    const d = createIpcDispatcher(stuck.api, { isTrustedSender });
    const pending = d(channelFor('catalog'), APP, {});
    stuck.failPending('the engine process stopped unexpectedly (exit code 3); try again');
    expect(await pending).toEqual({ ok: false, error: { code: 'engine_stopped', message: 'the engine process stopped unexpectedly (exit code 3); try again' } });

    const internal = serializeError(new TypeError('x is undefined'), 'catalog');
    expect(internal.body).toEqual({ code: 'internal', message: 'catalog failed inside the engine' });
    expect(internal.detail).toMatch(/^TypeError: x is undefined\n\s+at /);
    const faulty = createRemoteEngine((req) => req.kind === 'call' && setTimeout(() => faulty.receive({ id: req.id, ok: false, error: internal }), 0));
    const seen: unknown[] = [];
    const r = await createIpcDispatcher(faulty.api, { isTrustedSender, logInternal: (e) => seen.push(e) })(channelFor('catalog'), APP, {});
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'catalog failed inside the engine' } });
    expect(seen).toHaveLength(1);
    // Main's log gets the engine process's stack, which the reply never carries.
    expect(String((seen[0] as Error).cause instanceof Error ? ((seen[0] as Error).cause as Error).stack : '')).toMatch(/TypeError: x is undefined/);
  });
});
