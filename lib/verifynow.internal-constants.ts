/** @internal The checked options, defaults applied (`ResolvedVerifyNowOptions`). */
export const VERIFYNOW_RESOLVED_OPTIONS = 'VERIFYNOW:RESOLVED_OPTIONS';

/** @internal The clock the token cache reads; tests replace it. */
export const VERIFYNOW_CLOCK = 'VERIFYNOW:CLOCK';

/** @internal A source of the current time in milliseconds. */
export interface VerifyNowClock {
  now(): number;
}

/** @internal */
export const SYSTEM_CLOCK: VerifyNowClock = { now: () => Date.now() };
