import {
  VerifyNowAuthenticationException,
  VerifyNowCircuitOpenException,
  VerifyNowOverloadedException,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
  wasNeverSent,
} from '../http/upstream.exceptions';

/**
 * Whether a failed send certainly sent nothing: the breaker was open, the local
 * rate cap's queue was full, the connection failed before the request was
 * written, or the upstream refused it outright (authentication, quota, rate limit).
 *
 * @internal
 */
export function certainlyNotSent(error: unknown): boolean {
  return (
    error instanceof VerifyNowCircuitOpenException ||
    error instanceof VerifyNowOverloadedException ||
    error instanceof VerifyNowAuthenticationException ||
    error instanceof VerifyNowQuotaExceededException ||
    error instanceof VerifyNowRateLimitException ||
    wasNeverSent(error)
  );
}

/**
 * Whether a send that failed with `error` goes to the next provider. Only when it
 * certainly did not go out: one click never sends two messages. An ambiguous
 * failure (a timeout, a connection reset after the request was written, a 5xx)
 * fails over only when the application opts in with `failover.onAmbiguous`.
 *
 * @internal
 */
export function failsOver(error: unknown, onAmbiguous: boolean): boolean {
  return certainlyNotSent(error) || (onAmbiguous && error instanceof VerifyNowUnavailableException);
}
