import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  DelegateBackoff,
  IDefaultPolicyContext,
  IPolicy,
  IRetryBackoffContext,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  noop,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { VerifyNowException, VerifyNowOperation } from '../errors/verifynow.exception';
import {
  VerifyNowCircuitOpenException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
} from '../http/upstream.exceptions';
import type {
  VerifyNowCircuitBreakerOptions,
  VerifyNowTokenRetryOptions,
} from '../interfaces/verifynow-module-options.interface';
import type { Deadline } from './call.deadline';
import type { DeadlineSignal } from './deadline.signal';
import type { RateCap } from './rate-cap';
import { NoAnswerError } from './no-answer.error';
import { CircuitBreakerState, UpstreamCircuitBreaker } from './upstream-circuit.breaker';

// The resilience policy of one upstream, all of it, in the order a call meets it.
//
// Every request (`request()`), within its call's Deadline (`timeoutMs` in all):
//  1. fail fast  while the breaker is open, before queueing (VerifyNowCircuitOpenException).
//  2. rate cap   a RateCap (cockatiel has none): a slot within what is left. The fleet's
//                with the Redis store (FleetRateLimiter: one count in Redis for every
//                instance, failing closed when Redis does not answer), else this
//                instance's (OutboundRateLimiter).
//  3. breaker    cockatiel's, ConsecutiveBreaker: counts transport failures only (no answer,
//                5xx, non-JSON; never a business answer such as 702 or 800, nor a 401/403
//                which is about credentials); open `halfOpenAfterMs`, then one probe.
//  4. resend     cockatiel retry: once, at once, only when the connection provably failed
//                before the request was written (ECONNREFUSED...). Nothing else that may have
//                reached the upstream is ever sent again: no user gets two messages.
//  5. timeout    the call's Deadline: each attempt's signal aborts its request at the
//                deadline, or `timeoutMs` after the request began if that comes first. (The
//                deadline's one timer serves every attempt of the call, where a cockatiel
//                timeout per attempt would add a timer, a controller and two listeners.)
//
// An idempotent call (`idempotent()`: the token request) runs whole requests, answers
// judged, under
//  6. deadline   cockatiel timeout, aggressive: the call ends at its deadline, and at once
//                when the application stops or a wait does not fit, backoff waits included.
//  7. retry      cockatiel retry: passing failures (no answer, 5xx, non-JSON, 429), up to
//                `tokenRetry.retries` times; DelegateBackoff: the `Retry-After` asked for when
//                it is at most `maxDelayMs` (longer: no retry), else doubling from
//                `baseDelayMs`, capped at `maxDelayMs`, with equal jitter.
//
// Not here: the one token refresh after a 401/403 (VerifyNowProvider). It is an authentication
// rule, not a transport one: only that answer (which the breaker must not count) triggers it,
// and it needs a new token, so a new request.

type RetrySettings = Required<VerifyNowTokenRetryOptions>;

/** The options the policy is made of. @internal */
export interface UpstreamPolicySettings {
  timeoutMs: number;
  tokenRetry: RetrySettings;
}

/** What the breaker reads of an answer. @internal */
export type ObservedResponse = { status: number; json: unknown };

/** An answer that says the upstream is not working: 5xx, or not JSON (an HTML error page). */
const isFailureResponse = ({ status, json }: ObservedResponse): boolean =>
  status !== 401 && status !== 403 && (status >= 500 || json === undefined);

/** Step 3: the breaker, or a disabled one with `circuitBreaker: false`. @internal */
export function upstreamCircuitBreaker(
  options: Required<VerifyNowCircuitBreakerOptions> | undefined,
): UpstreamCircuitBreaker {
  return new UpstreamCircuitBreaker(
    options,
    options &&
      circuitBreaker(
        handleWhen((error) => error instanceof NoAnswerError).orWhenResult((result) =>
          isFailureResponse(result as ObservedResponse),
        ),
        {
          halfOpenAfter: options.halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(options.consecutiveFailures),
        },
      ),
  );
}

/**
 * Step 7: whether the idempotent request is tried again after `error`: a passing
 * failure, and no `Retry-After` longer than `maxDelayMs`. @internal
 */
export function isRetryable(error: unknown, settings: RetrySettings): boolean {
  if (error instanceof VerifyNowRateLimitException) {
    const asked = error.retryAfterSeconds;
    return asked === undefined || asked * 1000 <= settings.maxDelayMs;
  }
  return (
    error instanceof VerifyNowUnavailableException &&
    !(error instanceof VerifyNowCircuitOpenException)
  );
}

/**
 * Step 7: how long to wait before retry number `attempt` (1 for the first) after
 * `error`: a 429's `Retry-After` as given; otherwise the delay doubles from
 * `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter" (half fixed, half
 * random) so that many clients do not retry in step. @internal
 */
