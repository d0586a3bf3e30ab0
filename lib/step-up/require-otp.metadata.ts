/** Metadata key under which `@RequireOtp()` stores its options. */
export const REQUIRE_OTP_METADATA = 'verifynow:require-otp';
