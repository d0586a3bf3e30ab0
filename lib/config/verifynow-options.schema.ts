import type { ThrottlerStorage } from '@nestjs/throttler';
import * as v from 'valibot';
import type { ResolvePhoneNumber } from '../interfaces/require-otp-options.interface';
import { countryCodeList, knownDialCode } from '../phone/phone-number.util';
import type { VerifyNowRedisClient } from '../redis/redis.client';
import type { VerifyNowStore } from '../ledger/verifynow-store.interface';
import * as check from '../validation/option.checks';
import { mapOptions } from '../validation/option-tree.util';
import { VERIFYNOW_OPTIONS, VERIFYNOW_TOKEN_RETRY } from '../providers/verifynow/verifynow.options';
import {
  DEFAULT_OTP_LENGTH,
  DEFAULT_TIMEOUT_MS,
  VERIFYNOW_FLOW_TYPES,
} from './verifynow-config.constants';

const { digits, flag, fromEnv, implementing, int, leaf, oneOf, orFalse, secret, section, text } =
  check;

const FLOW_TYPE = `must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}`;
const RATE = `must be false or { limit, ttlSeconds } with whole numbers (limit from 1, ttlSeconds from 1 to 2592000)`;

const header = leaf('must be an HTTP header name, e.g. x-otp-code', (value) =>
  typeof value === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/i.test(value)
    ? value.toLowerCase()
    : undefined,
);
const rate = v.pipe(
  section(RATE, { limit: v.optional(v.unknown()), ttlSeconds: v.optional(v.unknown()) }),
  v.rawTransform(({ dataset: { value }, addIssue, NEVER }) => {
    const [limit, ttlSeconds] = [
      check.whole(1, 1e6)(value.limit),
      check.whole(1, 2_592_000)(value.ttlSeconds),
    ];
    return limit && ttlSeconds ? { limit, ttlSeconds } : (addIssue({ expected: RATE }), NEVER);
  }),
);

/**
 * The options a `VERIFYNOW_*` variable can set, by their names in `VERIFYNOW_ENV_VARS`:
 * each with its variable, check and message, conversion, default and secrecy.
 */
const ENV = {
  ...VERIFYNOW_OPTIONS,
  defaultCountryCode: fromEnv(
    'VERIFYNOW_DEFAULT_COUNTRY_CODE',
    text(
      'must be a known dial code, with or without +, e.g. 91',
      /^\+?[1-9]\d{0,3}$/,
      knownDialCode,
    ),
  ),
  defaultFlowType: fromEnv('VERIFYNOW_FLOW_TYPE', oneOf(VERIFYNOW_FLOW_TYPES, FLOW_TYPE), 'SMS'),
  otpLength: fromEnv('VERIFYNOW_OTP_LENGTH', digits(4, 8), DEFAULT_OTP_LENGTH),
  timeoutMs: fromEnv(
    'VERIFYNOW_TIMEOUT_MS',
    digits(1, 300_000, 'must be an integer number of milliseconds from 1 to 300000'),
    DEFAULT_TIMEOUT_MS,
  ),
  sandbox: fromEnv(
    'VERIFYNOW_SANDBOX',
    leaf('must be true or false (or, in code, an object of sandbox settings)', flag),
  ),
  sandboxCode: secret('VERIFYNOW_SANDBOX_CODE', text('must be 4 to 8 digits', /^\d{4,8}$/)),
  sandboxPort: fromEnv(
    'VERIFYNOW_SANDBOX_PORT',
    digits(0, 65_535, 'must be a port number from 0 to 65535'),
    0,
  ),
  // The URL may hold the Redis password.
  redisUrl: secret(
    'VERIFYNOW_REDIS_URL',
    text('must be a redis:// or rediss:// URL', /^rediss?:\/\/\S+$/),
  ),
  allowedCountries: fromEnv(
    'VERIFYNOW_ALLOWED_COUNTRIES',
    leaf('must list ISO 3166-1 alpha-2 country codes, e.g. IN,ID', countryCodeList),
  ),
  failoverOnAmbiguous: fromEnv(
    'VERIFYNOW_FAILOVER_ON_AMBIGUOUS',
    leaf('must be true or false', flag),
    false,
  ),
  maxRequestsPerSecond: fromEnv(
    'VERIFYNOW_MAX_REQUESTS_PER_SECOND',
    digits(0, 100_000, 'must be an integer from 0 (no cap) to 100000 requests per second'),
    50,
  ),
};
const {
  sandbox,
  sandboxCode,
  sandboxPort,
  redisUrl,
  allowedCountries,
  failoverOnAmbiguous,
  ...TOP_LEVEL
} = ENV;

/**
 * Every option of `VerifyNowModuleOptions` and no other key, at any depth; the
 * application's own objects (a Redis client, a ledger, a storage, a function) are
 * taken whole. `sandbox` is `[switch, settings]`: the public type folds both into one.
 *
 * @internal
 */
export const OPTIONS = check.strict({
  ...TOP_LEVEL,
  sandbox: v.tuple([sandbox, check.strict({ code: sandboxCode, port: sandboxPort })]),
  maxQueuedRequests: int(0, 1_000_000, 1000),
  failover: section('must be an object: { onAmbiguous }', { onAmbiguous: failoverOnAmbiguous }),
  circuitBreaker: orFalse(
    section('must be false or { consecutiveFailures, halfOpenAfterMs }', {
      consecutiveFailures: int(1, 1000, 5),
      halfOpenAfterMs: int(1, 3_600_000, 30_000),
    }),
    {},
  ),
  tokenRetry: VERIFYNOW_TOKEN_RETRY,
  // The defaults NIST SP 800-63B and OWASP ASVS call for.
  guard: section('must be an object of @RequireOtp() defaults', {
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
  }),
  store: section('must be an object, e.g. { redis: { url } }', {
    redis: section('must be an object: { url } or { client }', {
      url: redisUrl,
      client: implementing<VerifyNowRedisClient>(
        'must be an ioredis client',
        'evalsha',
        'eval',
        'hgetall',
      ),
      keyPrefix: v.optional(
        leaf('must be a string of at most 100 characters without spaces', (value) =>
          typeof value === 'string' && /^\S{0,100}$/.test(value) ? value : undefined,
        ),
        'verifynow:',
      ),
    }),
    ledger: implementing<VerifyNowStore>(
      'must implement VerifyNowStore (record, get, claim, settle)',
      'record',
      'get',
      'claim',
      'settle',
    ),
    ledgerTtlSeconds: int(60, 86_400, 900, 'number of seconds '),
  }),
  limits: orFalse(
    section('must be false or an object of send limits', {
      perPhoneNumber: orFalse(rate, { limit: 5, ttlSeconds: 600 }),
      perClientIp: orFalse(rate, { limit: 20, ttlSeconds: 3600 }),
      allowedCountries,
      storage: implementing<ThrottlerStorage>(
        'must implement ThrottlerStorage (increment)',
        'increment',
      ),
    }),
    {},
  ),
});

/** The variable behind each option, by its name in `VERIFYNOW_ENV_VARS`. @internal */
export const ENV_VARIABLES = Object.fromEntries(
  Object.entries(ENV).map(([name, { env }]) => [name, env]),
) as {
  readonly [K in keyof typeof ENV]: (typeof ENV)[K]['env'];
};
/** Where in `OPTIONS` each option a variable sets sits, and the keys each object declares. @internal */
export const { paths: ENV_PATHS, keys: KNOWN_KEYS } = mapOptions(OPTIONS, ENV);
