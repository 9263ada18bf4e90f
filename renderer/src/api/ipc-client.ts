// EngineApi over Electron IPC: the preload's `window.sluice` bridge carries each call to the main process,
// which validates it against the contract. Same interface and EngineError semantics as the HTTP client.
import { engineMethods, runJobStatusSchema, type EngineApi, type EngineMethod, type EngineStreams, type MethodInput, type MethodOutput } from '@sluice/format/api/contract';
import { httpStatusOf } from '@sluice/format/api/errors';
import type { SluiceBridge } from '@sluice/shell/bridge';
import { EngineError } from './client';

/** The desktop shell's bridge, when this page runs inside it. */
export function shellBridge(): SluiceBridge | undefined {
  return (globalThis as { sluice?: SluiceBridge }).sluice;
}


export function createIpcClient(bridge: SluiceBridge): EngineApi & Partial<EngineStreams> {
  async function call<M extends EngineMethod>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    let reply: Awaited<ReturnType<SluiceBridge['engine']['invoke']>>;
    try {
      reply = await bridge.engine.invoke(method, input);
    } catch (err) {
      throw new EngineError('unreachable', `Can't reach the Sluice engine: ${err instanceof Error ? err.message : String(err)}`, 0);
    }
    // The HTTP-like status of the code, so callers that look at `status` behave as with the HTTP client.
    if (!reply.ok) throw new EngineError(reply.error.code, reply.error.message, httpStatusOf(reply.error.code), reply.error.problems ?? []);
    // Checked here too: a window built against another engine version should fail loudly, not render garbage.
    const out = engineMethods[method].output.safeParse(reply.value);
    if (!out.success) throw new EngineError('bad_response', `The engine's answer to ${method} does not match this designer's contract.`, 200);
    return out.data as MethodOutput<M>;
  }
  // Built from the contract's table, like the shell's channels, so new methods need no change here.
  const api: EngineApi & Partial<EngineStreams> = Object.fromEntries((Object.keys(engineMethods) as EngineMethod[]).map((m) => [m, (input: MethodInput<typeof m>) => call(m, input)])) as EngineApi;
  const follow = bridge.engine.followRun?.bind(bridge.engine);
  if (!follow) return api;
  // The shell pushes a run's statuses over its event channel; each is checked against the contract here too.
  const followRun: EngineStreams['followRun'] = (jobId, onStatus, onError) => {
    let stop = (): void => undefined;
    stop = follow(jobId, (raw) => {
      const status = runJobStatusSchema.safeParse(raw);
      if (status.success) onStatus(status.data);
      else {
        stop();
        onError?.(new EngineError('bad_response', "The engine's run status does not match this designer's contract.", 200));
      }
    });
    return () => stop();
  };
  api.followRun = followRun;
  return api;
}
