import { Logger } from '@nestjs/common';
import { CircuitBreakerPolicy, CircuitState } from 'cockatiel';
import { VerifyNowCircuitOpenException } from '../http/upstream.exceptions';
import { VerifyNowOperation } from '../errors/verifynow.exception';
import type { VerifyNowCircuitBreakerOptions } from '../interfaces/verifynow-module-options.interface';

/** Where the breaker stands; `'disabled'` when `circuitBreaker: false`. */
export type CircuitBreakerState = 'closed' | 'open' | 'half-open' | 'disabled';

/**
 * The circuit breaker in front of the upstream, as the rest of the module sees
 * it: its state (health reads it), failing fast while it is open, and its logs.
 * The breaker itself (cockatiel's, what it counts, when it opens) is part of the
 * upstream policy, which makes it: see `upstreamCircuitBreaker()` in
 * `upstream.policy.ts`.
 *
 * @internal
 */
export class UpstreamCircuitBreaker {
  private readonly logger = new Logger('VerifyNowCircuitBreaker');
  private openedAt = 0;

  constructor(
    private readonly options: Required<VerifyNowCircuitBreakerOptions> | undefined,
    /** cockatiel's breaker; `undefined` when `circuitBreaker: false`. */
    readonly policy: CircuitBreakerPolicy | undefined,
  ) {
    policy?.onBreak(() => {
      this.openedAt = Date.now();
      this.logger.warn({
        event: 'verifynow.circuit',
        state: 'open',
        consecutiveFailures: options?.consecutiveFailures,
        retryInMs: options?.halfOpenAfterMs,
      });
    });
    policy?.onReset(() => this.logger.log({ event: 'verifynow.circuit', state: 'closed' }));
  }

  get state(): CircuitBreakerState {
    switch (this.policy?.state) {
      case undefined:
        return 'disabled';
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /**
   * Fails at once while the breaker is open and no probe is due, so that callers
   * do not queue for the rate cap only to be refused.
   *
   * @throws VerifyNowCircuitOpenException
   */
  rejectIfOpen(operation: VerifyNowOperation): void {
    if (this.policy?.state === CircuitState.Open && this.msUntilProbe() > 0) {
      throw this.openError(operation);
    }
  }

  /** The error of a call the open breaker kept back, with `Retry-After` until the next probe. */
  openError(operation: VerifyNowOperation): VerifyNowCircuitOpenException {
    return new VerifyNowCircuitOpenException(
      Math.max(1, Math.ceil(this.msUntilProbe() / 1000)),
      operation,
    );
  }

  private msUntilProbe(): number {
    return this.openedAt + (this.options?.halfOpenAfterMs ?? 0) - Date.now();
  }
}
