// Retrying transient I/O failures: exponential backoff with jitter under a cap, honouring a server's
// Retry-After. Only failures that a later attempt can fix are retried (timeouts, dropped or refused connections,
// 408/429/5xx, busy files); a 4xx or a data error fails at once, because repeating it cannot succeed.
import * as z from 'zod';
import type { BreakerState, CircuitBreaker } from './breaker.js';

export const retryPolicySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(50).default(5).describe('Attempts per request, the first included (1 = no retry)'),
    baseMs: z.number().int().min(0).max(60_000).default(250).describe('Backoff before the first retry; doubles each attempt'),
    maxMs: z.number().int().min(0).max(600_000).default(15_000).describe('Cap on any one backoff delay'),
    jitter: z.enum(['full', 'decorrelated', 'none']).default('full').describe('Randomizes delays so many clients do not retry in step'),
    maxRetryAfterMs: z.number().int().min(0).max(3_600_000).default(60_000).describe("Longest wait a server's Retry-After may ask for"),
  })
  .prefault({})
  .describe('Retry policy for transient failures');
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const DEFAULT_RETRY: RetryPolicy = retryPolicySchema.parse(undefined);

/** Time as the retry loop sees it; tests pass a fake one so nothing waits for real. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** The largest backoff allowed before retry number `retry` (1-based): base·2^(retry-1), capped. */
export function backoffEnvelope(p: RetryPolicy, retry: number): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.min(retry - 1, 40));
}

/**
 * Delay before retry number `retry`. Full jitter draws in [0, envelope]; decorrelated jitter draws in
 * [base, 3·previous] (then capped), which spreads clients apart faster after a shared outage.
 */
export function backoffDelay(p: RetryPolicy, retry: number, previousMs: number, random: () => number): number {
  const envelope = backoffEnvelope(p, retry);
  switch (p.jitter) {
    case 'none':
      return envelope;
    case 'full':
      return Math.floor(random() * envelope);
    case 'decorrelated': {
      const lo = Math.min(p.baseMs, p.maxMs);
      const hi = Math.max(lo, Math.min(p.maxMs, Math.max(previousMs, p.baseMs) * 3));
      return Math.min(p.maxMs, Math.floor(lo + random() * (hi - lo)));
    }
  }
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before the next attempt: the server's Retry-After when it gave one (capped), else backoff. */
export function retryDelay(p: RetryPolicy, retry: number, previousMs: number, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), p.maxRetryAfterMs);
  return backoffDelay(p, retry, previousMs, random);
}

/** How a failure is to be treated; `label` is what the user sees (e.g. "503", "timeout", "ECONNRESET"). */
export interface FailureClass {
  transient: boolean;
  label: string;
  retryAfterMs?: number;
}

/** An HTTP answer that was not a success. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** A request the breaker refused without sending it. */
export class CircuitOpenError extends Error {
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
    this.name = 'CircuitOpenError';
  }
}

/** An attempt that took longer than its timeout. */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

const TRANSIENT_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);
const TRANSIENT_FS = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT']);

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Network and HTTP failures: which ones a retry may fix. */
export function classifyHttpFailure(e: unknown): FailureClass {
  if (e instanceof HttpStatusError) return { transient: isTransientStatus(e.status), label: String(e.status), ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
  if (e instanceof CircuitOpenError) return { transient: true, label: 'circuit open', retryAfterMs: e.retryInMs };
  if (e instanceof AttemptTimeoutError) return { transient: true, label: 'timeout' };
  const code = errorCode(e);
  if (code && TRANSIENT_NET.has(code)) return { transient: true, label: code };
  // undici reports a peer that closed mid-answer as a bare "fetch failed"/"terminated" without a code.
  if (e instanceof TypeError && /fetch failed|terminated|other side closed/i.test(e.message)) return { transient: true, label: 'connection lost' };
  return { transient: false, label: code ?? (e instanceof Error ? e.name : 'error') };
}

/** File-system failures that clear by themselves (a file briefly locked, too many open files). */
export function classifyFsFailure(e: unknown): FailureClass {
  const code = errorCode(e);
  return { transient: code !== undefined && TRANSIENT_FS.has(code), label: code ?? 'error' };
}

export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  label: string;
}

export interface RetryOptions {
  policy: RetryPolicy;
  classify: (e: unknown) => FailureClass;
  clock?: Clock;
  random?: () => number;
  signal?: AbortSignal;
  breaker?: CircuitBreaker;
  onRetry?: (e: RetryEvent) => void;
  /** Called for every failed attempt (counted in the run record), retried or not. */
  onFailure?: (label: string, breaker: BreakerState | undefined) => void;
}

/** The error of the last attempt, with how many were made; its message says why the retries stopped. */
export class RetriesExhausted extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    /** Attempts that were actually made (the rest were refused by an open circuit). */
    readonly sent: number,
    readonly last: unknown,
  ) {
    super(message);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Run `attempt` until it succeeds, a failure is not transient, or the attempts are used up. With a breaker,
 * a refused attempt does not reach the network; it waits for the breaker's probe time like a Retry-After.
 *
 * A refusal counts as one of this request's attempts only while the service has given no answer since the
 * request last tried: then the open circuit is about a service that looks dead, and failing fast is the point.
 * When other requests did get answers in between (a flaky but living service, several pages in flight), the
 * refusal only makes this request wait its turn, and its attempts are kept for its own failures.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const clock = o.clock ?? realClock;
  const random = o.random ?? Math.random;
  let previous = o.policy.baseMs;
  let sent = 0;
  let n = 0;
  let answersSeen = o.breaker?.successes ?? 0;
  for (;;) {
    if (o.signal?.aborted) throw abortReason(o.signal);
    let error: unknown;
    const permit = o.breaker?.tryAcquire();
    const refused = permit !== undefined && !permit.allowed;
    if (permit && !permit.allowed) {
      error = new CircuitOpenError(`circuit open after ${o.breaker?.consecutiveFailures ?? 0} consecutive failures`, permit.retryInMs);
      if ((o.breaker?.successes ?? 0) === answersSeen) n++;
    } else {
      sent++;
      n++;
      try {
        const value = await attempt(n);
        o.breaker?.onSuccess();
        return value;
      } catch (e) {
        error = e;
        if (o.signal?.aborted) throw e;
      }
    }
    const c = o.classify(error);
    if (!refused) {
      // Only failures of the service count against it; a 4xx says the request was wrong, not the server down.
      if (c.transient) o.breaker?.onFailure();
      else o.breaker?.onSuccess();
      answersSeen = o.breaker?.successes ?? 0;
      o.onFailure?.(c.label, o.breaker?.state());
    }
    if (!c.transient) throw error;
    if (n >= o.policy.maxAttempts) throw new RetriesExhausted(`gave up after ${n} attempt${n > 1 ? 's' : ''}`, n, sent, error);
    const delay = retryDelay(o.policy, Math.max(n, 1), previous, c.retryAfterMs, random);
    previous = Math.max(delay, 1);
    o.onRetry?.({ attempt: Math.max(n, 1), maxAttempts: o.policy.maxAttempts, delayMs: delay, label: c.label });
    await clock.sleep(delay, o.signal);
  }
}
