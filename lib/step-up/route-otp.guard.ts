import { Injectable } from '@nestjs/common';
import { RequireOtpGuard } from './require-otp.guard';
import { APPLIED_BY_DECORATOR } from './step-up-guard-order.util';

/**
 * The `RequireOtpGuard` that `@RequireOtp()` applies on its route or controller:
 * the one that checks, so that a global registration of `RequireOtpGuard` defers
 * to it and runs no second check.
 *
 * @internal
 */
@Injectable()
export class RouteOtpGuard extends RequireOtpGuard {
  static readonly [APPLIED_BY_DECORATOR] = true;
}
