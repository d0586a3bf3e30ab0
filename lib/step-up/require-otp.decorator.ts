import {
  ExecutionContext,
  SetMetadata,
  UseGuards,
  UseInterceptors,
  createParamDecorator,
} from '@nestjs/common';
import type { RequireOtpOptions } from '../interfaces/require-otp-options.interface';
import { trackHandler } from './handler-runs.tracker';
import { holderOf, invocationOf, readMark, requestOf } from './otp-invocation.util';
import { OtpProofInterceptor } from './otp-proof.interceptor';
import { REQUIRE_OTP_METADATA } from './require-otp.metadata';
import { RouteOtpGuard } from './route-otp.guard';
import type { VerifiedOtp } from './verified-otp.model';

type Handler = (...args: unknown[]) => unknown;

/**
 * Puts OTP step-up on a route or a whole controller, and applies the guard that
 * enforces it (after global and controller-level guards, so that authentication
 * runs first): a request passes only with a fresh, unused proof issued for this
 * subject and this purpose. Works in a controller or resolver of any module.
 *
 * On a route, write it above a route-level `@UseGuards(AuthGuard)`, so that the
 * auth guard runs first. The handler is wrapped to know when it starts: a proof
 * refused only by input validation can be used once more.
 *
 * @example
 * @RequireOtp()
 * @Post('transfer')
 * transfer(@Body() body: TransferDto) { ... }
 * @example
 * @RequireOtp({ purpose: 'password-change', maxAgeSeconds: 300 })
 * @throws Error at startup for a `purpose` that is neither a non-empty string nor a function.
 */
export function RequireOtp(options: RequireOtpOptions = {}): ClassDecorator & MethodDecorator {
  const { purpose } = options;
  if (
    purpose !== undefined &&
    typeof purpose !== 'function' &&
    (typeof purpose !== 'string' || purpose.trim() === '')
  ) {
    throw new Error(
      '@RequireOtp({ purpose }) takes a non-empty string or a function (request) => string.',
    );
  }
  const decorators = [
    SetMetadata(REQUIRE_OTP_METADATA, options),
    UseGuards(RouteOtpGuard),
    UseInterceptors(OtpProofInterceptor),
  ];
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor !== undefined) {
      descriptor.value = trackHandler(descriptor.value as Handler);
      for (const decorate of decorators) decorate(target, key as string | symbol, descriptor);
      return descriptor;
    }
    trackMethods((target as { prototype: object }).prototype);
    for (const decorate of decorators) (decorate as ClassDecorator)(target as never);
    return target;
  }) as ClassDecorator & MethodDecorator;
}

/** Wraps the handlers a controller declares itself, so that each reports its start. */
function trackMethods(prototype: object): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    if (name !== 'constructor' && typeof descriptor?.value === 'function' && descriptor.writable) {
      Object.defineProperty(prototype, name, {
        ...descriptor,
        value: trackHandler(descriptor.value as Handler),
      });
    }
  }
}

/** The proof `@RequireOtp()` accepted for this request, if any. */
export function getVerifiedOtp(request: unknown): VerifiedOtp | undefined {
  return request !== null && typeof request === 'object' ? readMark(request)?.verified : undefined;
}

/**
 * Injects the proof `@RequireOtp()` accepted for this handler invocation:
 * `{ verificationId, purpose, verifiedAt }`, on HTTP and GraphQL.
 *
 * @example transfer(@VerifiedOtpProof() proof: VerifiedOtp) { audit.log(proof.verificationId); }
 */
export const VerifiedOtpProof = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedOtp | undefined => {
    const mark = readMark(holderOf(context, requestOf(context)));
    return mark?.invocation === invocationOf(context) ? mark.verified : undefined;
  },
);
