import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import {
  VerifyNowCircuitOpenException,
  VerifyNowUnavailableException,
} from '../http/upstream.exceptions';
import { VerifyNowOperation } from '../errors/verifynow.exception';
import type { VerifyNowCircuitBreakerOptions } from '../interfaces/verifynow-module-options.interface';

/** Where the breaker stands; `'disabled'` when `circuitBreaker: false`. */
export type CircuitBreakerState = 'closed' | 'open' | 'half-open' | 'disabled';

/** What the breaker needs to know of an answer. @internal */
export interface BreakerObservedResponse {
  status: number;
  json: unknown;
}

/**
 * An answer that says the upstream is not working: HTTP 5xx, or a body that is
 * not JSON (an HTML error page). A 401/403 is about credentials, and business
 * codes (702, 705, 800...) are answers, not failures.
 *
 * @internal
 */
export function isFailureResponse(response: BreakerObservedResponse): boolean {
  if (response.status === 401 || response.status === 403) {
    return false;
  }
  return response.status >= 500 || response.json === undefined;
}

/**
 * The circuit breaker in front of the upstream (cockatiel's, with a
 * consecutive-failures breaker). Network errors, deadlines, HTTP 5xx and
 * non-JSON bodies count; after `consecutiveFailures` of them, calls fail fast
 * with {@link VerifyNowCircuitOpenException} until, `halfOpenAfterMs` later, one
 * probe call succeeds.
 *
 * @internal
 */
export class UpstreamCircuitBreaker {
  private readonly logger = new Logger('VerifyNowCircuitBreaker');
  private readonly policy: CircuitBreakerPolicy | undefined;
  private openedAt = 0;

  constructor(private readonly options: Required<VerifyNowCircuitBreakerOptions> | undefined) {
    if (options === undefined) {
      return;
    }
    this.policy = circuitBreaker(
      handleWhen((error) => error instanceof VerifyNowUnavailableException).orWhenResult((result) =>
        isFailureResponse(result as BreakerObservedResponse),
      ),
      {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.consecutiveFailures),
      },
    );
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
      this.logger.warn({
        event: 'verifynow.circuit',
        state: 'open',
        consecutiveFailures: options.consecutiveFailures,
        retryInMs: options.halfOpenAfterMs,
      });
    });
    this.policy.onReset(() => this.logger.log({ event: 'verifynow.circuit', state: 'closed' }));
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

  /** Runs an upstream call through the breaker. */
  async execute<T extends BreakerObservedResponse>(
    operation: VerifyNowOperation,
    call: () => Promise<T>,
  ): Promise<T> {
    if (this.policy === undefined) {
      return call();
    }
    try {
      return await this.policy.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw this.openError(operation);
      }
      throw error;
    }
  }

  private msUntilProbe(): number {
    return this.openedAt + (this.options?.halfOpenAfterMs ?? 0) - Date.now();
  }

  private openError(operation: VerifyNowOperation): VerifyNowCircuitOpenException {
    return new VerifyNowCircuitOpenException(
      Math.max(1, Math.ceil(this.msUntilProbe() / 1000)),
      operation,
    );
  }
}