export function backoffDelayMs(
  error: unknown,
  attempt: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number {
  if (error instanceof VerifyNowRateLimitException && error.retryAfterSeconds !== undefined) {
    return error.retryAfterSeconds * 1000;
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The resilience policy of one upstream, one instance per upstream: see the steps above. @internal */
export class UpstreamPolicy {
  private readonly logger = new Logger('VerifyNowUpstreamPolicy');
  /** Steps 3 and 4. */
  private readonly guarded: IPolicy<IDefaultPolicyContext>;

  constructor(
    private readonly settings: UpstreamPolicySettings,
    private readonly breaker: UpstreamCircuitBreaker,
    private readonly limiter: RateCap | null,
    private readonly random: () => number = Math.random,
  ) {
    const resend = retry(
      handleWhen((error) => error instanceof NoAnswerError && error.neverSent),
      { maxAttempts: 1 },
    );
    resend.onRetry((reason) => {
      if ('error' in reason && reason.error instanceof NoAnswerError) {
        const { exception, code } = reason.error;
        this.logger.debug({
          event: 'verifynow.retry',
          operation: exception.operation,
          reason: code,
        });
      }
    });
    this.guarded = wrap(breaker.policy ?? noop, resend);
  }

  /** Where the breaker stands, for health. */
  get breakerState(): CircuitBreakerState {
    return this.breaker.state;
  }

  /**
   * One request (steps 1 to 5). `send` makes it, aborting when its signal does,
   * and reports the answer whatever its status; anything it throws means no answer.
   *
   * @throws VerifyNowCircuitOpenException while the breaker is open.
   * @throws VerifyNowOverloadedException when the rate cap's queue is full.
   * @throws VerifyNowUnavailableException when no answer came in time.
   */
  async request<T extends ObservedResponse>(
    operation: VerifyNowOperation,
    deadline: Deadline,
    send: (signal: DeadlineSignal) => Promise<T>,
  ): Promise<T> {
    this.breaker.rejectIfOpen(operation);
    await this.limiter?.acquire(this.budget(deadline, operation));
    this.budget(deadline, operation); // throws when the queue left no time
    // Step 5: every attempt ends with the deadline, `timeoutMs` from now at most.
    const within = deadline.within(this.settings.timeoutMs);
    let failure: NoAnswerError | undefined;
    try {
      return await this.guarded.execute(async () => {
        // A resend takes what is left, and is not made once nothing is.
        const ms = within.remainingMs();
        if (failure && ms <= 0) throw failure;
        const signal = within.signal;
        try {
          return await send(signal);
        } catch (error) {
          failure = new NoAnswerError(error, operation, signal.aborted ? ms : undefined);
          throw failure;
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw this.breaker.openError(operation);
      }
      throw error instanceof NoAnswerError ? error.exception : error;
    } finally {
      if (within !== deadline) within.end();
    }
  }

  /**
   * An idempotent call (steps 6 and 7): `call` (whole requests, answers judged)
   * made again after a passing failure, within `deadline`. `stop` (the
   * application's shutdown) ends it at once, a backoff wait included, with the
   * failure that was to be retried.
   */
  async idempotent<T>(
    operation: VerifyNowOperation,
    deadline: Deadline,
    call: () => Promise<T>,
    stop?: AbortSignal,
  ): Promise<T> {
    const left = deadline.remainingMs();
    if (left <= 0) {
      throw deadline.exceeded(operation);
    }
    const settings = this.settings.tokenRetry;
    // Aborted at shutdown, or when the next wait does not fit in the deadline.
    const cancel = new AbortController();
    const onStop = (): void => cancel.abort();
    if (stop?.aborted) onStop();
    stop?.addEventListener('abort', onStop);
    let failure: Error | undefined;
    const backoff = new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
      failure = 'error' in context.result ? context.result.error : undefined;
      const delayMs = backoffDelayMs(failure, context.attempt, settings, this.random);
      if (delayMs >= deadline.remainingMs()) {
        cancel.abort();
        return 0;
      }
      this.logger.debug({
        event: `verifynow.${operation}.retry`,
        attempt: context.attempt,
        delayMs,
        error: failure instanceof VerifyNowException ? failure.codeName : 'unexpected',
      });
      return delayMs;
    });
    // cockatiel's backoff timer does not end with the signal (3.2): it is unref'd,
    // lasts less than the deadline, and what it then starts returns at once, unsent.
    const retryable = handleWhen((error) => isRetryable(error, settings));
    const retries = retry(retryable, { maxAttempts: settings.retries, backoff }).dangerouslyUnref();
    const shuttingDown = (): VerifyNowUnavailableException =>
      new VerifyNowUnavailableException('the application is shutting down', { operation });
    try {
      return await wrap(timeout(left, TimeoutStrategy.Aggressive), retries).execute(
        ({ signal }) => (signal.aborted ? Promise.reject(failure ?? shuttingDown()) : call()),
        cancel.signal,
      );
    } catch (error) {
      if (!(error instanceof TaskCancelledError)) {
        throw error;
      }
      throw cancel.signal.aborted ? (failure ?? shuttingDown()) : deadline.exceeded(operation);
    } finally {
      stop?.removeEventListener('abort', onStop);
    }
  }

  /** Milliseconds a step may take: what is left of the deadline, `timeoutMs` at most. */
  private budget(deadline: Deadline, operation: VerifyNowOperation): number {
    const left = Math.min(this.settings.timeoutMs, deadline.remainingMs());
    if (left <= 0) {
      throw deadline.exceeded(operation);
    }
    return left;
  }
}
