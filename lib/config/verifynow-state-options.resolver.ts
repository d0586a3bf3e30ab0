import type { ThrottlerStorage } from '@nestjs/throttler';
import {
  VERIFYNOW_FLOW_TYPES,
  VerifyNowFlowType,
  VerifyNowModuleOptions,
} from '../interfaces/verifynow-module-options.interface';
import type { ResolvePhoneNumber } from '../interfaces/require-otp-options.interface';
import type { VerifyNowRateLimit } from '../interfaces/verifynow-state-options.interface';
import type { VerifyNowRedisClient } from '../redis/redis-client';
import type { VerifyNowStore } from '../store/verifynow-store.interface';

/** `@RequireOtp()` defaults, checked. @internal */
export interface ResolvedGuardOptions {
  resolvePhoneNumber: ResolvePhoneNumber | undefined;
  autoSend: boolean;
  maxAgeSeconds: number;
  maxFailedAttempts: number;
  flowType: VerifyNowFlowType | undefined;
  /** Lower-case header names. */
  headers: { verificationId: string; code: string };
}

/** Where state lives, checked. @internal */
export interface ResolvedStoreOptions {
  redis:
    | { url: string | undefined; client: VerifyNowRedisClient | undefined; keyPrefix: string }
    | undefined;
  ledger: VerifyNowStore | undefined;
  ledgerTtlMs: number;
}

/** Send limits, checked; an absent limit is off. @internal */
export interface ResolvedLimitsOptions {
  perPhoneNumber: VerifyNowRateLimit | undefined;
  perClientIp: VerifyNowRateLimit | undefined;
  allowedCountries: ReadonlySet<string> | undefined;
  storage: ThrottlerStorage | undefined;
}

/** The defaults the issue of NIST SP 800-63B and OWASP ASVS calls for. */
export const DEFAULT_GUARD = {
  autoSend: true,
  maxAgeSeconds: 600,
  maxFailedAttempts: 5,
  headers: { verificationId: 'x-otp-verification-id', code: 'x-otp-code' },
} as const;
export const DEFAULT_LEDGER_TTL_SECONDS = 900;
export const DEFAULT_PHONE_LIMIT: VerifyNowRateLimit = { limit: 5, ttlSeconds: 600 };
export const DEFAULT_IP_LIMIT: VerifyNowRateLimit = { limit: 20, ttlSeconds: 3600 };

const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return isObject(value) && names.every((name) => typeof value[name] === 'function');
}

/**
 * Checks the `guard`, `store` and `limits` options (the ones only code can give,
 * besides the Redis URL and the country allowlist, read by the caller).
 *
 * @internal
 */
export function resolveStateOptions(
  options: Pick<VerifyNowModuleOptions, 'guard' | 'store' | 'limits'>,
  fromEnv: { redisUrl: string | undefined; allowedCountries: string[] | undefined },
  problems: string[],
): { guard: ResolvedGuardOptions; store: ResolvedStoreOptions; limits: ResolvedLimitsOptions } {
  const guard = resolveGuard(options.guard, problems);
  return {
    guard,
    store: resolveStore(options.store, fromEnv.redisUrl, guard.maxAgeSeconds, problems),
    limits: resolveLimits(options.limits, fromEnv.allowedCountries, problems),
  };
}

function resolveGuard(given: unknown, problems: string[]): ResolvedGuardOptions {
  const guard: ResolvedGuardOptions = {
    resolvePhoneNumber: undefined,
    autoSend: DEFAULT_GUARD.autoSend,
    maxAgeSeconds: DEFAULT_GUARD.maxAgeSeconds,
    maxFailedAttempts: DEFAULT_GUARD.maxFailedAttempts,
    flowType: undefined,
    headers: { ...DEFAULT_GUARD.headers },
  };
  if (given === undefined) {
    return guard;
  }
  if (!isObject(given)) {
    problems.push('guard must be an object of @RequireOtp() defaults');
    return guard;
  }
  const { resolvePhoneNumber, autoSend, maxAgeSeconds, maxFailedAttempts, flowType, headers } =
    given;
  if (resolvePhoneNumber !== undefined) {
    if (typeof resolvePhoneNumber === 'function') {
      guard.resolvePhoneNumber = resolvePhoneNumber as ResolvePhoneNumber;
    } else {
      problems.push('guard.resolvePhoneNumber must be a function (request) => E.164 phone number');
    }
  }
  if (autoSend !== undefined) {
    if (typeof autoSend === 'boolean') guard.autoSend = autoSend;
    else problems.push('guard.autoSend must be true or false');
  }
  if (maxAgeSeconds !== undefined) {
    if (isInteger(maxAgeSeconds, 1, 86_400)) guard.maxAgeSeconds = maxAgeSeconds;
    else problems.push('guard.maxAgeSeconds must be an integer number of seconds from 1 to 86400');
  }
  if (maxFailedAttempts !== undefined) {
    if (isInteger(maxFailedAttempts, 1, 20)) guard.maxFailedAttempts = maxFailedAttempts;
    else problems.push('guard.maxFailedAttempts must be an integer from 1 to 20');
  }
  if (flowType !== undefined) {
    if ((VERIFYNOW_FLOW_TYPES as readonly unknown[]).includes(flowType)) {
      guard.flowType = flowType as VerifyNowFlowType;
    } else {
      problems.push(`guard.flowType must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}`);
    }
  }
  if (headers !== undefined) {
    if (!isObject(headers)) {
      problems.push('guard.headers must be an object of header names');
    } else {
      for (const name of ['verificationId', 'code'] as const) {
        const value = headers[name];
        if (value === undefined) continue;
        if (typeof value === 'string' && HEADER_NAME.test(value.toLowerCase())) {
          guard.headers[name] = value.toLowerCase();
        } else {
          problems.push(`guard.headers.${name} must be an HTTP header name, e.g. x-otp-code`);
        }
      }
      if (guard.headers.verificationId === guard.headers.code) {
        problems.push('guard.headers.verificationId and guard.headers.code must differ');
      }
    }
  }
  return guard;
}

