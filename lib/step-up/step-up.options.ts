import * as v from 'valibot';
import type { ResolvePhoneNumber } from '../interfaces/require-otp-options.interface';
import { VERIFYNOW_FLOW_TYPES } from '../config/verifynow-config.constants';
import { int, leaf, section } from '../validation/option.checks';

const FLOW_TYPE = `must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}`;

const header = leaf('must be an HTTP header name, e.g. x-otp-code', (value) =>
  typeof value === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/i.test(value)
    ? value.toLowerCase()
    : undefined,
);

/**
 * The `guard` options, `@RequireOtp()`'s defaults: the ones NIST SP 800-63B and
 * OWASP ASVS call for.
 *
 * @internal
 */
export const GUARD_SECTION = section('must be an object of @RequireOtp() defaults', {
  resolvePhoneNumber: v.optional(
    v.custom<ResolvePhoneNumber>(
      (fn) => typeof fn === 'function',
      'must be a function (request) => E.164 phone number',
    ),
  ),
  autoSend: v.optional(v.boolean('must be true or false'), true),
  maxAgeSeconds: int(1, 86_400, 600, 'number of seconds '),
  maxFailedAttempts: int(1, 20, 5),
  flowType: v.optional(v.picklist(VERIFYNOW_FLOW_TYPES, FLOW_TYPE)),
  headers: section('must be an object of header names', {
    verificationId: v.optional(header, 'x-otp-verification-id'),
    code: v.optional(header, 'x-otp-code'),
  }),
});
