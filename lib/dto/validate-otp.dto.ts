import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { ValidateOtpInput } from '../interfaces/verifynow-otp.interface';
import { VERIFICATION_ID, VERIFICATION_ID_EXPECTED } from '../otp/proof-input.util';

const numberToString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;

/**
 * Request body of a validation: the id the send returned and the code the user
 * typed. Use it with Nest's `ValidationPipe` and pass it to
 * `VerifyNowService.validateOtp()` as it is.
 *
 * @example { "verificationId": "2949", "code": "123456" }
 */
export class ValidateOtpDto implements ValidateOtpInput {
  /** The id returned when the code was sent. */
  @Transform(numberToString)
  @IsString({ message: VERIFICATION_ID_EXPECTED })
  @Matches(VERIFICATION_ID, { message: VERIFICATION_ID_EXPECTED })
  verificationId!: string;

  /** The code the user received: 4 to 8 digits. */
  @IsString({ message: 'code must be the 4 to 8 digits the user received, as a string' })
  @Matches(/^\d{4,8}$/, { message: 'code must be the 4 to 8 digits the user received' })
  code!: string;
}
