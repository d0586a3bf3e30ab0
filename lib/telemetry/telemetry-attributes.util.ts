import { VerifyNowException } from '../errors/verifynow.exception';
import type { OtelAttributes } from './otel-api.loader';
import { VERIFYNOW_ATTRIBUTES } from './telemetry.names';

/** OpenTelemetry's fallback for an `error.type` it cannot name. */
const OTHER = '_OTHER';
/** An identifier such as `'TOO_MANY_OTP_REQUESTS'` or `'TypeError'`. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** Four digits in a row look more like data than like a name. */
const DIGIT_RUN = /\d{4}/;
/** Codes and statuses are short numbers; anything longer is not one. */
const MAX_CODE = 99_999;

/**
 * `value` when it is a short identifier, else `'_OTHER'`: error and refusal
 * codes become attributes, and a free-form text (or anything holding a number)
 * must not, both for secrecy and to keep a metric's series few.
 *
 * @internal
 */
export function safeName(value: string): string {
  return NAME.test(value) && !DIGIT_RUN.test(value) ? value : OTHER;
}

/**
 * The attributes whose value is known: a `null` provider or channel is left out
 * rather than set to a placeholder.
 *
 * @internal
 */
export function knownAttributes(
  entries: Readonly<Record<string, string | number | null | undefined>>,
): OtelAttributes {
  const attributes: OtelAttributes = {};
  for (const key in entries) {
    const value = entries[key];
    if (value !== null && value !== undefined) {
      attributes[key] = value;
    }
  }
  return attributes;
}

/**
 * What a failed upstream call may tell: `error.type` (the `codeName` of a
 * `VerifyNowException`, else the error's class), the upstream's response code
 * and HTTP status. Never the message or the stack: they may quote the upstream.
 *
 * @internal
 */
export function errorAttributes(error: unknown): OtelAttributes {
  if (!(error instanceof VerifyNowException)) {
    return { [VERIFYNOW_ATTRIBUTES.errorType]: errorClassName(error) };
  }
  return knownAttributes({
    [VERIFYNOW_ATTRIBUTES.errorType]: safeName(error.codeName),
    [VERIFYNOW_ATTRIBUTES.responseCode]: shortCode(error.responseCode),
    [VERIFYNOW_ATTRIBUTES.httpStatusCode]: shortCode(error.upstreamStatus),
  });
}

function errorClassName(error: unknown): string {
  return error instanceof Error ? safeName(error.constructor.name) : OTHER;
}

function shortCode(code: number | null | undefined): number | undefined {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= MAX_CODE
    ? code
    : undefined;
}
