/**
 * The public types of VerifyNow's sandbox, re-exported from
 * `lib/sandbox/verifynow.sandbox.ts` (and the package root).
 */
import { VerihubsSandboxOptions } from '../../verihubs/sandbox/verihubs-sandbox.types';

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
  /**
   * The providers whose routes the sandbox serves; `GET /sandbox/outbox` is
   * served whatever they are.
   * @defaultValue ['verifynow', 'verihubs']
   */
  providers?: readonly ('verifynow' | 'verihubs')[];
  /**
   * Settings of the Verihubs routes (`/v2/otp/*` and `/v2/whatsapp/otp/*`, each
   * also under `/sandbox`). Its `code` defaults to the `code` above, its `now`
   * to the `now` above.
   */
  verihubs?: VerihubsSandboxOptions;
}

/** A code the sandbox "sent": what a real account would have delivered by SMS. */
export interface VerifyNowSandboxMessage {
  /** The provider that "sent" it; always set by the sandbox, optional for compatibility. */
  provider?: 'verifynow';
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
