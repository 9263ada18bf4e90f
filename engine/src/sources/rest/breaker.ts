// A circuit breaker for one source: after K consecutive failures it opens and refuses requests without sending
// them, so a dead service is not hammered by every page's retries; after a cool-down it lets exactly one probe
// through (half-open). The probe's success closes it; its failure opens it again for another cool-down.
import * as z from 'zod';
import type { Clock } from './retry.js';
import { realClock } from './retry.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export const breakerPolicySchema = z
  .strictObject({
    failureThreshold: z.number().int().min(1).max(1000).default(5).describe('Consecutive failures that open the circuit'),
    coolDownMs: z.number().int().min(0).max(3_600_000).default(5_000).describe('How long the circuit stays open before one probe request'),
  })
  .prefault({})
  .describe('Circuit breaker for this source');
export type BreakerPolicy = z.infer<typeof breakerPolicySchema>;

export type Permit = { allowed: true } | { allowed: false; retryInMs: number };

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  /** Times the circuit opened, for the run record. */
  opens = 0;
  /** Answers the service gave (any that was not a transient failure): a request that sees this grow knows the service is alive. */
  successes = 0;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly clock: Pick<Clock, 'now'> = realClock,
  ) {}

  state(): BreakerState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Ask to send a request. While half-open only the single probe is allowed; everyone else waits. */
  tryAcquire(): Permit {
    if (this.current === 'closed') return { allowed: true };
    const wait = this.openedAt + this.policy.coolDownMs - this.clock.now();
    if (this.current === 'open') {
      if (wait > 0) return { allowed: false, retryInMs: wait };
      this.current = 'half-open';
      this.probeInFlight = false;
    }
    if (this.probeInFlight) return { allowed: false, retryInMs: Math.max(1, Math.min(this.policy.coolDownMs, 1_000)) };
    this.probeInFlight = true;
    return { allowed: true };
  }

  onSuccess(): void {
    this.successes++;
    this.failures = 0;
    this.probeInFlight = false;
    this.current = 'closed';
  }

  onFailure(): void {
    this.failures++;
    const probeFailed = this.current === 'half-open';
    this.probeInFlight = false;
    if (probeFailed || (this.current === 'closed' && this.failures >= this.policy.failureThreshold)) {
      this.current = 'open';
      this.openedAt = this.clock.now();
      this.opens++;
    }
  }
}
