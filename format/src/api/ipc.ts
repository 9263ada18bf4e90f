// The EngineApi over Electron IPC, without Electron: the main process hands every `invoke` to this dispatcher,
// which refuses unknown channels and untrusted senders, checks arguments and results against the contract's
// schemas, and turns errors into a user-facing body (never a stack). Pure, so it is tested in plain Node.
import { engineMethods, type EngineApi, type EngineErrorBody, type EngineMethod } from './contract.js';
import { invalidInput, isUserFacing, toErrorBody } from './errors.js';

export const IPC_PREFIX = 'sluice:';

export function channelFor(method: EngineMethod): string {
  return `${IPC_PREFIX}${method}`;
}

export type IpcReply = { ok: true; value: unknown } | ({ ok: false } & EngineErrorBody);

export interface IpcDispatcherOptions {
  /** Whether a message comes from the app's own page (its frame URL); anything else is refused. */
  isTrustedSender(senderUrl: string): boolean;
  /** Where internal faults are logged (their detail stays out of the reply). */
  logInternal?(err: unknown): void;
}

function methodOf(channel: string): EngineMethod | undefined {
  if (!channel.startsWith(IPC_PREFIX)) return undefined;
  const name = channel.slice(IPC_PREFIX.length);
  return Object.hasOwn(engineMethods, name) ? (name as EngineMethod) : undefined;
}

function fail(code: string, message: string, problems?: EngineErrorBody['error']['problems']): IpcReply {
  return { ok: false, error: { code, message, ...(problems ? { problems } : {}) } };
}

export function createIpcDispatcher(api: EngineApi, opts: IpcDispatcherOptions) {
  return async (channel: string, senderUrl: string, payload: unknown): Promise<IpcReply> => {
    if (!opts.isTrustedSender(senderUrl)) return fail('forbidden', 'this window may not use the engine');
    const method = methodOf(channel);
    if (!method) return fail('not_found', `unknown engine method on channel "${channel}"`);
    const spec = engineMethods[method];
    const input = spec.input.safeParse(payload ?? {});
    if (!input.success) return { ok: false, ...toErrorBody(invalidInput(method, input.error)) };
    try {
      const call = api[method] as (i: unknown) => Promise<unknown>;
      const value = await call.call(api, input.data);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        opts.logInternal?.(new Error(`engine answered ${method} outside the contract: ${checked.error.message}`));
        return fail('internal', `the engine answered ${method} in an unexpected form`);
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      if (!isUserFacing(err)) opts.logInternal?.(err);
      return { ok: false, ...toErrorBody(err, method) };
    }
  };
}
