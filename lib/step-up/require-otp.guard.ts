import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  RequestMethod,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpRequiredException, OtpStepUpException } from '../errors/otp-step-up.exception';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import type { RequireOtpOptions } from '../interfaces/require-otp-options.interface';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import { REQUIRE_OTP_METADATA, VERIFIED_OTP_KEY, getVerifiedOtp } from './require-otp.decorator';
import { OtpProof, VerifyNowStepUpService } from './verifynow-step-up.service';

/** Route settings with the module's defaults filled in. */
export interface RequireOtpSettings extends Required<
  Pick<RequireOtpOptions, 'autoSend' | 'maxAgeSeconds'>
> {
  resolvePhoneNumber: RequireOtpOptions['resolvePhoneNumber'];
  flowType: RequireOtpOptions['flowType'];
}

/** The parts of an HTTP request the guard reads, on Express and Fastify alike. */
export interface OtpRequest {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  ip?: string;
}

/**
 * Enforces `@RequireOtp()`. Routes without the decorator pass untouched, so it can
 * be registered globally: `{ provide: APP_GUARD, useClass: RequireOtpGuard }`.
 *
 * A request without proof gets 401 `OTP_REQUIRED`; when `autoSend` is on and the
 * subject's phone is known, the guard first sends a code and the 401 carries its
 * `verificationId` and `expiresIn`. The client repeats the request with the
 * `x-otp-verification-id` and `x-otp-code` headers; `VerifyNowStepUpService.verify()`
 * decides. Every hook is `protected`, to subclass (e.g. `getRequest` for GraphQL).
 */
@Injectable()
export class RequireOtpGuard implements CanActivate {
  protected readonly logger = new Logger(RequireOtpGuard.name);
  private warnedNoResolver = false;

  constructor(
    protected readonly reflector: Reflector,
    protected readonly stepUp: VerifyNowStepUpService,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) protected readonly options: ResolvedVerifyNowOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.getAllAndOverride<RequireOtpOptions | undefined>(
      REQUIRE_OTP_METADATA,
      [context.getHandler(), context.getClass()],
    );
    if (route === undefined) {
      return true;
    }
    const request = this.getRequest(context);
    // Registered both globally and on the route, the guard runs twice: one proof, one check.
    if (getVerifiedOtp(request) !== undefined) {
      return true;
    }
    const settings = this.getSettings(route);
    const purpose = this.getPurpose(context, request, route);
    const phoneNumber = await this.resolvePhoneNumber(request, settings);
    const proof = this.readProof(request);
    if (proof === undefined) {
      return this.requireProof(request, phoneNumber, purpose, settings);
    }
    if (phoneNumber === undefined) {
      throw new OtpStepUpException('OTP_SUBJECT_UNKNOWN');
    }
    const verified = await this.stepUp.verify(proof, {
      phoneNumber,
      purpose,
      maxAgeSeconds: settings.maxAgeSeconds,
    });
    (request as { [VERIFIED_OTP_KEY]?: unknown })[VERIFIED_OTP_KEY] = verified;
    return true;
  }

  /** The request the proof travels with. */
  protected getRequest(context: ExecutionContext): OtpRequest {
    return context.switchToHttp().getRequest<OtpRequest>();
  }

  /** The route's options over the module's `guard` defaults. */
  protected getSettings(route: RequireOtpOptions): RequireOtpSettings {
    const defaults = this.options.guard;
    return {
      resolvePhoneNumber: route.resolvePhoneNumber ?? defaults.resolvePhoneNumber,
      autoSend: route.autoSend ?? defaults.autoSend,
      maxAgeSeconds: route.maxAgeSeconds ?? defaults.maxAgeSeconds,
      flowType: route.flowType ?? defaults.flowType,
    };
  }

  /** What the proof must have been issued for: the route's `purpose`, else its method and path. */
  protected getPurpose(
    context: ExecutionContext,
    request: OtpRequest,
    route: RequireOtpOptions,
  ): string {
    if (typeof route.purpose === 'function') {
      return route.purpose(request);
    }
    return route.purpose ?? routeOf(context);
  }

  /** The subject's phone number, or `undefined` when none can be found. */
  protected async resolvePhoneNumber(
    request: OtpRequest,
    settings: RequireOtpSettings,
  ): Promise<string | undefined> {
    if (settings.resolvePhoneNumber === undefined) {
      if (!this.warnedNoResolver) {
        this.warnedNoResolver = true;
        this.logger.warn(
          'No guard.resolvePhoneNumber is configured: @RequireOtp() routes cannot send codes and refuse every proof.',
        );
      }
      return undefined;
    }
    const phone = await settings.resolvePhoneNumber(request);
    return typeof phone === 'string' && phone.length > 0 ? phone : undefined;
  }

  /** The proof in the request's headers, or `undefined` when there is none. */
  protected readProof(request: OtpRequest): OtpProof | undefined {
    const names = this.options.guard.headers;
    const verificationId = request.headers[names.verificationId];
    const code = request.headers[names.code];
    if (verificationId === undefined && code === undefined) {
      return undefined;
    }
    if (typeof verificationId !== 'string' || typeof code !== 'string') {
      throw new VerifyNowInvalidInputException(
        `Send the proof as one ${names.verificationId} header and one ${names.code} header.`,
      );
    }
    return { verificationId: verificationId.trim(), code: code.trim() };
  }

  /** The client's IP address, for the per-IP send limit. */
  protected getClientIp(request: OtpRequest): string | undefined {
    return request.ip;
  }

  /** Answers a request without proof: 401 `OTP_REQUIRED`, after sending a code when it can. */
  protected async requireProof(
    request: OtpRequest,
    phoneNumber: string | undefined,
    purpose: string,
    settings: RequireOtpSettings,
  ): Promise<never> {
    if (!settings.autoSend || phoneNumber === undefined) {
      throw new OtpRequiredException();
    }
    const sent = await this.stepUp.challenge({
      phoneNumber,
      purpose,
      clientIp: this.getClientIp(request),
      flowType: settings.flowType,
    });
    throw new OtpRequiredException({
      verificationId: sent.verificationId,
      expiresIn: sent.timeoutSeconds,
    });
  }
}

/**
 * The route's method and path template, e.g. `'POST /account/transfer'`, from the
 * metadata of Nest's routing decorators (the same on every platform).
 */
function routeOf(context: ExecutionContext): string {
  const handler = context.getHandler();
  const controller = context.getClass();
  const first = (value: unknown): string =>
    Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : '';
  const method = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
  const path = [
    first(Reflect.getMetadata('path', controller)),
    first(Reflect.getMetadata('path', handler)),
  ]
    .join('/')
    .split('/')
    .filter((part) => part.length > 0)
    .join('/');
  if (method === undefined) {
    return `${controller.name}.${handler.name}`;
  }
  return `${RequestMethod[method]} /${path}`;
}
