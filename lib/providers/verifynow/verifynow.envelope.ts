import {
  VerifyNowErrorDetails,
  VerifyNowException,
  VerifyNowOperation,
} from '../../errors/verifynow.exception';
import {
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
} from '../../http/upstream.exceptions';
import { responseCodeName } from './verifynow.response-codes';
import { UpstreamResponse } from '../../http/upstream-http.client';

/** The `{ responseCode, message, data }` body of a send or validate answer. @internal */
export interface UpstreamEnvelope {
  responseCode: number;
  /** The upstream's message, already sanitized. */
  message: string | undefined;
  /** `data`, or `null` when absent or not an object. */
  data: Record<string, unknown> | null;
}

/** Makes upstream text safe for an error message. @internal */
export type Sanitizer = (text: string) => string;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A number from a number or a numeric string, else `undefined`. @internal */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value;
  }
  if (typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim())) {
    return Number(value.trim());
  }
  return undefined;
}

/**
 * The error for an answer that carries no documented code: judged by its HTTP
 * status. 429 is a rate limit, 5xx and non-JSON bodies mean the upstream is not
 * usable, anything else is an unexpected answer.
 *
 * @internal
 */
export function errorForUnreadableAnswer(
  response: UpstreamResponse,
  operation: VerifyNowOperation,
  what: string,
  upstreamMessage?: string,
): VerifyNowException {
  const details: VerifyNowErrorDetails = {
    operation,
    upstreamStatus: response.status,
    upstreamMessage,
    retryAfterSeconds: response.retryAfterSeconds,
  };
  if (response.status === 429) {
    return new VerifyNowRateLimitException(details);
  }
  if (response.json === undefined || response.status >= 500) {
    const hint =
      response.status === 404 || response.status === 405 ? '; check baseUrl and apiVersion' : '';
    return new VerifyNowUnavailableException(`${what}${hint}`, details);
  }
  return new VerifyNowUnknownResponseException(null, what, details);
}

/**
 * Reads the `responseCode` of a send or validate answer from its body, whatever
 * the HTTP status: the upstream sends errors both as HTTP 200 and as 4xx/5xx.
 *
 * @throws VerifyNowException when the body is not JSON or has no code.
 * @internal
 */
export function readEnvelope(
  response: UpstreamResponse,
  operation: VerifyNowOperation,
  sanitize: Sanitizer,
): UpstreamEnvelope {
  const body = response.json;
  if (!isRecord(body)) {
    throw errorForUnreadableAnswer(
      response,
      operation,
      body === undefined
        ? 'answered with a body that is not JSON'
        : 'answered with a JSON body that is not an object',
    );
  }
  const raw = typeof body.message === 'string' ? body.message : undefined;
  const responseCode = toInteger(body.responseCode);
  // Cleaned when an error reads it: a success never does.
  let clean: string | undefined;
  const message = () => (raw === undefined ? undefined : (clean ??= sanitize(raw)));
  if (responseCode === undefined) {
    throw errorForUnreadableAnswer(
      response,
      operation,
      'answered without a responseCode',
      message(),
    );
  }
  if (responseCodeName(responseCode) === undefined) {
    // Not a VerifyNow code: the HTTP status says more (a 429 from a gateway, say).
    if (response.status === 429 || response.status >= 500) {
      throw errorForUnreadableAnswer(
        response,
        operation,
        `answered code ${responseCode}`,
        message(),
      );
    }
  }
  return {
    responseCode,
    get message() {
      return message();
    },
    data: isRecord(body.data) ? body.data : null,
  };
}