function resolveStore(
  given: unknown,
  redisUrl: string | undefined,
  maxAgeSeconds: number,
  problems: string[],
): ResolvedStoreOptions {
  const store: ResolvedStoreOptions = {
    redis: undefined,
    ledger: undefined,
    ledgerTtlMs: DEFAULT_LEDGER_TTL_SECONDS * 1000,
  };
  if (given !== undefined && !isObject(given)) {
    problems.push('store must be an object, e.g. { redis: { url } }');
    return store;
  }
  const { redis, ledger, ledgerTtlSeconds } = given ?? {};
  if (redis !== undefined && !isObject(redis)) {
    problems.push('store.redis must be an object: { url } or { client }');
  }
  const redisOptions = isObject(redis) ? redis : {};
  const client = redisOptions.client;
  if (client !== undefined && !hasMethods(client, ['evalsha', 'eval', 'hgetall'])) {
    problems.push('store.redis.client must be an ioredis client');
  }
  const keyPrefix = redisOptions.keyPrefix ?? 'verifynow:';
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 100 || /\s/.test(keyPrefix)) {
    problems.push(
      'store.redis.keyPrefix must be a string of at most 100 characters without spaces',
    );
  }
  if (redisUrl !== undefined || client !== undefined) {
    store.redis = {
      url: client === undefined ? redisUrl : undefined,
      client: client as VerifyNowRedisClient | undefined,
      keyPrefix: typeof keyPrefix === 'string' ? keyPrefix : 'verifynow:',
    };
  }
  if (ledger !== undefined) {
    if (hasMethods(ledger, ['record', 'get', 'claim', 'settle'])) {
      store.ledger = ledger as unknown as VerifyNowStore;
    } else {
      problems.push('store.ledger must implement VerifyNowStore (record, get, claim, settle)');
    }
  }
  if (ledgerTtlSeconds !== undefined) {
    if (isInteger(ledgerTtlSeconds, 60, 86_400)) {
      store.ledgerTtlMs = ledgerTtlSeconds * 1000;
    } else {
      problems.push('store.ledgerTtlSeconds must be an integer number of seconds from 60 to 86400');
    }
  }
  if (store.ledgerTtlMs < maxAgeSeconds * 1000) {
    problems.push(
      `store.ledgerTtlSeconds (${store.ledgerTtlMs / 1000}) must be at least guard.maxAgeSeconds (${maxAgeSeconds}): the ledger would forget verifications the guard still accepts`,
    );
  }
  return store;
}

function resolveRate(
  given: unknown,
  name: string,
  fallback: VerifyNowRateLimit,
  problems: string[],
): VerifyNowRateLimit | undefined {
  if (given === undefined) return fallback;
  if (given === false) return undefined;
  if (
    isObject(given) &&
    isInteger(given.limit, 1, 1_000_000) &&
    isInteger(given.ttlSeconds, 1, 30 * 86_400)
  ) {
    return { limit: given.limit, ttlSeconds: given.ttlSeconds };
  }
  problems.push(
    `limits.${name} must be false or { limit, ttlSeconds } with whole numbers (limit from 1, ttlSeconds from 1 to 2592000)`,
  );
  return fallback;
}

function resolveLimits(
  given: unknown,
  allowedCountries: string[] | undefined,
  problems: string[],
): ResolvedLimitsOptions {
  if (given === false) {
    return {
      perPhoneNumber: undefined,
      perClientIp: undefined,
      allowedCountries: undefined,
      storage: undefined,
    };
  }
  if (given !== undefined && !isObject(given)) {
    problems.push('limits must be false or an object of send limits');
  }
  const limits = isObject(given) ? given : {};
  let storage: ThrottlerStorage | undefined;
  if (limits.storage !== undefined) {
    if (hasMethods(limits.storage, ['increment'])) {
      storage = limits.storage as unknown as ThrottlerStorage;
    } else {
      problems.push('limits.storage must implement ThrottlerStorage (increment)');
    }
  }
  return {
    perPhoneNumber: resolveRate(
      limits.perPhoneNumber,
      'perPhoneNumber',
      DEFAULT_PHONE_LIMIT,
      problems,
    ),
    perClientIp: resolveRate(limits.perClientIp, 'perClientIp', DEFAULT_IP_LIMIT, problems),
    allowedCountries: allowedCountries === undefined ? undefined : new Set(allowedCountries),
    storage,
  };
}
