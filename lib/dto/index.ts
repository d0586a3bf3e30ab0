export { IsE164PhoneNumber } from './is-e164-phone-number.decorator';
export { SendOtpResponseDto, ValidateOtpResponseDto } from './otp-response.dto';
export { SendOtpDto } from './send-otp.dto';
export { ValidateOtpDto } from './validate-otp.dto';
