import { createHash } from 'node:crypto';

/**
 * How the ledger and the counters name a phone number: the SHA-256 of its E.164
 * form, so that shared state holds no phone numbers.
 *
 * @internal
 */
export function subjectOf(e164: string): string {
  return createHash('sha256').update(e164).digest('hex');
}
