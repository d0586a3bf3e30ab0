/**
 * The public types of VerifyNow's sandbox, re-exported from
 * `lib/sandbox/verifynow.sandbox.ts` (and the package root).
 */

/** Settings of a `VerifyNowSandbox`. */
export interface VerifyNowSandboxOptions {
  /** Accept only this customer id at the token endpoint; any when unset. */
  customerId?: string;
  /** Accept only this password (sent Base64-encoded as `key`); any when unset. */
  password?: string;
  /** Pre-issued tokens the sandbox accepts besides its own. */
  staticTokens?: readonly string[];
  /**
   * A fixed code for every verification; random digits when unset.
   * @example '123456'
   */
  code?: string;
  /**
   * Lifetime of issued tokens (their JWT `exp`).
   * @defaultValue 3600
   */
  tokenTtlSeconds?: number;
  /**
   * How long a code stays valid (the send's `timeout`).
   * @defaultValue 60
   */
  codeTtlSeconds?: number;
  /**
   * Wrong codes a verification takes; after that it answers 800 MAXIMUM_LIMIT_REACHED.
   * @defaultValue 5
   */
  maxAttempts?: number;
  /** The clock, in milliseconds; tests replace it. @defaultValue Date.now */
  now?: () => number;
}

/** A code the sandbox "sent": what a real account would have delivered by SMS. */
export interface VerifyNowSandboxMessage {
  verificationId: string;
  /** Dial code, e.g. `'91'`. */
  countryCode: string;
  /** Number without the dial code. */
  mobileNumber: string;
  /** `+` dial code and number. */
  phoneNumber: string;
  /** The code itself. */
  code: string;
  flowType: string;
  /** ISO timestamp. */
  sentAt: string;
}

/** How many requests of each kind the sandbox has served. */
export interface VerifyNowSandboxStats {
  token: number;
  send: number;
  validate: number;
}
