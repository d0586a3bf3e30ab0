import * as crypto from 'node:crypto';

/** SHA-256 in hex: node's one-shot `crypto.hash` (Node 20.12+), else a Hash object. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * How the ledger and the counters name a phone number: the SHA-256 of its E.164
 * form, so that shared state holds no phone numbers.
 *
 * @internal
 */
export function subjectOf(e164: string): string {
  return sha256Hex(e164);
}
