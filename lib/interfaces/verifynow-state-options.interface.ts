import type { ThrottlerStorage } from '@nestjs/throttler';
import type { VerifyNowRedisClient } from '../redis/redis.client';
import type { VerifyNowStore } from '../ledger/verifynow-store.interface';

/** Where shared state (the verification ledger and the send counters) lives. */
export interface VerifyNowStoreOptions {
  /**
   * Keep the ledger and the send counters in Redis, shared by every instance of
   * the application: a URL (environment: `VERIFYNOW_REDIS_URL`), or an ioredis
   * client of your own (the module then leaves closing it to you).
   * Needs the `ioredis` package.
   */
  redis?: {
    /** @example 'redis://127.0.0.1:6379/0' */
    url?: string;
    client?: VerifyNowRedisClient;
    /** @defaultValue 'verifynow:' */
    keyPrefix?: string;
  };
  /** A ledger of your own, instead of the in-memory or Redis one. */
  ledger?: VerifyNowStore;
  /**
   * How long the ledger remembers a verification, in seconds; at least the
   * guard's `maxAgeSeconds`.
   * @defaultValue 900
   */
  ledgerTtlSeconds?: number;
}

/** A rate: at most `limit` sends per `ttlSeconds`, in a sliding window. */
export interface VerifyNowRateLimit {
  limit: number;
  ttlSeconds: number;
}

/** Send limits against SMS pumping, checked before any upstream call. */
export interface VerifyNowLimitsOptions {
  /**
   * Sends per phone number; `false` turns the limit off.
   * @defaultValue { limit: 5, ttlSeconds: 600 }
   */
  perPhoneNumber?: VerifyNowRateLimit | false;
  /**
   * Sends per client IP (when the send names one, as the guard does); `false` turns it off.
   * @defaultValue { limit: 20, ttlSeconds: 3600 }
   */
  perClientIp?: VerifyNowRateLimit | false;
  /**
   * ISO 3166-1 alpha-2 codes of the countries codes may go to; all when unset.
   * Environment: `VERIFYNOW_ALLOWED_COUNTRIES` (comma-separated).
   * @example ['IN', 'ID']
   */
  allowedCountries?: string[];
  /**
   * A `@nestjs/throttler` storage of your own for the counters. Default: in memory,
   * or in Redis with `store.redis`.
   */
  storage?: ThrottlerStorage;
}
