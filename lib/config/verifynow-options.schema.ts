import * as v from 'valibot';
import { knownDialCode } from '../phone/phone-number.util';
import type { VerifyNowRedisClient } from '../redis/redis.client';
import type { VerifyNowStore } from '../ledger/verifynow-store.interface';
import * as check from '../validation/option.checks';
import { mapOptions } from '../validation/option-tree.util';
import { VERIFYNOW_OPTIONS, VERIFYNOW_TOKEN_RETRY } from '../providers/verifynow/verifynow.options';
import { VERIHUBS_ENV, VERIHUBS_SECTION } from '../providers/verihubs/verihubs.options';
import { providerList } from '../providers/providers.options';
import { ALLOWED_COUNTRIES, LIMITS_SECTION } from '../limits/send-limit.options';
import { GUARD_SECTION } from '../step-up/step-up.options';
import {
  DEFAULT_OTP_LENGTH,
  DEFAULT_TIMEOUT_MS,
  VERIFYNOW_FLOW_TYPES,
} from './verifynow-config.constants';

const { digits, flag, fromEnv, implementing, int, leaf, oneOf, orFalse, secret, section, text } =
  check;

const FLOW_TYPE = `must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}`;

/** Top-level options a variable can set. */
const TOP_LEVEL = {
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
  maxRequestsPerSecond: fromEnv(
    'VERIFYNOW_MAX_REQUESTS_PER_SECOND',
    digits(0, 100_000, 'must be an integer from 0 (no cap) to 100000 requests per second'),
    50,
  ),
  providers: fromEnv('VERIFYNOW_PROVIDERS', providerList),
  telemetry: fromEnv('VERIFYNOW_TELEMETRY', leaf('must be true or false', flag), true),
};
/** Options deeper in, set by a variable. */
const NESTED = {
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
  allowedCountries: ALLOWED_COUNTRIES,
  failoverOnAmbiguous: fromEnv(
    'VERIFYNOW_FAILOVER_ON_AMBIGUOUS',
    leaf('must be true or false', flag),
    false,
  ),
  ...VERIHUBS_ENV,
};
/**
 * The options a variable can set, by their names in `VERIFYNOW_ENV_VARS`: each with
 * its variable, check and message, conversion, default and secrecy.
 */
const ENV = { ...TOP_LEVEL, ...NESTED };
const { sandbox, sandboxCode, sandboxPort, redisUrl, failoverOnAmbiguous } = NESTED;

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
  verihubs: VERIHUBS_SECTION,
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
  guard: GUARD_SECTION,
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
  limits: LIMITS_SECTION,
});

/** The variable behind each option, by its name in `VERIFYNOW_ENV_VARS`. @internal */
export const ENV_VARIABLES = Object.fromEntries(
  Object.entries(ENV).map(([name, { env }]) => [name, env]),
) as {
  readonly [K in keyof typeof ENV]: (typeof ENV)[K]['env'];
};
/** Where in `OPTIONS` each option a variable sets sits, and the keys each object declares. @internal */
export const { paths: ENV_PATHS, keys: KNOWN_KEYS } = mapOptions(OPTIONS, ENV);
