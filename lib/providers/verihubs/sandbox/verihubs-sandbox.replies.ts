import { SandboxJsonReply, SandboxResetReply, jsonReply } from '../../../sandbox/sandbox.replies';

/** The messages the sandbox answers with; the seed's and the reference's word for word. @internal */
export const VERIHUBS_MESSAGES = {
  sent: 'OTP sent successfully',
  verified: 'OTP has been verified',
  msisdnInvalid: 'Msisdn invalid: msisdn length should between 4-16 characters',
  unauthorized: 'Authorization failed',
  quota: 'OTP testing quota is insufficient',
  blocked: 'Msisdn invalid: msisdn has been blocked',
  tooManyRequests: 'Too many request in the allowed time frame',
  notFound: 'OTP not found',
  expired: 'OTP cannot be verified because Time limit exceeded',
  unavailable: 'Service unavailable',
  serverError: 'Internal server error',
  invalidJson: 'Request body must be a JSON object',
} as const;

/** The body of every answer but a successful send. @internal */
export interface VerihubsAnswer {
  message: string;
}

/** The body of a successful send (HTTP 201). @internal */
export interface VerihubsSendAnswer extends VerihubsAnswer {
  otp: string;
  msisdn: string;
  session_id: string;
  try_count: number;
  segment_count: number;
}

/**
 * The reply that makes the server drop the connection unanswered, as a
 * provider that died mid-request would. Its `status` and `json` (503 "Service
 * unavailable") are the fallback wherever a connection cannot be dropped: the
 * provider still looks down.
 *
 * @internal
 */
export type VerihubsResetReply = SandboxResetReply<VerihubsAnswer>;

/** What the send and verify endpoints answer. @internal */
export type VerihubsReply =
  SandboxJsonReply<VerihubsAnswer> | SandboxJsonReply<VerihubsSendAnswer> | VerihubsResetReply;

/** An answer `{ message }` with this HTTP status. @internal */
export function messageReply(status: number, message: string): SandboxJsonReply<VerihubsAnswer> {
  return jsonReply(status, { message });
}

/** The answer that makes the server drop the connection unanswered. @internal */
export function resetReply(): VerihubsResetReply {
  return { ...messageReply(503, VERIHUBS_MESSAGES.unavailable), reset: true };
}
