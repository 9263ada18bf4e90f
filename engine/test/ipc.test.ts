// The IPC adapter against the real engine, in plain Node: every method round-trips, bad calls are refused clearly.
import { afterAll, describe, expect, it } from 'vitest';
import { channelFor, createIpcDispatcher, type IpcReply } from '@sluice/format/api/ipc';
import { engineMethods, type EngineMethod } from '@sluice/format/api/contract';
import { createEngineService } from '../src/service.js';
import { tmpDir } from './helpers.js';
import { validateChainPipeline, writeValidateChainInput } from './support/validate-chain.js';
import { roundTripEveryMethod } from './support/round-trip.js';

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
    await roundTripEveryMethod(async (m, payload) => value(await dispatch(channelFor(m), APP, payload)), pipeline, work);
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
