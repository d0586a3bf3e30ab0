import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import type { ValidateOtpInput } from '../interfaces/verifynow-otp.interface';

const VERIFICATION_ID = /^\d{1,19}$/;
const CODE = /^\d{4,8}$/;

/** A verification id and a code, checked to have the upstream's shapes. @internal */
export interface CheckedProof {
  verificationId: string;
  code: string;
}

/**
 * Checks the shape of a proof before any store or upstream sees it: the
 * numeric id `sendOtp()` returned, and 4 to 8 digits.
 *
 * @throws VerifyNowInvalidInputException saying which part is wrong.
 * @internal
 */
export function checkProof(input: ValidateOtpInput): CheckedProof {
  if (input === null || typeof input !== 'object') {
    throw new VerifyNowInvalidInputException(
      "validateOtp needs an object such as { verificationId: '123456', code: '123456' }.",
    );
  }
  const verificationId =
    typeof input.verificationId === 'number' && Number.isSafeInteger(input.verificationId)
      ? String(input.verificationId)
      : input.verificationId;
  if (typeof verificationId !== 'string' || !VERIFICATION_ID.test(verificationId)) {
    throw new VerifyNowInvalidInputException(
      'verificationId must be the numeric id that sendOtp returned.',
    );
  }
  if (typeof input.code !== 'string' || !CODE.test(input.code)) {
    throw new VerifyNowInvalidInputException('code must be the 4 to 8 digits the user received.');
  }
  return { verificationId, code: input.code };
}
