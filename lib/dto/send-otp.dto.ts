import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { VERIFYNOW_FLOW_TYPES } from '../interfaces/verifynow-module-options.interface';
import type { VerifyNowFlowType } from '../interfaces/verifynow-module-options.interface';
import { SendOtpInput } from '../interfaces/verifynow-otp.interface';
import { IsE164PhoneNumber, IsExclusiveWith } from './is-e164-phone-number.decorator';

const upperCase = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;

/**
 * Numeric strings become numbers; anything else is left for the validators to
 * refuse. (class-transformer's `@Type(() => Number)` would call `Number()` on any
 * object, and `{"toString": 0}` in a JSON body would then throw a TypeError: a 500.)
 */
const numericString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : value;

/**
 * Request body of a send: a phone number in E.164 form, or a national number
 * with its dial code. Use it with Nest's `ValidationPipe` (`transform: true`) and
 * pass it to `VerifyNowService.sendOtp()` as it is.
 *
 * @example { "phoneNumber": "+919999999999" }
 * @example { "countryCode": "91", "mobileNumber": "9999999999", "flowType": "WHATSAPP" }
 */
export class SendOtpDto implements SendOtpInput {
  /** The receiver in E.164 form, e.g. `+919999999999`. Required unless `mobileNumber` is given. */
  // null means "not given" throughout, as for @IsOptional(): without mobileNumber, phoneNumber is required.
  @ValidateIf((dto: SendOtpDto) => dto.phoneNumber != null || dto.mobileNumber == null)
  @IsE164PhoneNumber({
    message:
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999 (or give countryCode and mobileNumber)',
  })
  @IsExclusiveWith(['countryCode', 'mobileNumber'])
  phoneNumber?: string;

  /** The receiver's dial code, e.g. `91`; defaults to the module's `defaultCountryCode`. */
  @IsOptional()
  @IsString({ message: 'countryCode must be a string of digits, e.g. "91"' })
  @Matches(/^\+?[1-9]\d{0,3}$/, {
    message: 'countryCode must be a dial code of 1 to 4 digits, e.g. 91',
  })
  countryCode?: string;

  /** The receiver's number without its country code, e.g. `9999999999`. */
  @IsOptional()
  @IsString({ message: 'mobileNumber must be a string of digits, e.g. "9999999999"' })
  @Matches(/^\d{4,15}$/, {
    message: 'mobileNumber must be 4 to 15 digits without the country code, e.g. 9999999999',
  })
  mobileNumber?: string;

  /** The channel: `SMS` (default), `WHATSAPP`, `RCS` or `SAUTH`. */
  @IsOptional()
  @Transform(upperCase)
  @IsIn(VERIFYNOW_FLOW_TYPES, {
    message: `flowType must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}`,
  })
  flowType?: VerifyNowFlowType;

  /** Digits in the code, 4 to 8; defaults to the module's `otpLength` (6). */
  @IsOptional()
  @Transform(numericString)
  @IsInt({ message: 'otpLength must be an integer from 4 to 8' })
  @Min(4, { message: 'otpLength must be an integer from 4 to 8' })
  @Max(8, { message: 'otpLength must be an integer from 4 to 8' })
  otpLength?: number;
}
