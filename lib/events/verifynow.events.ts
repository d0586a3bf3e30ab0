import type {
  OtpProviderName,
  VerifyNowFlowType,
} from '../interfaces/verifynow-module-options.interface';

/**
 * The name of every event a verification's life raises, for
 * `@OnEvent(VERIFYNOW_EVENTS.otpVerified)` (or `@OnEvent('verifynow.otp.verified')`,
 * `@OnEvent('verifynow.**')` with wildcards on) and `VerifyNowEvents.subscribe()`.
 */
export const VERIFYNOW_EVENTS = {
  /** A code went out (or one still pending was handed back: `pending`). */
  otpSent: 'verifynow.otp.sent',
  /** A send was refused before any upstream call: a send limit or the country allowlist. */
  otpSendRefused: 'verifynow.otp.send_refused',
  /** A send failed at the upstream, or could not reach it. */
  otpSendFailed: 'verifynow.otp.send_failed',
  /** A send went on to the next provider: the first certainly sent nothing. */
  otpFailover: 'verifynow.otp.failover',
  /** The provider's delivery callback says the message reached the phone. */
  otpDelivered: 'verifynow.otp.delivered',
  /** The provider's delivery callback says the message did not reach the phone. */
  otpUndelivered: 'verifynow.otp.undelivered',
  /** The upstream confirmed a code. */
  otpVerified: 'verifynow.otp.verified',
  /** A wrong code was tried. */
  otpWrongCode: 'verifynow.otp.wrong_code',
  /** A verification took its last wrong code (or the upstream locked it): it proves nothing now. */
  otpLocked: 'verifynow.otp.locked',
  /** A code was tried after it expired. */
  otpExpired: 'verifynow.otp.expired',
  /** A validation was refused for another reason: unknown, used, busy, upstream down. */
  otpValidationRefused: 'verifynow.otp.validation_refused',
  /** Step-up sent a code for an action (or handed back a pending one). */
  stepUpChallenged: 'verifynow.step_up.challenged',
  /** Step-up accepted a proof for an action. */
  stepUpPassed: 'verifynow.step_up.passed',
  /** Step-up refused an action, with its refusal code. */
  stepUpRefused: 'verifynow.step_up.refused',
} as const;

/** One of {@link VERIFYNOW_EVENTS}' names. */
export type VerifyNowEventName = (typeof VERIFYNOW_EVENTS)[keyof typeof VERIFYNOW_EVENTS];

/**
 * What every event carries. Never a code, a full phone number, a key or a token:
 * the number is masked (`+62********9429`).
 */
export interface VerifyNowEventBase {
  /** When it happened, in milliseconds since the epoch. */
  at: number;
  /** The verification, when one was issued. */
  verificationId: string | null;
  /** The masked phone number, when known. */
  phone: string | null;
  /** The provider that sent (or was to send) the code. */
  provider: OtpProviderName | null;
  /** The channel of the code. */
  channel: VerifyNowFlowType | null;
  /** What the code is for (a step-up's action), or `null`. */
  purpose: string | null;
  /** Whether the verification is a step-up's. */
  stepUp: boolean;
  /** When its code was sent, in milliseconds since the epoch, when one was. */
  sentAt: number | null;
  /** How long the call that raised it took, in milliseconds, when it was a call. */
  latencyMs: number | null;
}

/** `verifynow.otp.sent` */
export interface OtpSentEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpSent;
  /** True when nothing went out: a code pending for the number was handed back. */
  pending: boolean;
  /** Seconds the code lives. */
  expiresInSeconds: number;
}

/** `verifynow.otp.send_refused` */
export interface OtpSendRefusedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpSendRefused;
  /** Which rule refused it. */
  reason: 'phoneNumber' | 'clientIp' | 'pendingCode' | 'country';
  /** The error the caller got, e.g. `'TOO_MANY_OTP_REQUESTS'`. */
  error: string;
}

/** `verifynow.otp.send_failed` */
export interface OtpSendFailedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpSendFailed;
  /** The error the caller got, e.g. `'UPSTREAM_UNAVAILABLE'`. */
  error: string;
  /** The upstream's HTTP status, when it answered. */
  upstreamStatus: number | null;
}

/** `verifynow.otp.failover`: `provider` failed, `to` is tried next. */
export interface OtpFailoverEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpFailover;
  /** The provider tried next. */
  to: OtpProviderName;
  /** Why `provider` certainly sent nothing, e.g. `'CIRCUIT_OPEN'`. */
  error: string;
}

/** `verifynow.otp.delivered` and `verifynow.otp.undelivered` */
export interface OtpDeliveryEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpDelivered | typeof VERIFYNOW_EVENTS.otpUndelivered;
  /** The provider's own status number. */
  status: number;
  /** Milliseconds from the send to this report. */
  deliveryLatencyMs: number;
}

/** `verifynow.otp.verified` */
export interface OtpVerifiedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpVerified;
}

/** `verifynow.otp.wrong_code` */
export interface OtpWrongCodeEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpWrongCode;
  /** Wrong codes tried so far, this one included. */
  failedAttempts: number;
  /** Wrong codes it still takes before it is locked. */
  attemptsLeft: number;
}

/** `verifynow.otp.locked` */
export interface OtpLockedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpLocked;
  /** Wrong codes tried against it. */
  failedAttempts: number;
}

/** `verifynow.otp.expired` */
export interface OtpExpiredEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpExpired;
}

/** `verifynow.otp.validation_refused` */
export interface OtpValidationRefusedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.otpValidationRefused;
  /** The error the caller got, e.g. `'OTP_UNKNOWN'`, `'UPSTREAM_UNAVAILABLE'`. */
  error: string;
}

/** `verifynow.step_up.challenged` */
export interface StepUpChallengedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.stepUpChallenged;
  /** True when a code pending for the same action was handed back. */
  pending: boolean;
}

/** `verifynow.step_up.passed` */
export interface StepUpPassedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.stepUpPassed;
}

/** `verifynow.step_up.refused` */
export interface StepUpRefusedEvent extends VerifyNowEventBase {
  /** Its name in `VERIFYNOW_EVENTS`. */
  name: typeof VERIFYNOW_EVENTS.stepUpRefused;
  /** The refusal's code, e.g. `'OTP_INVALID'`, `'OTP_REQUIRED'`, `'UPSTREAM_UNAVAILABLE'`. */
  code: string;
}

/** Every event, told apart by `name`. */
export type VerifyNowEvent =
  | OtpSentEvent
  | OtpSendRefusedEvent
  | OtpSendFailedEvent
  | OtpFailoverEvent
  | OtpDeliveryEvent
  | OtpVerifiedEvent
  | OtpWrongCodeEvent
  | OtpLockedEvent
  | OtpExpiredEvent
  | OtpValidationRefusedEvent
  | StepUpChallengedEvent
  | StepUpPassedEvent
  | StepUpRefusedEvent;

/** The payload type of the event called `Name`. */
export type VerifyNowEventOf<Name extends VerifyNowEventName> = VerifyNowEvent extends infer Event
  ? Event extends { name: infer Names }
    ? Name extends Names
      ? Event
      : never
    : never
  : never;
