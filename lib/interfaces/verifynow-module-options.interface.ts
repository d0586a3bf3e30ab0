import type { VerihubsModuleOptions } from './verihubs-options.interface';
import type { VerifyNowFlowType } from '../config/verifynow-config.constants';
import type { VerifyNowGuardOptions } from './require-otp-options.interface';
import type {
  VerifyNowLimitsOptions,
  VerifyNowStoreOptions,
} from './verifynow-state-options.interface';

// The channels live with the configuration, which checks them; re-exported for existing imports.
export { VERIFYNOW_FLOW_TYPES, type VerifyNowFlowType } from '../config/verifynow-config.constants';

/** The upstream API generation: `'v3'` (current) or `'v2'` (legacy paths). */
export type VerifyNowApiVersion = 'v2' | 'v3';

/** When to stop calling an upstream that keeps failing. */
export interface VerifyNowCircuitBreakerOptions {
  /**
   * Consecutive failures (network error, timeout, HTTP 5xx, a body that is not
   * JSON) that open the breaker. Business answers (702, 705, 800...) never count.
   * @defaultValue 5
   */
  consecutiveFailures?: number;
  /**
   * How long the breaker stays open before one probe call may test the upstream.
   * @defaultValue 30000
   */
  halfOpenAfterMs?: number;
}

/** How the token request is retried (send and validate never are, once they may have arrived). */
export interface VerifyNowTokenRetryOptions {
  /** @defaultValue 3 */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. @defaultValue 250 */
  baseDelayMs?: number;
  /** Longest backoff delay, and longest `Retry-After` honoured. @defaultValue 5000 */
  maxDelayMs?: number;
}

/** Settings of the embedded sandbox, when it runs. */
export interface VerifyNowSandboxModuleOptions {
  /**
   * A fixed code for every verification, for your own end-to-end tests.
   * When unset, each verification gets a random code.
   * Environment: `VERIFYNOW_SANDBOX_CODE`.
   * @example '123456'
   */
  code?: string;
  /**
   * The loopback port the sandbox listens on.
   * Environment: `VERIFYNOW_SANDBOX_PORT`.
   * @defaultValue 0 (any free port)
   */
  port?: number;
}

/**
 * Options of `VerifyNowModule.forRoot()` / `forRootAsync()`.
 *
 * Every option falls back to its environment variable when not given in code, so
 * `VerifyNowModule.forRoot()` alone configures the module from the environment.
 * Credentials are one of: `customerId` + `password`, `customerId` + `key`, or
 * `authToken`. Without them, turn the embedded sandbox on with `sandbox: true`
 * (`VERIFYNOW_SANDBOX=true`); it starts by itself only when `NODE_ENV` is
 * `development` or `test`. A key these options do not declare, at any depth,
 * stops the boot like a bad value does.
 */
