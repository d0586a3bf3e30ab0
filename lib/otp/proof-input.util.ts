import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import type { ValidateOtpInput } from '../interfaces/verifynow-otp.interface';

/**
 * The shape of a verification id: VerifyNow's numbers, Verihubs' session ids (UUIDs).
 *
 * @internal
 */
export const VERIFICATION_ID = /^[A-Za-z0-9][\w-]{0,127}$/;
/** What a bad verification id is told. @internal */
export const VERIFICATION_ID_EXPECTED =
  'verificationId must be the id sendOtp returned (letters, digits, _ and -, at most 128)';
const CODE = /^\d{4,8}$/;

/** A verification id and a code, checked to have the upstream's shapes. @internal */
export interface CheckedProof {
  verificationId: string;
  code: string;
}

/**
 * Checks the shape of a proof before any store or upstream sees it: the
 * id `sendOtp()` returned, and 4 to 8 digits.
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
    throw new VerifyNowInvalidInputException(`${VERIFICATION_ID_EXPECTED}.`);
  }
  if (typeof input.code !== 'string' || !CODE.test(input.code)) {
    throw new VerifyNowInvalidInputException('code must be the 4 to 8 digits the user received.');
  }
  return { verificationId, code: input.code };
}
