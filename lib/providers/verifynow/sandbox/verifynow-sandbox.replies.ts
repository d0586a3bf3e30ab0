import { VerifyNowResponseCode, responseCodeName } from '../verifynow.response-codes';
import {
  SandboxJsonReply,
  SandboxReply,
  SandboxReplyHeaders,
  jsonReply,
} from '../../../sandbox/sandbox.replies';
import { httpStatusForCode } from './verifynow-sandbox.magic-numbers';

/** The body of every send and validate answer but 401. @internal */
export interface VerifyNowAnswer {
  responseCode: number;
  message: string;
  data: Record<string, unknown> | null;
}

/** The body of a token answer, and of a 401: bad credentials come inside an HTTP 200. @internal */
export interface VerifyNowStatusAnswer {
  status: number;
  token?: string;
  error?: string;
}

/** What the send and validate endpoints answer. @internal */
export type VerifyNowReply = SandboxReply<VerifyNowAnswer | VerifyNowStatusAnswer>;

/** The documented name of a responseCode, e.g. `VERIFICATION_EXPIRED`. @internal */
export function codeMessage(responseCode: number): string {
  return responseCodeName(responseCode) ?? `ERROR_${responseCode}`;
}

/** An answer with this HTTP status and body. @internal */
export function answer(
  httpStatus: number,
  responseCode: number,
  message: string,
  data: Record<string, unknown> | null = null,
  headers?: SandboxReplyHeaders,
): SandboxJsonReply<VerifyNowAnswer> {
  return jsonReply(httpStatus, { responseCode, message, data }, headers);
}

/**
 * An answer carrying `responseCode`, in the HTTP status the sandbox gives that
 * code (see `httpStatusForCode`), with `Retry-After: 60` on 800.
 *
 * @internal
 */
export function business(
  responseCode: number,
  message = codeMessage(responseCode),
  data: Record<string, unknown> | null = null,
): SandboxJsonReply<VerifyNowAnswer> {
  const headers =
    responseCode === VerifyNowResponseCode.MAXIMUM_LIMIT_REACHED
      ? { 'Retry-After': '60' }
      : undefined;
  return answer(httpStatusForCode(responseCode), responseCode, message, data, headers);
}

/** The answer to a send or validate without a valid token. @internal */
export function unauthorized(): SandboxJsonReply<VerifyNowStatusAnswer> {
  return jsonReply(401, { status: 401, error: 'Unauthorized' });
}

/** A token endpoint answer: always HTTP 200, the outcome in `status`. @internal */
export function tokenAnswer(
  body: { token: string } | { error: string },
): SandboxJsonReply<VerifyNowStatusAnswer> {
  return jsonReply(200, 'token' in body ? { status: 200, ...body } : { status: 400, ...body });
}
