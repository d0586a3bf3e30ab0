import { HttpStatus } from '@nestjs/common';
import { VerifyNowException } from '../errors/verifynow.exception';

/** Why `@RequireOtp()` refused a request. */
export const OTP_STEP_UP_ERRORS = {
  /** No proof came with the request. */
  OTP_REQUIRED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'This action needs a one-time code: repeat it with the verification id and the code.',
  },
  /** The verification was not issued by this application (or is long gone). */
  OTP_UNKNOWN: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'This verification was not issued here; request a new code.',
  },
  /** No signed-in subject with a phone number was found on the request. */
  OTP_SUBJECT_UNKNOWN: {
    status: HttpStatus.UNAUTHORIZED,
    message:
      'No phone number is known for the signed-in user (is the request authenticated?), so no code can be sent or checked.',
  },
  /** The verification was issued for another phone number. */
  OTP_SUBJECT_MISMATCH: {
    status: HttpStatus.FORBIDDEN,
    message: 'This verification belongs to someone else.',
  },
  /** The verification was issued for another action. */
  OTP_PURPOSE_MISMATCH: {
    status: HttpStatus.FORBIDDEN,
    message: 'This verification was issued for another action; request a new code.',
  },
  /** The verification is older than the route accepts, or its code expired. */
  OTP_EXPIRED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The code has expired; request a new one.',
  },
  /** A code was already accepted for this verification: each proves one action. */
  OTP_ALREADY_USED: {
    status: HttpStatus.CONFLICT,
    message: 'This code was already used; request a new one.',
  },
  /** Another request is checking the same verification right now. */
  OTP_IN_PROGRESS: {
    status: HttpStatus.CONFLICT,
    message: 'This code is being checked by another request.',
  },
  /**
   * A code sent to this number for another action is still pending: no new code
   * goes out until it expires (`Retry-After`); the first code still works for
   * its own action.
   */
  OTP_CHALLENGE_PENDING: {
    status: HttpStatus.CONFLICT,
    message: 'A code sent for another action is still pending; try again when it expires.',
  },
  /** Too many wrong codes for this verification. */
  OTP_TOO_MANY_ATTEMPTS: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    message: 'Too many wrong codes; request a new one.',
  },
  /** The code is wrong. */
  OTP_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The code is wrong.',
  },
} as const;

/** A reason `@RequireOtp()` refuses a request, e.g. `'OTP_PURPOSE_MISMATCH'`. */
export type OtpStepUpErrorCode = keyof typeof OTP_STEP_UP_ERRORS;

/**
 * `@RequireOtp()` (or `VerifyNowStepUpService.verify()`) refused a request; `codeName`
 * says why, with one code per reason (see {@link OTP_STEP_UP_ERRORS}).
 */
export class OtpStepUpException extends VerifyNowException {
  constructor(
    code: OtpStepUpErrorCode,
    details: {
      /** The upstream code behind the refusal, if any (e.g. 702). */
      responseCode?: number;
      attemptsLeft?: number;
      verificationId?: string;
      expiresIn?: number;
      /** Seconds until the refusal may end, sent as `Retry-After`. */
      retryAfterSeconds?: number;
      /** Extra words for logs. */
      reason?: string;
    } = {},
  ) {
    const { status, message } = OTP_STEP_UP_ERRORS[code];
    super({
      status,
      codeName: code,
      responseCode: details.responseCode ?? null,
      publicMessage: message,
      detail: `OTP step-up refused: ${code}${details.reason ? ` (${details.reason})` : ''}`,
      expose: true,
      retryAfterSeconds: details.retryAfterSeconds,
      extra: {
        verificationId: details.verificationId,
        expiresIn: details.expiresIn,
        attemptsLeft: details.attemptsLeft,
      },
    });
  }
}

/**
 * A protected route was called without a proof. When the guard sent a code, the
 * body carries `verificationId` and `expiresIn`; repeat the request with the
 * verification id and the code in the proof headers.
 */
export class OtpRequiredException extends OtpStepUpException {
  constructor(challenge?: { verificationId: string; expiresIn: number }) {
    super('OTP_REQUIRED', challenge ?? {});
  }
}

/**
 * `@RequireOtp()` cannot work as set up: an unsupported execution context, a
 * `purpose` function that returned no string, no `VerifyNowModule` in the
 * application. Answered as a generic 500 (the end user cannot fix it); the
 * message, logged, says what to change.
 */
export class OtpStepUpConfigurationException extends VerifyNowException {
  constructor(detail: string) {
    super({
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      codeName: 'OTP_STEP_UP_MISCONFIGURED',
      responseCode: null,
      publicMessage: '',
      detail: `@RequireOtp() is misconfigured: ${detail}`,
      expose: false,
    });
  }
}
