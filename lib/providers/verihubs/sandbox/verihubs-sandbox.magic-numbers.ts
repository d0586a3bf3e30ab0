/**
 * Magic msisdns: each gives a fixed outcome, so that every answer the provider
 * documents, and a provider that looks down, are reachable without an account
 * or a real message. All are in the seed's family `+62 821 2306 00xx`.
 */
import { VERIHUBS_MESSAGES } from './verihubs-sandbox.replies';

/** What a magic msisdn does to a request. @internal */
export type VerihubsMagicOutcome =
  /** Go on as for any number; the answer is this status and message anyway. */
  | { kind: 'accept'; status: number; message: string }
  /** Answer at once `{ message }` with this HTTP status, without sending or checking anything. */
  | { kind: 'reply'; status: number; message: string }
  /** Answer nothing: drop the connection, as a provider that died mid-request would. */
  | { kind: 'reset' };

/** Which endpoints a magic msisdn applies to. @internal */
export type VerihubsMagicEndpoint = 'send' | 'verify';

/** The seed's send table (seed 001, "Sandbox - Send OTP V2"), verbatim. @internal */
export const VERIHUBS_MAGIC_SEND: Readonly<Record<string, VerihubsMagicOutcome>> = {
  '6282123060001': { kind: 'accept', status: 201, message: VERIHUBS_MESSAGES.sent },
  '6282123060002': { kind: 'reply', status: 400, message: VERIHUBS_MESSAGES.msisdnInvalid },
  '6282123060003': { kind: 'reply', status: 401, message: VERIHUBS_MESSAGES.unauthorized },
  '6282123060004': { kind: 'reply', status: 403, message: VERIHUBS_MESSAGES.quota },
  '6282123060005': { kind: 'reply', status: 409, message: VERIHUBS_MESSAGES.blocked },
  '6282123060006': { kind: 'reply', status: 429, message: VERIHUBS_MESSAGES.tooManyRequests },
};

/**
 * The provider reference's verify table: these answer every verify at once,
 * whatever the code, with or without a send before.
 *
 * @internal
 */
export const VERIHUBS_MAGIC_VERIFY: Readonly<Record<string, VerihubsMagicOutcome>> = {
  '6282123060007': { kind: 'reply', status: 200, message: VERIHUBS_MESSAGES.verified },
  '6282123060008': { kind: 'reply', status: 404, message: VERIHUBS_MESSAGES.notFound },
  '6282123060009': { kind: 'reply', status: 422, message: VERIHUBS_MESSAGES.expired },
};

/**
 * The sandbox's own: a provider that looks down, on send and verify alike, so
 * that failover can be tried locally. Each is an ambiguous failure: the
 * request may or may not have been carried out.
 *
 * @internal
 */
export const VERIHUBS_MAGIC_DOWN: Readonly<Record<string, VerihubsMagicOutcome>> = {
  '6282123060010': { kind: 'reply', status: 503, message: VERIHUBS_MESSAGES.unavailable },
  '6282123060011': { kind: 'reset' },
  '6282123060012': { kind: 'reply', status: 500, message: VERIHUBS_MESSAGES.serverError },
};

/** The outcome of a request to this msisdn on this endpoint, if the msisdn is magic there. @internal */
export function verihubsMagicOutcome(
  endpoint: VerihubsMagicEndpoint,
  msisdn: string,
): VerihubsMagicOutcome | undefined {
  const table = endpoint === 'send' ? VERIHUBS_MAGIC_SEND : VERIHUBS_MAGIC_VERIFY;
  return own(table, msisdn) ?? own(VERIHUBS_MAGIC_DOWN, msisdn);
}

/** A table's own entry (never an inherited one such as `constructor`). */
function own(
  table: Readonly<Record<string, VerihubsMagicOutcome>>,
  msisdn: string,
): VerihubsMagicOutcome | undefined {
  return Object.hasOwn(table, msisdn) ? table[msisdn] : undefined;
}
