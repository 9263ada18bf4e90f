// The link between the main process and the engine's own process (an Electron utilityProcess): calls go over
// as messages, answers and errors come back. The engine's user-facing errors (an invalid pipeline with its
// problems, a user mistake) keep their kind across the process boundary, so the IPC dispatcher in main answers
// them exactly as it would in-process. Pure, tested in Node with the real engine on both ends of a fake port.
import type { EngineApi, EngineErrorBody, EngineMethod, EngineStreams, RunJobStatus } from '@sluice/format/api/contract';
import { ERROR_CODES, InternalError, faultDetail, fromErrorBody, isUserFacing, toErrorBody } from '@sluice/format/api/errors';
import { ENGINE_METHODS } from './bridge.js';

export type HostRequest =
  | { kind: 'call'; id: number; method: EngineMethod; input: unknown }
  | { kind: 'allow'; dir: string }
  /** Push this started run's status as it changes (EngineStreams.followRun), until it ends. */
  | { kind: 'follow'; jobId: string };

export type HostReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

/** A pushed status of a followed run (no id: nobody waits for it as an answer). */
export type HostPush = { kind: 'run-status'; jobId: string; status: RunJobStatus };

/** Everything the engine process posts to main. */
export type HostMessage = HostReply | HostPush;

/** The contract's error body, plus an internal fault's stack for main's log (never shown to the user). */
export interface SerializedError {
  body: EngineErrorBody['error'];
  detail?: string;
}

export function serializeError(err: unknown, call?: string): SerializedError {
  return { body: toErrorBody(err, call).error, ...(isUserFacing(err) ? {} : { detail: faultDetail(err) }) };
}

/** The error as the engine raised it (same class, code and place); an internal fault keeps its stack as `detail`. */
export function reviveError(e: SerializedError): Error {
  const err = fromErrorBody({ error: e.body });
  if (err instanceof InternalError && e.detail !== undefined) return new InternalError(err.message, Object.assign(new Error(e.detail), { stack: e.detail }));
  return err;
}

/** The engine's side: answers one request with the service (requests were already checked by main). */
export async function answer(service: EngineApi & Partial<EngineStreams> & { allowWorkspace(dir: string): void }, req: HostRequest, push?: (message: HostPush) => void): Promise<HostReply | undefined> {
  if (req.kind === 'allow') {
    service.allowWorkspace(req.dir);
    return undefined;
  }
  if (req.kind === 'follow') {
    // An unknown or long-finished run pushes nothing; the window falls back to asking runStatus.
    try {
      service.followRun?.(req.jobId, (status) => push?.({ kind: 'run-status', jobId: req.jobId, status }));
    } catch {
      // Nothing to follow.
    }
    return undefined;
  }
  if (!ENGINE_METHODS.includes(req.method)) {
    return { id: req.id, ok: false, error: serializeError(new InternalError(`no engine method ${String(req.method)}`)) };
  }
  try {
    const fn = service[req.method] as (input: unknown) => Promise<unknown>;
    return { id: req.id, ok: true, value: await fn.call(service, req.input) };
  } catch (err) {
    return { id: req.id, ok: false, error: serializeError(err, req.method) };
  }
}

export interface RemoteEngine {
  api: EngineApi;
  /** Feed every message from the engine process here. */
  receive(message: HostMessage): void;
  /** The engine process ended: every call still waiting fails (the next call goes to its replacement). */
  failPending(reason: string): void;
  allowWorkspace(dir: string): void;
  /** Statuses the engine process pushes for a started run (asked for once per follower). */
  followRun: EngineStreams['followRun'];
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
  const followers = new Map<string, Set<(s: RunJobStatus) => void>>();
  return {
    api,
    followRun(jobId, onStatus) {
      const set = followers.get(jobId) ?? new Set();
      followers.set(jobId, set);
      set.add(onStatus);
      post({ kind: 'follow', jobId });
      return () => {
        set.delete(onStatus);
        if (set.size === 0) followers.delete(jobId);
      };
    },
    receive(message) {
      if ('kind' in message) {
        for (const f of followers.get(message.jobId) ?? []) f(message.status);
        if (message.status.state !== 'running') followers.delete(message.jobId);
        return;
      }
      const reply = message;
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
        p.reject(reviveError({ body: { code: ERROR_CODES.engineStopped, message: reason } }));
      }
    },
    allowWorkspace(dir) {
      post({ kind: 'allow', dir });
    },
  };
}
