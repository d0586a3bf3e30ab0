import { VerifyNowErrorDetails, VerifyNowException } from '../../errors/verifynow.exception';
import type { UpstreamResponse } from '../../http/upstream-http.client';
import {
  VerifyNowAuthenticationException,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
} from '../../http/upstream.exceptions';
import {
  VerificationExpiredException,
  VerifyNowBadRequestException,
  WrongOtpProvidedException,
} from '../verifynow/verifynow-code.exceptions';
import type { VerihubsOperation } from './verihubs.endpoints';
import { VerihubsBlockedNumberException } from './verihubs.exceptions';

/** How one refusal of Verihubs is read. @internal */
export interface VerihubsAnswerRule {
  /** The calls whose answer it is; the same status from another call is unexpected. */
  on: readonly VerihubsOperation[];
  /** What Verihubs means by it, as the README tells it. */
  meaning: string;
  /** The class of the exception it becomes, as the README names it. */
  exception: string;
  /** Whether it holds whatever the body (a gateway's 429 is one too); else only for a JSON object. */
  anyBody?: boolean;
  /** Makes the exception, from what is known of the answer. */
  create(details: VerifyNowErrorDetails): VerifyNowException;
}

const BOTH: readonly VerihubsOperation[] = ['send', 'validate'];

/**
 * Every refusal Verihubs documents, by HTTP status: what it means and the typed
 * exception it becomes. Anything else it answers is judged by
 * {@link verihubsAnswerError}: 5xx and bodies that are not JSON make it
 * unavailable (503), the rest is unexpected (502). The README's table follows
 * this one.
 *
 * @internal
 */
export const VERIHUBS_ANSWERS: Readonly<Record<number, VerihubsAnswerRule>> = {
  400: {
    on: BOTH,
    meaning: 'the request was malformed (e.g. an msisdn that is not 4 to 16 digits)',
    exception: 'VerifyNowBadRequestException',
    create: (details) => new VerifyNowBadRequestException(details),
  },
  401: {
    on: BOTH,
    meaning: 'the App-ID or API-Key was refused',
    exception: 'VerifyNowAuthenticationException',
    create: (details) =>
      new VerifyNowAuthenticationException('the App-ID or API-Key was refused', details),
  },
  403: {
    on: BOTH,
    meaning: "the account's quota is used up",
    exception: 'VerifyNowQuotaExceededException',
    create: (details) => new VerifyNowQuotaExceededException(details),
  },
  404: {
    on: ['validate'],
    meaning: 'OTP not found: the code is wrong, unknown or worn out by wrong tries',
    exception: 'WrongOtpProvidedException',
    create: (details) => new WrongOtpProvidedException(details),
  },
  409: {
    on: BOTH,
    meaning: 'the number is blocked',
    exception: 'VerihubsBlockedNumberException',
    create: (details) => new VerihubsBlockedNumberException(details),
  },
  422: {
    on: ['validate'],
    meaning: "the code's time limit is over",
    exception: 'VerificationExpiredException',
    create: (details) => new VerificationExpiredException(details),
  },
  429: {
    on: BOTH,
    meaning: 'too many requests in the allowed time frame',
    exception: 'VerifyNowRateLimitException',
    anyBody: true,
    create: (details) => new VerifyNowRateLimitException(details),
  },
};

/**
 * The exception for an answer that is no success: a row of
 * {@link VERIHUBS_ANSWERS} for this call, else 5xx or a body that is not JSON
 * (`VerifyNowUnavailableException`), else `VerifyNowUnknownResponseException`.
 * Its details carry the call, the HTTP status, `Retry-After` and the
 * upstream's `message` through `sanitize`; nothing else of the body is read
 * (a send's answer holds the code).
 *
 * @internal
 */
export function verihubsAnswerError(
  response: UpstreamResponse,
  operation: VerihubsOperation,
  sanitize: (text: string) => string,
): VerifyNowException {
  const { status, json } = response;
  const body = isRecord(json) ? json : undefined;
  const details: VerifyNowErrorDetails = {
    provider: 'verihubs',
    operation,
    upstreamStatus: status,
    upstreamMessage: typeof body?.message === 'string' ? sanitize(body.message) : undefined,
    retryAfterSeconds: response.retryAfterSeconds,
  };
  if (status >= 500) {
    return new VerifyNowUnavailableException('failed', details);
  }
  const rule = verihubsAnswerRule(status, operation);
  if (rule !== undefined && (body !== undefined || rule.anyBody === true)) {
    return rule.create(details);
  }
  if (json === undefined) {
    return new VerifyNowUnavailableException('answered with a body that is not JSON', details);
  }
  const what = body === undefined ? 'with a JSON body that is not an object' : 'unexpectedly';
  return new VerifyNowUnknownResponseException(null, `answered ${what}`, details);
}

/** The row of {@link VERIHUBS_ANSWERS} for this status and call, if there is one. @internal */
export function verihubsAnswerRule(
  status: number,
  operation: VerihubsOperation,
): VerihubsAnswerRule | undefined {
  const rule = Object.hasOwn(VERIHUBS_ANSWERS, status) ? VERIHUBS_ANSWERS[status] : undefined;
  return rule?.on.includes(operation) ? rule : undefined;
}

/** Whether a value is a JSON object (not an array, not null). @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
