import {
  SendOtpResult,
  ValidateOtpResult,
  VerifyNowVerificationStatus,
} from '../interfaces/verifynow-otp.interface';
import { VerifyNowFlowType } from '../interfaces/verifynow-module-options.interface';
import { maskPhoneNumber } from '../redaction/redact.util';

/**
 * What an endpoint may answer after a send: the verification id and delivery
 * facts, with the phone number masked to its last four digits.
 */
export class SendOtpResponseDto {
  /** Send it back with the code to validate. */
  verificationId!: string;
  /** The receiver, masked: `+********0001`. */
  phoneNumber!: string;
  /** The channel the code went through. */
  flowType!: VerifyNowFlowType;
  /** Seconds the code stays valid. */
  expiresIn!: number;
  /** True when a code sent earlier is still valid and no new one was sent. */
  alreadyPending!: boolean;

  /** Builds the answer from `sendOtp()`'s result. */
  static fromResult(result: SendOtpResult): SendOtpResponseDto {
    return Object.assign(new SendOtpResponseDto(), {
      verificationId: result.verificationId,
      phoneNumber: maskPhoneNumber(`+${result.countryCode}${result.mobileNumber}`),
      flowType: result.flowType,
      expiresIn: result.timeoutSeconds,
      alreadyPending: result.alreadyPending,
    });
  }
}

/** What an endpoint may answer after a successful validation. */
export class ValidateOtpResponseDto {
  verificationId!: string;
  /** Always `VERIFICATION_COMPLETED`: every other outcome is an error. */
  status!: VerifyNowVerificationStatus;

  /** Builds the answer from `validateOtp()`'s result. */
  static fromResult(result: ValidateOtpResult): ValidateOtpResponseDto {
    return Object.assign(new ValidateOtpResponseDto(), {
      verificationId: result.verificationId,
      status: result.status,
    });
  }
}
