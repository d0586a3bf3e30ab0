import type { VerifyNowFlowType } from '../config/verifynow-config.constants';

/**
 * Returns the E.164 phone number of the subject the request acts for (the
 * signed-in user), or `null`/`undefined` when there is none.
 *
 * @example (request) => request.user?.phoneNumber
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request type is the platform's
export type ResolvePhoneNumber<TRequest = any> = (
  request: TRequest,
) => string | null | undefined | Promise<string | null | undefined>;

/** Options of one `@RequireOtp()` route; each falls back to the module's `guard` option. */
export interface RequireOtpOptions {
  /**
   * What the code proves, so that a code sent for one action cannot pass another:
   * a string, or a function of the request to bind the proof to a resource too.
   * A function that returns anything but a non-empty string fails closed (500,
   * logged as a configuration problem).
   * @defaultValue one per handler: its method, matched path (prefixes included),
   *   version and name, e.g. `'POST /account/transfer (AccountController.transfer)'`
   * @example (request) => `transfer:${request.params.accountId}`
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request type is the platform's
  purpose?: string | ((request: any) => string);
  /** Finds the subject's phone number; see {@link ResolvePhoneNumber}. */
  resolvePhoneNumber?: ResolvePhoneNumber;
  /**
   * Send a code when a request comes without proof and the phone number is known.
   * @defaultValue true
   */
  autoSend?: boolean;
  /**
   * How old a verification may be, from its send, in seconds.
   * @defaultValue 600
   */
  maxAgeSeconds?: number;
  /** The channel of codes the guard sends. @defaultValue the module's `defaultFlowType` */
  flowType?: VerifyNowFlowType;
}

/** Module-wide settings of `RequireOtpGuard` (the `guard` option of `forRoot`). */
export interface VerifyNowGuardOptions extends Omit<RequireOtpOptions, 'purpose'> {
  /**
   * Wrong codes a verification takes before the guard refuses it without asking the upstream.
   * @defaultValue 5
   */
  maxFailedAttempts?: number;
  /** Names of the request headers that carry the proof. */
  headers?: {
    /** @defaultValue 'x-otp-verification-id' */
    verificationId?: string;
    /** @defaultValue 'x-otp-code' */
    code?: string;
  };
}
