// Retry policy, circuit breaker and rate limiter with a fake clock (nothing waits for real), plus fast-check
// properties: backoff stays under its cap envelope, Retry-After is honoured up to its cap, and a half-open
// breaker never lets more than one probe through. SLUICE_PROPERTY_RUNS sets the runs (default 1000).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, breakerPolicySchema } from '../src/sources/rest/breaker.js';
import {
  DEFAULT_RETRY,
  HttpStatusError,
  RetriesExhausted,
  backoffDelay,
  backoffEnvelope,
  classifyFsFailure,
  classifyHttpFailure,
  parseRetryAfter,
  retryDelay,
  retryPolicySchema,
  withRetry,
  type Clock,
  type RetryPolicy,
} from '../src/sources/rest/retry.js';
import { RateLimiter } from '../src/sources/rest/http.js';

const RUNS = Number(process.env['SLUICE_PROPERTY_RUNS'] ?? 1000);

class FakeClock implements Clock {
  t = 1_000_000;
  slept: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.t += ms;
  }
}

const policy = (p: Partial<RetryPolicy> = {}): RetryPolicy => retryPolicySchema.parse({ baseMs: 100, maxMs: 1000, jitter: 'none', ...p });
const codeError = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

/** An operation that fails with the given errors in turn, then answers "ok". */
function failing(errors: unknown[]): { op: () => Promise<string>; calls: () => number } {
  let n = 0;
  return {
    op: async () => {
      const e = errors[n++];
      if (e !== undefined) throw e;
      return 'ok';
    },
    calls: () => n,
  };
}

