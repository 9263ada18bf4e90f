// The IPC client over the real dispatcher (format/src/api/ipc.ts) and a scripted engine: same EngineApi, same
// EngineError semantics as the HTTP client.
import { describe, expect, it } from 'vitest';
import { engineMethods, type EngineApi } from '@sluice/format/api/contract';
import { channelFor, createIpcDispatcher } from '@sluice/format/api/ipc';
import { InvalidPipeline, UserError } from '@sluice/format/api/errors';
import type { SluiceBridge } from '@sluice/shell/bridge';
import { EngineError } from './client';
import { createIpcClient, shellBridge } from './ipc-client';

const validation = { ok: false, problems: [{ path: 'nodes[1].kind', nodeId: 'b', field: 'kind', message: 'unknown node kind "x"' }] };

function bridgeOver(engine: Partial<EngineApi>, senderUrl = 'app://sluice/index.html'): SluiceBridge {
  const dispatch = createIpcDispatcher(engine as EngineApi, { isTrustedSender: (u) => u.startsWith('app://sluice/') });
  return {
    engine: {
      methods: Object.keys(engineMethods),
      // Structured clone, as Electron's IPC copies values.
      invoke: async (method: string, input: unknown) => structuredClone(await dispatch(channelFor(method as keyof typeof engineMethods), senderUrl, structuredClone(input))),
    },
  } as unknown as SluiceBridge;
}

async function failure(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('the IPC engine client', () => {
  it('offers every contract method and returns checked answers', async () => {
    const api = createIpcClient(bridgeOver({ validate: async () => validation }));
    expect(Object.keys(api).sort()).toEqual(Object.keys(engineMethods).sort());
    expect(await api.validate({ pipeline: {} })).toEqual(validation);
  });

  it('throws EngineError with the engine’s code, message, problems and an HTTP-like status', async () => {
    const invalid = new InvalidPipeline(validation.problems);
    const api = createIpcClient(bridgeOver({ preview: async () => Promise.reject(invalid), run: async () => Promise.reject(new UserError('folder /etc is outside the workspace')) }));
    const e1 = await failure(api.preview({ pipeline: {}, nodeId: 'a' }));
    expect([e1.code, e1.status, e1.message, e1.problems]).toEqual(['invalid_pipeline', 422, 'unknown node kind "x"', validation.problems]);
    const e2 = await failure(api.run({ pipeline: {}, baseDir: '/etc' }));
    expect([e2.code, e2.status, e2.message]).toEqual(['user_error', 422, 'folder /etc is outside the workspace']);
    const e3 = await failure(api.preview({ pipeline: {}, nodeId: 7 as unknown as string }));
    expect([e3.code, e3.status]).toEqual(['bad_request', 400]);
    expect(e3.message).toMatch(/^Invalid input for preview: nodeId: /);
  });

  it('says the engine is unreachable when the bridge fails, and refuses answers outside the contract', async () => {
    const broken = { engine: { methods: [], invoke: () => Promise.reject(new Error('channel closed')) } } as unknown as SluiceBridge;
    const e = await failure(createIpcClient(broken).catalog({}));
    expect([e.code, e.status, e.message]).toEqual(['unreachable', 0, "Can't reach the Sluice engine: channel closed"]);
    const lying = { engine: { methods: [], invoke: async () => ({ ok: true, value: { engineVersion: 1 } }) } } as unknown as SluiceBridge;
    expect((await failure(createIpcClient(lying).catalog({}))).code).toBe('bad_response');
  });

  it('is used only where the preload put a bridge on the page', () => {
    expect(shellBridge()).toBeUndefined();
    const g = globalThis as { sluice?: unknown };
    g.sluice = bridgeOver({});
    try {
      expect(shellBridge()).toBe(g.sluice);
    } finally {
      delete g.sluice;
    }
  });
});
