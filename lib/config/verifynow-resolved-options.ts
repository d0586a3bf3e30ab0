import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ResolvePhoneNumber } from '../interfaces/require-otp-options.interface';
import type {
  VerifyNowApiVersion,
  VerifyNowCircuitBreakerOptions,
  VerifyNowFlowType,
  VerifyNowSandboxModuleOptions,
  VerifyNowTokenRetryOptions,
} from '../interfaces/verifynow-module-options.interface';
import type { VerifyNowRateLimit } from '../interfaces/verifynow-state-options.interface';
import type { VerifyNowRedisClient } from '../redis/redis.client';
import type { VerifyNowStore } from '../ledger/verifynow-store.interface';

/** The credentials of the embedded sandbox, which takes no others. */
export const SANDBOX_DEFAULT_CREDENTIALS = {
  customerId: 'C-SANDBOX',
  password: 'sandbox',
} as const;

/** How the module authenticates to the upstream. */
export type VerifyNowCredentials =
  /** A token is fetched, cached and refreshed from these; `key` is the Base64 of the password. */
  | { type: 'key'; customerId: string; key: string }
  /** A pre-issued token; never refreshed. */
  | { type: 'token'; customerId: string | undefined; authToken: string };

/**
 * The module's options once checked: every default applied, the mode decided. What
 * the schema (`OPTIONS`) outputs, as the rest of the module reads it.
 *
 * @internal
 */
export interface ResolvedVerifyNowOptions {
  /** `'sandbox'` when the embedded sandbox stands in for the upstream. */
  mode: 'live' | 'sandbox';
  /** Why the sandbox runs: asked for, or chosen because no credentials are set (development and test only). */
  sandboxReason: 'configured' | 'no-credentials' | undefined;
  /** In sandbox mode, always the sandbox's own (`SANDBOX_DEFAULT_CREDENTIALS`). */
  credentials: VerifyNowCredentials;
  country: string | undefined;
  email: string | undefined;
  /** In sandbox mode, replaced by the sandbox's own address once it listens. */
  baseUrl: string;
  apiVersion: VerifyNowApiVersion;
  defaultCountryCode: string | undefined;
  defaultFlowType: VerifyNowFlowType;
  otpLength: number;
  timeoutMs: number;
  sandbox: Required<Pick<VerifyNowSandboxModuleOptions, 'port'>> &
    Pick<VerifyNowSandboxModuleOptions, 'code'>;
  /** Requests started per second; 0 means no cap. */
  maxRequestsPerSecond: number;
  maxQueuedRequests: number;
  /** `undefined` when the breaker is off. */
  circuitBreaker: Required<VerifyNowCircuitBreakerOptions> | undefined;
  tokenRetry: Required<VerifyNowTokenRetryOptions>;
  /** `@RequireOtp()` defaults. */
  guard: ResolvedGuardOptions;
  /** Where the ledger and send counters live. */
  store: ResolvedStoreOptions;
  /** Send limits. */
  limits: ResolvedLimitsOptions;
  /** Values that must never appear in a log line or an error. */
  secrets: readonly string[];
}

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
