import type { ThrottlerStorage } from '@nestjs/throttler';
import * as v from 'valibot';
import { countryCodeList } from '../phone/phone-number.util';
import { fromEnv, implementing, leaf, orFalse, section, whole } from '../validation/option.checks';

const RATE = `must be false or { limit, ttlSeconds } with whole numbers (limit from 1, ttlSeconds from 1 to 2592000)`;

/** A limit: `{ limit, ttlSeconds }`. */
const rate = v.pipe(
  section(RATE, { limit: v.optional(v.unknown()), ttlSeconds: v.optional(v.unknown()) }),
  v.rawTransform(({ dataset: { value }, addIssue, NEVER }) => {
    const [limit, ttlSeconds] = [whole(1, 1e6)(value.limit), whole(1, 2_592_000)(value.ttlSeconds)];
    return limit && ttlSeconds ? { limit, ttlSeconds } : (addIssue({ expected: RATE }), NEVER);
  }),
);

/** `limits.allowedCountries`, which `VERIFYNOW_ALLOWED_COUNTRIES` sets. @internal */
export const ALLOWED_COUNTRIES = fromEnv(
  'VERIFYNOW_ALLOWED_COUNTRIES',
  leaf('must list ISO 3166-1 alpha-2 country codes, e.g. IN,ID', countryCodeList),
);

/** The `limits` options: send limits against SMS pumping. @internal */
export const LIMITS_SECTION = orFalse(
  section('must be false or an object of send limits', {
    perPhoneNumber: orFalse(rate, { limit: 5, ttlSeconds: 600 }),
    perClientIp: orFalse(rate, { limit: 20, ttlSeconds: 3600 }),
    allowedCountries: ALLOWED_COUNTRIES,
    storage: implementing<ThrottlerStorage>(
      'must implement ThrottlerStorage (increment)',
      'increment',
    ),
  }),
  {},
);
