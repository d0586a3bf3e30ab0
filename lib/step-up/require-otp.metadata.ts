import type { RequireOtpOptions } from '../interfaces/require-otp-options.interface';

/** Metadata key under which `@RequireOtp()` stores its options. */
export const REQUIRE_OTP_METADATA = 'verifynow:require-otp';

/** Route settings with the module's defaults filled in. */
export interface RequireOtpSettings extends Required<
  Pick<RequireOtpOptions, 'autoSend' | 'maxAgeSeconds'>
> {
  resolvePhoneNumber: RequireOtpOptions['resolvePhoneNumber'];
  flowType: RequireOtpOptions['flowType'];
}
