import { HttpStatus } from '@nestjs/common';
import {
  GENERIC_SERVER_BODY,
  VerifyNowErrorDetails,
  VerifyNowException,
  VerifyNowOperation,
  describeCall,
} from '../errors/verifynow.exception';

// The errors of reaching an upstream at all, whatever the provider: refused
// credentials, no usable answer, a breaker or queue that kept the call back, a
// rate limit, an answer nobody documented.

/**
 * The upstream refused the credentials: the token endpoint said so (often inside
 * an HTTP 200), or send/validate answered 401/403 again after a fresh token.
 * Answered as a generic 500: the end user cannot fix the operator's account.
 */
export class VerifyNowAuthenticationException extends VerifyNowException {
  constructor(reason: string, details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      codeName: 'AUTHENTICATION_FAILED',
      responseCode: null,
      publicMessage: GENERIC_SERVER_BODY.message,
      detail: describeCall(details, `authentication failed: ${reason}`),
      expose: false,
    });
  }
}

const NEVER_SENT = new WeakSet<object>();

/** Marks `exception` as a failure of a request that provably never left. @internal */
export function markNeverSent<E extends object>(exception: E): E {
  NEVER_SENT.add(exception);
  return exception;
}

/** Whether `error` is a failure of a request that provably never left (connection refused, say). @internal */
export function wasNeverSent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && NEVER_SENT.has(error);
}

/**
 * The upstream could not be used: network error, timeout, HTTP 5xx, or an answer
 * that is not JSON (such as an HTML error page). Answered as 503; the module fails
 * closed, so nothing is treated as verified.
 */
export class VerifyNowUnavailableException extends VerifyNowException {
  constructor(reason: string, details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.SERVICE_UNAVAILABLE,
      codeName: 'UPSTREAM_UNAVAILABLE',
      responseCode: null,
      publicMessage: 'The verification service is unavailable; try again later.',
      detail: describeCall(details, `unavailable: ${reason}`),
      expose: true,
    });
  }
}

/**
 * The circuit breaker is open after consecutive upstream failures: the call
 * failed fast, without reaching the upstream. Answered as 503, with
 * `Retry-After` until the next probe.
 */
export class VerifyNowCircuitOpenException extends VerifyNowUnavailableException {
  constructor(retryAfterSeconds: number | undefined, operation?: VerifyNowOperation) {
    super('the circuit breaker is open after repeated upstream failures', {
      operation,
      retryAfterSeconds,
    });
  }
}

/**
 * Too many calls are waiting for the outbound rate cap (`maxRequestsPerSecond`):
 * the queue is full, or this call waited `timeoutMs` for a slot. Nothing was sent.
 * Answered as 503.
 */
export class VerifyNowOverloadedException extends VerifyNowException {
  constructor(reason: string, operation?: VerifyNowOperation) {
    super({
      operation,
      status: HttpStatus.SERVICE_UNAVAILABLE,
      codeName: 'OUTBOUND_QUEUE_FULL',
      responseCode: null,
      publicMessage: 'The verification service is busy; try again shortly.',
      detail: describeCall({ operation }, `not called: ${reason}`),
      expose: true,
      retryAfterSeconds: 1,
    });
  }
}

/** The upstream answered HTTP 429 without a documented code. Answered as 429 with `Retry-After` when known. */
export class VerifyNowRateLimitException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.TOO_MANY_REQUESTS,
      codeName: 'UPSTREAM_RATE_LIMITED',
      responseCode: null,
      publicMessage: 'Too many verification requests; try again later.',
      detail: describeCall(details, 'rate-limited the client'),
      expose: true,
    });
  }
}

/**
 * The upstream refused the send because the account's quota (balance, credits)
 * is used up: nothing went out. Answered as 503; the operator must top up.
 */
export class VerifyNowQuotaExceededException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.SERVICE_UNAVAILABLE,
      codeName: 'UPSTREAM_QUOTA_EXHAUSTED',
      responseCode: null,
      publicMessage: 'The verification service is unavailable; try again later.',
      detail: describeCall(details, "refused: the account's quota is used up"),
      expose: true,
    });
  }
}

/**
 * The upstream answered with a `responseCode` this module does not know, or with a
 * success whose data is missing. Keeps the raw code. Answered as 502.
 */
export class VerifyNowUnknownResponseException extends VerifyNowException {
  constructor(responseCode: number | null, reason: string, details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.BAD_GATEWAY,
      codeName: 'UNKNOWN_RESPONSE',
      responseCode,
      publicMessage: 'The verification provider answered unexpectedly.',
      detail: describeCall(details, reason),
      expose: true,
    });
  }
}
