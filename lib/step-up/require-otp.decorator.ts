import {
  CustomDecorator,
  ExecutionContext,
  SetMetadata,
  createParamDecorator,
} from '@nestjs/common';
import type { RequireOtpOptions } from '../interfaces/require-otp-options.interface';
import type { VerifiedOtp } from './verifynow-step-up.service';

/** Metadata key under which `@RequireOtp()` stores its options. */
export const REQUIRE_OTP_METADATA = 'verifynow:require-otp';

/** Where the guard leaves the accepted proof on the request. @internal */
export const VERIFIED_OTP_KEY = Symbol('verifynow:verified-otp');

/**
 * Puts OTP step-up on a route or a whole controller: `RequireOtpGuard` (registered
 * globally, or with `@UseGuards`) lets a request through only with a fresh,
 * unused proof issued for this subject and this purpose.
 *
 * @example
 * @RequireOtp()
 * @Post('transfer')
 * transfer(@Body() body: TransferDto) { ... }
 * @example
 * @RequireOtp({ purpose: 'password-change', maxAgeSeconds: 300 })
 */
export const RequireOtp = (options: RequireOtpOptions = {}): CustomDecorator<string> =>
  SetMetadata(REQUIRE_OTP_METADATA, options);

/** The proof `RequireOtpGuard` accepted for this request, if any. */
export function getVerifiedOtp(request: unknown): VerifiedOtp | undefined {
  return request !== null && typeof request === 'object'
    ? (request as { [VERIFIED_OTP_KEY]?: VerifiedOtp })[VERIFIED_OTP_KEY]
    : undefined;
}

/**
 * Injects the proof `RequireOtpGuard` accepted: `{ verificationId, purpose, verifiedAt }`.
 *
 * @example transfer(@VerifiedOtpProof() proof: VerifiedOtp) { audit.log(proof.verificationId); }
 */
export const VerifiedOtpProof = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedOtp | undefined =>
    getVerifiedOtp(context.switchToHttp().getRequest()),
);