export interface VerifyNowModuleOptions {
  /**
   * The Message Central account id. Environment: `VERIFYNOW_CUSTOMER_ID`.
   * @example 'C-33432A5F49F7404'
   */
  customerId?: string;
  /**
   * The account password, in plain text; the module Base64-encodes it.
   * Environment: `VERIFYNOW_PASSWORD`.
   */
  password?: string;
  /**
   * The account password already Base64-encoded (the upstream's `key`).
   * Environment: `VERIFYNOW_KEY`.
   */
  key?: string;
  /**
   * A pre-issued auth token. The module then makes no token call, and a 401 is
   * an authentication error. Environment: `VERIFYNOW_AUTH_TOKEN`.
   */
  authToken?: string;
  /**
   * The account's country (dial code such as `'91'`), sent with the token request.
   * Environment: `VERIFYNOW_COUNTRY`.
   */
  country?: string;
  /** The account's e-mail, sent with the token request. Environment: `VERIFYNOW_EMAIL`. */
  email?: string;
  /**
   * The upstream's base URL. Environment: `VERIFYNOW_BASE_URL`.
   * @defaultValue 'https://cpaas.messagecentral.com'
   */
  baseUrl?: string;
  /**
   * `'v3'` for the current paths, `'v2'` for the legacy `/verification/v2/verification/*`
   * paths. Environment: `VERIFYNOW_API_VERSION`.
   * @defaultValue 'v3'
   */
  apiVersion?: VerifyNowApiVersion;
  /**
   * Dial code applied to numbers given without one, e.g. `'91'`.
   * Environment: `VERIFYNOW_DEFAULT_COUNTRY_CODE`.
   */
  defaultCountryCode?: string;
  /**
   * The channel used when a send names none. Environment: `VERIFYNOW_FLOW_TYPE`.
   * @defaultValue 'SMS'
   */
  defaultFlowType?: VerifyNowFlowType;
  /**
   * Digits in a code, 4 to 8. Environment: `VERIFYNOW_OTP_LENGTH`.
   * @defaultValue 6
   */
  otpLength?: number;
  /**
   * Deadline of each upstream request in milliseconds. Environment: `VERIFYNOW_TIMEOUT_MS`.
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Run against the embedded sandbox instead of the upstream: `true`, or its settings.
   * The sandbox uses its own credentials: setting credentials too is a configuration
   * error, and so is asking for it when `NODE_ENV` is `production`, where it never runs.
   * When unset, it starts by itself only if no credentials are configured and
   * `NODE_ENV` is `development` or `test`; otherwise, with no credentials, the boot
   * stops and says how to turn it on. Environment: `VERIFYNOW_SANDBOX`.
   */
  sandbox?: boolean | VerifyNowSandboxModuleOptions;
  /**
   * Most upstream requests started in any one-second window: by the whole fleet
   * with the Redis store (every instance on that Redis counts together), by this
   * instance without it. Excess requests wait in a queue instead of being refused
   * upstream. `0` turns the cap off.
   * Environment: `VERIFYNOW_MAX_REQUESTS_PER_SECOND`.
   * @defaultValue 50
   */
  maxRequestsPerSecond?: number;
  /**
   * Requests that may wait for the rate cap; beyond, calls fail at once with 503
   * `OUTBOUND_QUEUE_FULL`. A request also gives up after waiting `timeoutMs`.
   * @defaultValue 1000
   */
  maxQueuedRequests?: number;
  /** The circuit breaker in front of the upstream; `false` turns it off. */
  circuitBreaker?: VerifyNowCircuitBreakerOptions | false;
  /**
   * The upstreams to send through, in order of preference; the next is tried only
   * when a send certainly did not go out (see `failover`). By default every
   * configured one, VerifyNow first; the embedded sandbox stands in for VerifyNow
   * alone unless this names more. Environment: `VERIFYNOW_PROVIDERS`, e.g. `verihubs,verifynow`.
   */
  providers?: OtpProviderName[];
  /** Verihubs, the second upstream. */
  verihubs?: VerihubsModuleOptions;
  /** When a send goes to the next of several `providers`. */
  failover?: VerifyNowFailoverOptions;
  /** Retries of the token request. */
  tokenRetry?: VerifyNowTokenRetryOptions;
  /** Module-wide defaults of `@RequireOtp()` routes, e.g. how to find the user's phone. */
  guard?: VerifyNowGuardOptions;
  /** Where the verification ledger and send counters live: memory (default) or Redis. */
  store?: VerifyNowStoreOptions;
  /**
   * Send limits: per phone number (5 per 10 minutes), per client IP (20 per hour),
   * and an optional country allowlist. `false` turns every limit off.
   */
  limits?: VerifyNowLimitsOptions | false;
  /**
   * OpenTelemetry spans and metrics, through `@opentelemetry/api` when the
   * application has it (nothing otherwise); `false` turns them off. Lifecycle
   * events (`VerifyNowEvents`) are delivered either way.
   * Environment: `VERIFYNOW_TELEMETRY`.
   * @defaultValue true
   */
  telemetry?: boolean;
}

/** The upstreams the module speaks. */
export type OtpProviderName = 'verifynow' | 'verihubs';

/**
 * When a send goes to the next provider. It always does when the send certainly
 * did not go out: breaker open, connection refused before the request was
 * written, authentication refused, quota used up, rate limited.
 */
export interface VerifyNowFailoverOptions {
  /**
   * Also after an ambiguous failure (a timeout, a reset after the request was
   * written, a 5xx), where the first provider may have sent the code: the user may
   * then get two messages for one click. Environment: `VERIFYNOW_FAILOVER_ON_AMBIGUOUS`.
   * @defaultValue false
   */
  onAmbiguous?: boolean;
}
