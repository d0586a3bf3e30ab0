import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRecord } from './verihubs.answers';
import type { VerihubsChannel } from './verihubs.endpoints';
import type { ResolvedVerihubsOptions } from './verihubs.options';

/**
 * What a send keeps for its verify and its delivery callbacks (as
 * `providerData`, sealed in the ledger): Verihubs verifies by number, code and
 * challenge. Never the code, nor the callback token itself.
 *
 * @internal
 */
export interface VerihubsSendData {
  /** The destination: country prefix and number, digits only. */
  msisdn: string;
  /** The challenge the code was sent under. */
  challenge: string;
  channel: VerihubsChannel;
  /** SHA-256 (base64url) of the send's callback token, when callbacks are on. */
  callback?: string;
}

/** A callback token: 24 random bytes, base64url. @internal */
export const CALLBACK_TOKEN = /^[\w-]{32}$/;

const digestOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * A send's `callback_url` with an unguessable token of its own in the path, and
 * the digest kept to check it; `undefined` when callbacks are off.
 *
 * @internal
 */
export function callbackFor(
  settings: ResolvedVerihubsOptions,
): { url: string; digest: string } | undefined {
  if (settings.callback === undefined) {
    return undefined;
  }
  const token = randomBytes(24).toString('base64url');
  return { url: `${settings.callback.url}/${token}`, digest: digestOf(token) };
}

/** Whether `token` is the one the send put in its `callback_url`. @internal */
export function callbackMatches(data: VerihubsSendData, token: string): boolean {
  if (data.callback === undefined || !CALLBACK_TOKEN.test(token)) {
    return false;
  }
  const [given, kept] = [Buffer.from(digestOf(token)), Buffer.from(data.callback)];
  return given.length === kept.length && timingSafeEqual(given, kept);
}

/** The send's data from the ledger, or `undefined` when missing or unreadable. @internal */
export function readSendData(text: string | undefined): VerihubsSendData | undefined {
  let data: unknown;
  try {
    data = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    !isRecord(data) ||
    typeof data.msisdn !== 'string' ||
    !/^\d{4,16}$/.test(data.msisdn) ||
    typeof data.challenge !== 'string' ||
    (data.channel !== 'sms' && data.channel !== 'whatsapp')
  ) {
    return undefined;
  }
  const { msisdn, challenge, channel } = data;
  return typeof data.callback === 'string'
    ? { msisdn, challenge, channel, callback: data.callback }
    : { msisdn, challenge, channel };
}
