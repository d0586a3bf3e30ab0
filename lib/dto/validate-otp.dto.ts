import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { ValidateOtpInput } from '../interfaces/verifynow-otp.interface';

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
  @IsString({ message: 'verificationId must be the numeric id returned when the code was sent' })
  @Matches(/^\d{1,19}$/, {
    message: 'verificationId must be the numeric id returned when the code was sent',
  })
  verificationId!: string;

  /** The code the user received: 4 to 8 digits. */
  @IsString({ message: 'code must be the 4 to 8 digits the user received, as a string' })
  @Matches(/^\d{4,8}$/, { message: 'code must be the 4 to 8 digits the user received' })
  code!: string;
}
