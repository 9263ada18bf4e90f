// The link between the main process and the engine's own process (an Electron utilityProcess): calls go over
// as messages, answers and errors come back. The engine's user-facing errors (an invalid pipeline with its
// problems, a user mistake) keep their kind across the process boundary, so the IPC dispatcher in main answers
// them exactly as it would in-process. Pure, tested in Node with the real engine on both ends of a fake port.
import type { EngineApi, EngineMethod } from '../engine/src/api/contract.js';
import { ENGINE_METHODS } from './bridge.js';

export type HostRequest = { kind: 'call'; id: number; method: EngineMethod; input: unknown } | { kind: 'allow'; dir: string };

export type HostReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  problems?: unknown;
}

/** Only the engine's user-facing error kinds carry their message over; anything else stays an internal fault. */
const USER_FACING = new Set(['InvalidPipeline', 'UserError']);

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error && USER_FACING.has(err.name)) {
    return { name: err.name, message: err.message, ...('problems' in err ? { problems: err.problems } : {}) };
  }
  return { name: 'InternalError', message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

export function reviveError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.problems !== undefined) Object.assign(err, { problems: e.problems });
  return err;
}

/** The engine's side: answers one request with the service (requests were already checked by main). */
export async function answer(service: EngineApi & { allowWorkspace(dir: string): void }, req: HostRequest): Promise<HostReply | undefined> {
  if (req.kind === 'allow') {
    service.allowWorkspace(req.dir);
    return undefined;
  }
  if (!ENGINE_METHODS.includes(req.method)) {
    return { id: req.id, ok: false, error: { name: 'InternalError', message: `no engine method ${String(req.method)}` } };
  }
  try {
    const fn = service[req.method] as (input: unknown) => Promise<unknown>;
    return { id: req.id, ok: true, value: await fn.call(service, req.input) };
  } catch (err) {
    return { id: req.id, ok: false, error: serializeError(err) };
  }
}

export interface RemoteEngine {
  api: EngineApi;
  /** Feed every message from the engine process here. */
  receive(reply: HostReply): void;
  /** The engine process ended: every call still waiting fails (the next call goes to its replacement). */
  failPending(reason: string): void;
  allowWorkspace(dir: string): void;
}

/** Main's side: an EngineApi whose calls are messages to the engine process. */
export function createRemoteEngine(post: (req: HostRequest) => void): RemoteEngine {
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const call = (method: EngineMethod) => (input: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      try {
        post({ kind: 'call', id, method, input });
      } catch (err) {
        pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  // Built from the contract's table, so new methods are forwarded without changes here.
  const api = Object.fromEntries(ENGINE_METHODS.map((m) => [m, call(m)])) as unknown as EngineApi;
  return {
    api,
    receive(reply) {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(reviveError(reply.error));
    },
    failPending(reason) {
      for (const [id, p] of pending) {
        pending.delete(id);
        // Said to the user as is: a crash inside DuckDB is not a fault of the designer, and retrying is the fix.
        p.reject(reviveError({ name: 'UserError', message: reason }));
      }
    },
    allowWorkspace(dir) {
      post({ kind: 'allow', dir });
    },
  };
}
