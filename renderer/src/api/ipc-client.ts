// EngineApi over Electron IPC: the preload's `window.sluice` bridge carries each call to the main process,
// which validates it against the contract. Same interface and EngineError semantics as the HTTP client.
import { engineMethods, type EngineApi, type EngineMethod, type MethodInput, type MethodOutput } from '@sluice/format/api/contract';
import { httpStatusOf } from '@sluice/format/api/errors';
import type { SluiceBridge } from '@sluice/shell/bridge';
import { EngineError } from './client';

/** The desktop shell's bridge, when this page runs inside it. */
export function shellBridge(): SluiceBridge | undefined {
  return (globalThis as { sluice?: SluiceBridge }).sluice;
}


export function createIpcClient(bridge: SluiceBridge): EngineApi {
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
  return Object.fromEntries((Object.keys(engineMethods) as EngineMethod[]).map((m) => [m, (input: MethodInput<typeof m>) => call(m, input)])) as EngineApi;
}
