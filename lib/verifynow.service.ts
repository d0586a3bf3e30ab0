import { OtpDeliveryReader } from './otp/otp-delivery.reader';
import { Injectable } from '@nestjs/common';
import { OtpStepUpException } from './step-up/otp-step-up.exception';
import { exceptionForResponseCode } from './providers/verifynow/verifynow-code.exceptions';
import type {
  SendOtpInput,
  OtpDeliveryStatus,
  SendOtpResult,
  ValidateOtpInput,
  ValidateOtpResult,
} from './interfaces/verifynow-otp.interface';
import { OtpSender } from './otp/otp.sender';
import { OtpValidator } from './otp/otp.validator';
import { checkProof } from './otp/proof-input.util';

/**
 * Sends and validates one-time passwords through VerifyNow.
 *
 * Every method checks its input before any upstream call, ends within the
 * module's `timeoutMs` (auth token, its retries and a refresh after a 401
 * included), and either returns a typed result or throws a typed
 * `VerifyNowException`. Every send is recorded in the verification ledger, and
 * a validation is checked against it first. Nothing it logs or throws carries a
 * secret, a code or a full phone number.
 */
@Injectable()
export class VerifyNowService {
  /** @internal Nest builds it. */
  constructor(
    private readonly sender: OtpSender,
    private readonly validator: OtpValidator,
    private readonly deliveries: OtpDeliveryReader,
  ) {}

  /**
   * Sends a code to a phone number, after checking the send limits, and records
   * the verification in the ledger (with its `purpose`, if given).
   *
   * @example
   * const { verificationId } = await verifyNow.sendOtp({ phoneNumber: '+919999999999' });
   * @returns the verification to validate; `alreadyPending: true` when a code sent
   *   earlier to this number for the same purpose is still valid and no new one was sent.
   * @throws VerifyNowInvalidInputException (400) for a malformed number, channel,
   *   length, purpose or client IP.
   * @throws TooManyOtpRequestsException (429) and OtpCountryNotAllowedException (403)
   *   from the send limits, before any upstream call.
   * @throws OtpStepUpException `OTP_CHALLENGE_PENDING` (409, `Retry-After`) when a code
   *   sent to this number for another purpose is still pending; its id is never returned.
   * @throws VerifyNowException subclasses for the upstream's error codes
   *   (e.g. `MaximumLimitReachedException`, `InvalidCountryCodeException`),
   *   `VerifyNowAuthenticationException`, `VerifyNowUnavailableException`.
   */
  sendOtp(input: SendOtpInput): Promise<SendOtpResult> {
    return this.sender.send(input, false);
  }

  /**
   * Checks the code a user typed. The ledger is read first: an id this
   * application did not send (or that another instance sent, without a shared
   * Redis store), or that was sent for another `purpose`, or by `@RequireOtp()`,
   * is refused without asking the upstream; wrong codes count there, and after
   * `guard.maxFailedAttempts` of them the verification is locked.
   *
   * @example
   * await verifyNow.validateOtp({ verificationId, code: '123456' });
   * @example
   * await verifyNow.validateOtp({ verificationId, code, purpose: 'email-change' });
   * @returns the completed verification; only `VERIFICATION_COMPLETED` returns.
   * @throws VerifyNowInvalidInputException (400) for a malformed id or code.
   * @throws OtpStepUpException `OTP_UNKNOWN` (401), `OTP_TOO_MANY_ATTEMPTS` (429) or
   *   `OTP_IN_PROGRESS` (409) from the ledger, with no upstream call.
   * @throws WrongOtpProvidedException, VerificationExpiredException,
   *   AlreadyVerifiedException, MaximumLimitReachedException and the other typed
   *   errors for every other outcome.
   */
  async validateOtp(input: ValidateOtpInput): Promise<ValidateOtpResult> {
    const proof = checkProof(input);
    const purpose = input.purpose ?? null;
    try {
      const { result } = await this.validator.validate(proof, (record) => {
        if (record.stepUp || record.purpose !== purpose) {
          throw new OtpStepUpException('OTP_UNKNOWN', {
            reason: record.stepUp
              ? 'issued by @RequireOtp(): only the step-up service validates it'
              : 'issued for another purpose',
          });
        }
      });
      return (
        result ?? {
          verificationId: proof.verificationId,
          mobileNumber: '',
          status: 'VERIFICATION_COMPLETED',
          transactionId: null,
        }
      );
    } catch (error) {
      // What the ledger knows as used, the upstream would answer 703.
      if (error instanceof OtpStepUpException && error.codeName === 'OTP_ALREADY_USED') {
        throw exceptionForResponseCode(703, { operation: 'validate' });
      }
      throw error;
    }
  }

  /**
   * What the provider's delivery callbacks said of a verification so far
   * (Verihubs with `verihubs.callback`): the latest state and every report.
   *
   * @example
   * const delivery = await verifyNow.deliveryStatus(verificationId);
   * if (delivery?.state === 'undelivered') offerAnotherChannel();
   * @returns `undefined` for a verification the ledger does not have (unknown or expired).
   */
  deliveryStatus(verificationId: string): Promise<OtpDeliveryStatus | undefined> {
    return this.deliveries.status(verificationId);
  }
}