describe('retry policy', () => {
  it('has defaults usable in any I/O node config', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 5, baseMs: 250, maxMs: 15_000, jitter: 'full', maxRetryAfterMs: 60_000 });
    expect(retryPolicySchema.parse({ maxAttempts: 2 })).toMatchObject({ maxAttempts: 2, baseMs: 250 });
    expect(retryPolicySchema.safeParse({ maxAttempts: 0 }).success).toBe(false);
    expect(retryPolicySchema.safeParse({ retries: 3 }).success).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('retries transient failures with exponential backoff, then succeeds', async () => {
    const clock = new FakeClock();
    const f = failing([new HttpStatusError(503, undefined, '503'), codeError('ECONNRESET'), new HttpStatusError(502, undefined, '502')]);
    const events: string[] = [];
    const v = await withRetry(f.op, { policy: policy(), classify: classifyHttpFailure, clock, onRetry: (e) => events.push(`${e.attempt}/${e.maxAttempts} ${e.delayMs} ${e.label}`) });
    expect(v).toBe('ok');
    expect(f.calls()).toBe(4);
    expect(clock.slept).toEqual([100, 200, 400]);
    expect(events).toEqual(['1/5 100 503', '2/5 200 ECONNRESET', '3/5 400 502']);
  });

  it('never retries a 4xx other than 408/429, nor a data error', async () => {
    for (const e of [new HttpStatusError(404, undefined, '404'), new HttpStatusError(400, undefined, '400'), new HttpStatusError(401, undefined, '401'), new SyntaxError('bad JSON'), codeError('ENOENT')]) {
      const clock = new FakeClock();
      const f = failing([e]);
      await expect(withRetry(f.op, { policy: policy(), classify: classifyHttpFailure, clock })).rejects.toBe(e);
      expect(f.calls()).toBe(1);
      expect(clock.slept).toEqual([]);
    }
    for (const status of [408, 429, 500, 503, 504]) expect(classifyHttpFailure(new HttpStatusError(status, undefined, '')).transient).toBe(true);
  });

  it('recognises dropped connections and timeouts reported by fetch', () => {
    expect(classifyHttpFailure(Object.assign(new TypeError('fetch failed'), { cause: codeError('ECONNREFUSED') }))).toEqual({ transient: true, label: 'ECONNREFUSED' });
    expect(classifyHttpFailure(new TypeError('fetch failed'))).toEqual({ transient: true, label: 'connection lost' });
    expect(classifyHttpFailure(Object.assign(new Error('x'), { cause: codeError('UND_ERR_SOCKET') })).transient).toBe(true);
    expect(classifyHttpFailure(new TypeError('Invalid header value')).transient).toBe(false);
  });

  it('honours Retry-After, capped', async () => {
    const clock = new FakeClock();
    const f = failing([new HttpStatusError(429, 3000, '429'), new HttpStatusError(503, 120_000, '503')]);
    await withRetry(f.op, { policy: policy({ maxRetryAfterMs: 10_000 }), classify: classifyHttpFailure, clock });
    expect(clock.slept).toEqual([3000, 10_000]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const clock = new FakeClock();
    const last = new HttpStatusError(503, undefined, 'last');
    const f = failing([new HttpStatusError(503, undefined, '1'), new HttpStatusError(503, undefined, '2'), last]);
    const err = await withRetry(f.op, { policy: policy({ maxAttempts: 3 }), classify: classifyHttpFailure, clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect(err).toMatchObject({ attempts: 3, sent: 3, last, message: 'gave up after 3 attempts' });
    expect(clock.slept).toEqual([100, 200]);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const f = failing([new HttpStatusError(503, undefined, '503')]);
    const pending = withRetry(f.op, { policy: policy({ baseMs: 60_000, maxMs: 60_000 }), classify: classifyHttpFailure, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopped')), 5);
    await expect(pending).rejects.toThrow('stopped');
  });

  it('file-system errors: busy files are retried, missing files are not', () => {
    expect(classifyFsFailure(codeError('EBUSY')).transient).toBe(true);
    expect(classifyFsFailure(codeError('EMFILE')).transient).toBe(true);
    expect(classifyFsFailure(codeError('ENOENT')).transient).toBe(false);
    expect(classifyFsFailure(codeError('ENOSPC')).transient).toBe(false);
  });

  it('a rate limit spaces requests 1/rps apart', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(10, clock);
    for (let i = 0; i < 5; i++) await limiter.acquire();
    expect(clock.slept).toEqual([100, 100, 100, 100]);
    const free = new FakeClock();
    for (let i = 0; i < 5; i++) await new RateLimiter(undefined, free).acquire();
    expect(free.slept).toEqual([]);
  });
});

describe('circuit breaker', () => {
  const make = (k = 3, coolDownMs = 1000) => {
    const clock = new FakeClock();
    return { clock, b: new CircuitBreaker(breakerPolicySchema.parse({ failureThreshold: k, coolDownMs }), clock) };
  };

  it('opens after K consecutive failures and fails fast until the cool-down ends', () => {
    const { clock, b } = make();
    b.onFailure();
    b.onFailure();
    expect(b.state()).toBe('closed');
    expect(b.tryAcquire()).toEqual({ allowed: true });
    b.onFailure();
    expect(b.state()).toBe('open');
    expect(b.tryAcquire()).toEqual({ allowed: false, retryInMs: 1000 });
    clock.t += 400;
    expect(b.tryAcquire()).toEqual({ allowed: false, retryInMs: 600 });
    expect(b.opens).toBe(1);
  });

  it('a success in between resets the count: failures must be consecutive', () => {
    const { b } = make();
    for (let i = 0; i < 10; i++) {
      b.onFailure();
      b.onFailure();
      b.onSuccess();
    }
    expect(b.state()).toBe('closed');
  });

  it('after the cool-down lets exactly one probe through; its success closes the circuit', () => {
    const { clock, b } = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.t += 1000;
    expect(b.tryAcquire()).toEqual({ allowed: true });
    expect(b.state()).toBe('half-open');
    expect(b.tryAcquire().allowed).toBe(false);
    expect(b.tryAcquire().allowed).toBe(false);
    b.onSuccess();
    expect(b.state()).toBe('closed');
    expect(b.tryAcquire().allowed).toBe(true);
    expect(b.tryAcquire().allowed).toBe(true);
  });

  it('a failed probe opens the circuit again for a full cool-down', () => {
    const { clock, b } = make();
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.t += 1500;
    expect(b.tryAcquire().allowed).toBe(true);
    b.onFailure();
    expect(b.state()).toBe('open');
    expect(b.tryAcquire()).toEqual({ allowed: false, retryInMs: 1000 });
    expect(b.opens).toBe(2);
  });

  it('withRetry: an open circuit refuses attempts without running them', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 10_000 }, clock);
    const f = failing(Array.from({ length: 10 }, () => new HttpStatusError(503, undefined, '503')));
    const err = await withRetry(f.op, { policy: policy({ maxAttempts: 5, maxRetryAfterMs: 1000 }), classify: classifyHttpFailure, clock, breaker: b }).catch((e: unknown) => e);
    expect(f.calls()).toBe(2);
    expect(err).toMatchObject({ attempts: 5, sent: 2 });
    expect(b.state()).toBe('open');
  });
});

