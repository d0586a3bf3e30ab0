/** @internal The checked options, defaults applied (`ResolvedVerifyNowOptions`). */
export const VERIFYNOW_RESOLVED_OPTIONS = 'VERIFYNOW:RESOLVED_OPTIONS';

/** @internal The clock the token cache reads; tests replace it. */
export const VERIFYNOW_CLOCK = 'VERIFYNOW:CLOCK';

/** A source of the current time in milliseconds, e.g. a test's fake clock. */
export interface VerifyNowClock {
  now(): number;
}

/** @internal */
export const SYSTEM_CLOCK: VerifyNowClock = { now: () => Date.now() };

/** @internal The `ThrottlerStorage` the send limits count in. */
export const VERIFYNOW_THROTTLER_STORAGE = 'VERIFYNOW:THROTTLER_STORAGE';

/** @internal The Redis connection, when state is shared (`VerifyNowRedisConnection`). */
export const VERIFYNOW_REDIS = 'VERIFYNOW:REDIS';

/** @internal The `UpstreamCircuitBreaker`. */
export const VERIFYNOW_CIRCUIT_BREAKER = 'VERIFYNOW:CIRCUIT_BREAKER';

/** @internal VerifyNow's `RateCap` (the fleet's with Redis, else this instance's), or `null` without a cap. */
export const VERIFYNOW_RATE_LIMITER = 'VERIFYNOW:RATE_LIMITER';

/** @internal The `VerifyNowTelemetry` (OpenTelemetry, or nothing without it). */
export const VERIFYNOW_TELEMETRY = 'VERIFYNOW:TELEMETRY';
