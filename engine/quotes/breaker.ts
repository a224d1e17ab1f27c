/**
 * Circuit breaker and health of one upstream: after `failureThreshold` failures in a row it
 * opens and refuses calls for `cooldownMs`, then lets one trial call through (half-open); a
 * success closes it, a failure opens it again.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold?: number;
  cooldownMs?: number;
  now?: () => number;
}

export interface SourceHealth {
  state: CircuitState;
  healthy: boolean;
  consecutiveFailures: number;
  successes: number;
  failures: number;
  /** Calls refused while open. */
  rejected: number;
  lastError: string | undefined;
  lastSuccessAt: number | undefined;
  lastFailureAt: number | undefined;
  /** Exponentially weighted latency of successful calls. */
  latencyMs: number | undefined;
  openedAt: number | undefined;
}

export class CircuitBreaker {
  private stateValue: CircuitState = 'closed';
  private consecutive = 0;
  private trialInFlight = false;
  private readonly h: Omit<SourceHealth, 'state' | 'healthy' | 'consecutiveFailures'> = {
    successes: 0,
    failures: 0,
    rejected: 0,
    lastError: undefined,
    lastSuccessAt: undefined,
    lastFailureAt: undefined,
    latencyMs: undefined,
    openedAt: undefined,
  };
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(opts: BreakerOptions = {}) {
    this.failureThreshold = opts.failureThreshold ?? 5;
    this.cooldownMs = opts.cooldownMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.stateValue === 'open' && this.now() >= (this.h.openedAt ?? 0) + this.cooldownMs) this.stateValue = 'half-open';
    return this.stateValue;
  }

  /** Whether a call may go out now; in half-open, only one trial at a time. Counts refusals. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    this.h.rejected += 1;
    return false;
  }

  /** ms until a trial call is allowed (0 when closed or half-open). */
  retryInMs(): number {
    return this.state === 'open' ? Math.max(0, (this.h.openedAt ?? 0) + this.cooldownMs - this.now()) : 0;
  }

  onSuccess(latencyMs: number): void {
    this.trialInFlight = false;
    this.consecutive = 0;
    this.stateValue = 'closed';
    this.h.successes += 1;
    this.h.lastSuccessAt = this.now();
    this.h.latencyMs = this.h.latencyMs === undefined ? latencyMs : this.h.latencyMs * 0.8 + latencyMs * 0.2;
  }

  onFailure(error: string): void {
    this.trialInFlight = false;
    this.consecutive += 1;
    this.h.failures += 1;
    this.h.lastError = error;
    this.h.lastFailureAt = this.now();
    if (this.stateValue === 'half-open' || this.consecutive >= this.failureThreshold) {
      this.stateValue = 'open';
      this.h.openedAt = this.now();
    }
  }

  /** A call ended without telling anything about the upstream's health (e.g. refused locally). */
  release(): void {
    this.trialInFlight = false;
  }

  health(): SourceHealth {
    const state = this.state;
    return { ...this.h, state, healthy: state === 'closed', consecutiveFailures: this.consecutive };
  }
}
