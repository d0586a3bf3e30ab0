import type {
  VerifyNowCircuitBreakerOptions,
  VerifyNowModuleOptions,
  VerifyNowTokenRetryOptions,
} from '../interfaces/verifynow-module-options.interface';

/** @internal */
export const DEFAULT_CIRCUIT_BREAKER: Required<VerifyNowCircuitBreakerOptions> = {
  consecutiveFailures: 5,
  halfOpenAfterMs: 30_000,
};
/** @internal */
export const DEFAULT_TOKEN_RETRY: Required<VerifyNowTokenRetryOptions> = {
  retries: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
};
const DEFAULT_MAX_QUEUED_REQUESTS = 1000;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a whole number in a range, or reports the problem and keeps the default. */
function integer(
  value: unknown,
  fallback: number,
  label: string,
  min: number,
  max: number,
  problems: string[],
): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  problems.push(`${label} must be an integer from ${min} to ${max}`);
  return fallback;
}

/**
 * Checks the code-only resilience options: the queue bound, the circuit breaker
 * and the token retries. (`maxRequestsPerSecond` also has a variable, read by the caller.)
 *
 * @internal
 */
export function resolveResilienceOptions(
  options: Pick<VerifyNowModuleOptions, 'maxQueuedRequests' | 'circuitBreaker' | 'tokenRetry'>,
  problems: string[],
): {
  maxQueuedRequests: number;
  circuitBreaker: Required<VerifyNowCircuitBreakerOptions> | undefined;
  tokenRetry: Required<VerifyNowTokenRetryOptions>;
} {
  const maxQueuedRequests = integer(
    options.maxQueuedRequests,
    DEFAULT_MAX_QUEUED_REQUESTS,
    'maxQueuedRequests',
    0,
    1_000_000,
    problems,
  );

  let circuitBreaker: Required<VerifyNowCircuitBreakerOptions> | undefined = {
    ...DEFAULT_CIRCUIT_BREAKER,
  };
  const breaker: unknown = options.circuitBreaker;
  if (breaker === false) {
    circuitBreaker = undefined;
  } else if (breaker !== undefined && !isObject(breaker)) {
    problems.push('circuitBreaker must be false or { consecutiveFailures, halfOpenAfterMs }');
  } else if (isObject(breaker)) {
    circuitBreaker = {
      consecutiveFailures: integer(
        breaker.consecutiveFailures,
        DEFAULT_CIRCUIT_BREAKER.consecutiveFailures,
        'circuitBreaker.consecutiveFailures',
        1,
        1000,
        problems,
      ),
      halfOpenAfterMs: integer(
        breaker.halfOpenAfterMs,
        DEFAULT_CIRCUIT_BREAKER.halfOpenAfterMs,
        'circuitBreaker.halfOpenAfterMs',
        1,
        3_600_000,
        problems,
      ),
    };
  }

  const retry: unknown = options.tokenRetry;
  const retryOptions = isObject(retry) ? retry : {};
  if (retry !== undefined && !isObject(retry)) {
    problems.push('tokenRetry must be an object: { retries, baseDelayMs, maxDelayMs }');
  }
  const tokenRetry = {
    retries: integer(
      retryOptions.retries,
      DEFAULT_TOKEN_RETRY.retries,
      'tokenRetry.retries',
      0,
      10,
      problems,
    ),
    baseDelayMs: integer(
      retryOptions.baseDelayMs,
      DEFAULT_TOKEN_RETRY.baseDelayMs,
      'tokenRetry.baseDelayMs',
      0,
      60_000,
      problems,
    ),
    maxDelayMs: integer(
      retryOptions.maxDelayMs,
      DEFAULT_TOKEN_RETRY.maxDelayMs,
      'tokenRetry.maxDelayMs',
      0,
      300_000,
      problems,
    ),
  };
  if (tokenRetry.maxDelayMs < tokenRetry.baseDelayMs) {
    problems.push('tokenRetry.maxDelayMs must be at least tokenRetry.baseDelayMs');
  }
  return { maxQueuedRequests, circuitBreaker, tokenRetry };
}
