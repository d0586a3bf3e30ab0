import { OtpProviderName, VerifyNowFlowType } from './verifynow-module-options.interface';

/** Delivery settings of one send; each falls back to the module's default. */
export interface SendOtpDeliveryOptions {
  /**
   * The channel. Defaults to the module's `defaultFlowType` (`'SMS'`).
   */
  flowType?: VerifyNowFlowType;
  /**
   * Digits in the code, 4 to 8. Defaults to the module's `otpLength` (6).
   */
  otpLength?: number;
}

/**
 * What `VerifyNowService.sendOtp()` takes: the receiver as one E.164 `phoneNumber`,
 * or as `countryCode` + `mobileNumber` (`countryCode` may be left to the module's
 * `defaultCountryCode`). `SendOtpDto` has this shape, so a validated request body
 * can be passed as it is.
 *
 * @example { phoneNumber: '+919999999999' }
 * @example { countryCode: '91', mobileNumber: '9999999999', flowType: 'WHATSAPP' }
 */
export interface SendOtpInput extends SendOtpDeliveryOptions {
  /** E.164, e.g. `'+919999999999'`; a national number when `defaultCountryCode` is set. */
  phoneNumber?: string;
  /** Dial code, e.g. `'91'`; defaults to the module's `defaultCountryCode`. */
  countryCode?: string;
  /** The number without its country code, e.g. `'9999999999'`. */
  mobileNumber?: string;
  /**
   * What the code is for, recorded in the ledger: `@RequireOtp()` accepts a
   * verification only for the purpose it was sent for.
   * @example 'POST /account/transfer'
   */
  purpose?: string;
  /**
   * The end user's IP address, for the per-IP send limit (e.g. Nest's `@Ip()`).
   * Never take it from the request body.
   */
  clientIp?: string;
}

/** What `VerifyNowService.sendOtp()` returns. */
export interface SendOtpResult {
  /** Pass it to `validateOtp()` with the code the user types. */
  verificationId: string;
  /** The upstream that sent it (after a failover, not the first choice); `validateOtp()` goes to it. */
  provider: OtpProviderName;
  /** The receiver's number without its country code. */
  mobileNumber: string;
  /** The receiver's dial code, e.g. `'91'`. */
  countryCode: string;
  /** The channel the code went through. */
  flowType: VerifyNowFlowType;
  /** Seconds the code stays valid, as the upstream says. */
  timeoutSeconds: number;
  /** The upstream's transaction id, when it gives one. */
  transactionId: string | null;
  /**
   * True when no new code was sent because one sent earlier to this number is
   * still valid (upstream code 506 with the pending verification's id); the user
   * should type that earlier code.
   */
  alreadyPending: boolean;
}

/** Where a code is on its way to the user, as the provider's delivery callbacks tell. */
export type OtpDeliveryState =
  | 'requested'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'verified'
  | 'not-verified'
  | 'failed'
  | 'request-error'
  | 'rejected'
  | 'undelivered'
  | 'no-report'
  | 'blocked'
  | 'tier-limit-exceeded'
  | 'unknown';

/** What `VerifyNowService.deliveryStatus()` returns. */
export interface OtpDeliveryStatus {
  verificationId: string;
  /** The provider that sent the code. */
  provider: OtpProviderName;
  /** The latest report's state; `undefined` before any report came. */
  state: OtpDeliveryState | undefined;
  /** Every report, in the order they came, each state once. */
  history: { state: OtpDeliveryState; at: string }[];
}

/** What `VerifyNowService.validateOtp()` takes. */
export interface ValidateOtpInput {
  /** The id `sendOtp()` returned. */
  verificationId: string | number;
  /** The code the user typed: 4 to 8 digits. */
  code: string;
  /**
   * The purpose the code was sent for (`sendOtp({ purpose })`): a verification
   * sent for a purpose is validated only with the same one. Set it in your
   * code, never from the request body.
   */
  purpose?: string;
}

/** The status of a completed verification. */
export type VerifyNowVerificationStatus = 'VERIFICATION_COMPLETED';

/** What `VerifyNowService.validateOtp()` returns; it throws for every other outcome. */
export interface ValidateOtpResult {
  verificationId: string;
  /** The verified number as the upstream reports it (without country code). */
  mobileNumber: string;
  status: VerifyNowVerificationStatus;
  /** The upstream's transaction id, when it gives one. */
  transactionId: string | null;
}