describe('several requests sharing one breaker', () => {
  it('a refusal caused by other requests, while the service still answers some, does not use up this request\'s attempts', async () => {
    const b = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 500 }, { now: () => clock.now() });
    // While this request waits for its retry, another one gets an answer, then two more fail: the circuit opens
    // on failures that are not this request's.
    let others = true;
    const clock = new (class extends FakeClock {
      override async sleep(ms: number): Promise<void> {
        await super.sleep(ms);
        if (others) {
          others = false;
          b.onSuccess();
          b.onFailure();
          b.onFailure();
        }
      }
    })();
    const f = failing([new HttpStatusError(503, undefined, '503')]);
    const retried: string[] = [];
    const value = await withRetry(f.op, {
      policy: policy({ maxAttempts: 2, maxRetryAfterMs: 1000 }),
      classify: classifyHttpFailure,
      clock,
      breaker: b,
      onRetry: (e) => retried.push(`${e.attempt}:${e.label}`),
    });
    expect(value).toBe('ok');
    expect(f.calls()).toBe(2);
    // One real failure, then a refusal until the probe window: the probe is this request's second attempt.
    expect(retried).toEqual(['1:503', '1:circuit open']);
    expect(b.state()).toBe('closed');
  });

  it('with no answer since it last tried, a refusal counts: a dead service still fails fast', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 60_000 }, clock);
    const f = failing(Array.from({ length: 10 }, () => new HttpStatusError(503, undefined, '503')));
    const err = await withRetry(f.op, { policy: policy({ maxAttempts: 4, maxRetryAfterMs: 10 }), classify: classifyHttpFailure, clock, breaker: b }).catch((e: unknown) => e);
    expect(err).toMatchObject({ attempts: 4, sent: 1 });
    expect(clock.slept.reduce((a, x) => a + x, 0)).toBeLessThan(1000);
  });
});

describe('properties', () => {
  const policyArb = fc.record({
    maxAttempts: fc.integer({ min: 1, max: 20 }),
    baseMs: fc.integer({ min: 0, max: 5000 }),
    maxMs: fc.integer({ min: 0, max: 120_000 }),
    jitter: fc.constantFrom('full' as const, 'decorrelated' as const, 'none' as const),
    maxRetryAfterMs: fc.integer({ min: 0, max: 600_000 }),
  });

  it(`backoff is monotonic in its cap envelope and never exceeds the cap (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(policyArb, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 30 }), (p, draws) => {
        let previous = p.baseMs;
        let envelope = 0;
        for (const [i, r] of draws.entries()) {
          const retry = i + 1;
          const env = backoffEnvelope(p, retry);
          expect(env).toBeGreaterThanOrEqual(envelope);
          expect(env).toBeLessThanOrEqual(p.maxMs);
          envelope = env;
          const d = backoffDelay(p, retry, previous, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(p.maxMs);
          if (p.jitter !== 'decorrelated') expect(d).toBeLessThanOrEqual(env);
          else expect(d).toBeGreaterThanOrEqual(Math.min(p.baseMs, p.maxMs));
          previous = Math.max(d, 1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`Retry-After is honoured up to its cap (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }), { minLength: 1, maxLength: 8 }), async (p, afters) => {
        expect(retryDelay(p, 1, p.baseMs, afters[0], () => 0.5)).toBe(afters[0] === undefined ? backoffDelay(p, 1, p.baseMs, () => 0.5) : Math.min(afters[0], p.maxRetryAfterMs));
        const clock = new FakeClock();
        const attempts = Math.min(afters.length, p.maxAttempts - 1);
        const f = failing(afters.slice(0, attempts).map((a) => new HttpStatusError(429, a, '429')));
        await withRetry(f.op, { policy: p, classify: classifyHttpFailure, clock, random: () => 0.5 });
        for (const [i, a] of afters.slice(0, attempts).entries()) {
          if (a !== undefined) expect(clock.slept[i]).toBe(Math.min(a, p.maxRetryAfterMs));
          else expect(clock.slept[i]).toBeLessThanOrEqual(p.maxMs);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`a half-open breaker never lets more than one probe through (${RUNS} runs)`, () => {
    type Op = { t: 'acquire' } | { t: 'finish'; i: number; ok: boolean } | { t: 'tick'; ms: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ t: 'acquire' as const }),
      fc.record({ t: fc.constant('finish' as const), i: fc.nat(), ok: fc.boolean() }),
      fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2000 }), fc.array(opArb, { maxLength: 80 }), (k, coolDownMs, ops) => {
        const clock = new FakeClock();
        const b = new CircuitBreaker({ failureThreshold: k, coolDownMs }, clock);
        // Requests let through and not yet finished, with the half-open period each was a probe of (0: none).
        const outstanding: { probe: number }[] = [];
        let consecutive = 0;
        let period = 0;
        for (const op of ops) {
          if (op.t === 'tick') clock.t += op.ms;
          else if (op.t === 'acquire') {
            const before = b.state();
            const permit = b.tryAcquire();
            if (before === 'open' && b.state() === 'half-open') period++;
            if (permit.allowed) outstanding.push({ probe: b.state() === 'half-open' ? period : 0 });
            else expect(before === 'closed').toBe(false);
            if (before === 'closed') expect(permit.allowed).toBe(true);
          } else if (outstanding.length > 0) {
            outstanding.splice(op.i % outstanding.length, 1);
            const wasClosed = b.state() === 'closed';
            if (op.ok) {
              b.onSuccess();
              consecutive = 0;
              expect(b.state()).toBe('closed');
            } else {
              b.onFailure();
              consecutive++;
              if (wasClosed) expect(b.state()).toBe(consecutive >= k ? 'open' : 'closed');
            }
          }
          if (b.state() === 'half-open') expect(outstanding.filter((x) => x.probe === period).length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
