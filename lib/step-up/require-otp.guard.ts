import {
  CanActivate,
  ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  Type,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import {
  OtpRequiredException,
  OtpStepUpConfigurationException,
  OtpStepUpException,
} from './otp-step-up.exception';
import type { RequireOtpOptions } from '../interfaces/require-otp-options.interface';
import { claimDefaultPurpose, defaultPurpose } from './default-purpose.util';
import {
  OtpRequest,
  ProofMark,
  holderOf,
  proofInHeaders,
  invocationOf,
  readMark,
  requestOf,
  writeMark,
} from './otp-invocation.util';
import { REQUIRE_OTP_METADATA, RequireOtpSettings } from './require-otp.metadata';
import {
  OTP_GUARD_FAMILY,
  actingGuard,
  guardOrderHint,
  isApplicationGuard,
  isDecoratorGuard,
  where,
} from './step-up-guard-order.util';
import { StepUpServices, stepUpServices } from './step-up.services';
import type { StepUpDecision } from './step-up.report';
import { announced } from '../events/step-up-refusals';
import type { OtpProof } from './verifynow-step-up.service';

/**
 * Enforces `@RequireOtp()`, which applies it by itself: after global and
 * controller-level guards, so that authentication has set `request.user`.
 * Registering it globally too (`APP_GUARD`) stays valid: one check, by the
 * guard the decorator applied. It works in a controller of any module, and
 * finds the request in HTTP (Express, Fastify) and GraphQL contexts; any other
 * context is refused unless a subclass overrides {@link RequireOtpGuard.getRequest} and is
 * applied with `@UseGuards()` on the route or controller.
 *
 * A request without proof gets 401 `OTP_REQUIRED`; when `autoSend` is on, the
 * guard first sends a code and the 401 carries its `verificationId` and
 * `expiresIn`. The client repeats the request with the `x-otp-verification-id`
 * and `x-otp-code` headers; `VerifyNowStepUpService` decides. One proof passes
 * one guarded invocation; it is spent when the handler runs, and given back
 * when only input validation refused the request. Every hook is `protected`.
 */
@Injectable()
export class RequireOtpGuard implements CanActivate {
  protected readonly logger = new Logger(RequireOtpGuard.name);
  private readonly warned = new Set<string>();

  constructor(
    protected readonly reflector: Reflector,
    protected readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.getAllAndOverride<RequireOtpOptions | undefined>(
      REQUIRE_OTP_METADATA,
      [context.getHandler(), context.getClass()],
    );
    if (route === undefined) {
      return true;
    }
    const self = this.constructor as Type<unknown>;
    // Another guard of this family checks this route (the one @RequireOtp() applied).
    const actor = actingGuard(context);
    if (actor !== undefined && actor !== self) {
      // A subclass registered globally lends its hooks to the check, at the
      // decorator's place in the guard order.
      if (isApplicationGuard(self)) {
        nominees.set(context, this);
      }
      return true;
    }
    const checker = isDecoratorGuard(self) ? (nominees.get(context) ?? this) : this;
    const decision: StepUpDecision = {};
    try {
      return await checker.check(context, route, decision);
    } catch (error) {
      stepUpServices(this.moduleRef)?.report.refused(error, decision); // once, whoever refused
      throw error;
    }
  }

  /** The check itself, once the guard knows it is the one to make it. */
  private async check(
    context: ExecutionContext,
    route: RequireOtpOptions,
    decision: StepUpDecision,
  ): Promise<boolean> {
    const request = this.getRequest(context);
    const holder = holderOf(context, request);
    const invocation = invocationOf(context);
    const mark = readMark(holder);
    if (mark !== undefined) {
      if (mark.invocation === invocation && mark.verified !== undefined) {
        return true;
      }
      throw new OtpStepUpException('OTP_ALREADY_USED', {
        reason: 'one proof passes one guarded action, and this request already used it',
      });
    }
    const proof = this.readProof(request);
    // Before any await: of the invocations one request runs (GraphQL fields in
    // parallel), the first to present the proof owns it, whatever comes of it.
    const owned: ProofMark | undefined = proof === undefined ? undefined : { invocation };
    if (owned !== undefined) {
      writeMark(holder, owned);
    }
    const settings = this.getSettings(route);
    const purpose = (decision.purpose = this.getPurpose(context, request, route));
    decision.verificationId = proof?.verificationId;
    const phoneNumber = await this.resolvePhoneNumber(request, settings);
    if (phoneNumber === undefined) {
      throw this.subjectUnknown(context);
    }
    if (proof === undefined || owned === undefined) {
      return this.requireProof(request, phoneNumber, purpose, settings);
    }
    const spent = await this.module().stepUp.spend(proof, {
      phoneNumber,
      purpose,
      maxAgeSeconds: settings.maxAgeSeconds,
    });
    owned.verified = spent.verified;
    owned.spent = spent;
    return true;
  }

  /**
   * The request the proof travels with: HTTP and GraphQL are read as they come;
   * override this for another transport (RPC, WebSocket).
   */
  protected getRequest(context: ExecutionContext): OtpRequest {
    const request = requestOf(context);
    if (request === undefined) {
      throw this.misconfigured(
        `${where(context)} runs in a '${context.getType()}' context, where no HTTP request can be read: subclass RequireOtpGuard, override getRequest(), and apply your guard with @UseGuards() on the route or controller`,
      );
    }
    return request;
  }

  /** The route's options over the module's `guard` defaults. */
  protected getSettings(route: RequireOtpOptions): RequireOtpSettings {
    const defaults = this.module().options.guard;
    return {
      resolvePhoneNumber: route.resolvePhoneNumber ?? defaults.resolvePhoneNumber,
      autoSend: route.autoSend ?? defaults.autoSend,
      maxAgeSeconds: route.maxAgeSeconds ?? defaults.maxAgeSeconds,
      flowType: route.flowType ?? defaults.flowType,
    };
  }

  /**
   * What the proof must have been issued for: the route's `purpose`, else one
   * unique to the handler (its method, matched path, version and name).
   */
  protected getPurpose(
    context: ExecutionContext,
    request: OtpRequest,
    route: RequireOtpOptions,
  ): string {
    if (typeof route.purpose === 'string') {
      return route.purpose;
    }
    if (route.purpose === undefined) {
      return this.uniquePurpose(context, defaultPurpose(context, request));
    }
    let purpose: unknown;
    try {
      purpose = route.purpose(request);
    } catch (error) {
      if (error instanceof HttpException) {
        throw error;
      }
      throw this.misconfigured(`the purpose function of ${where(context)} threw`);
    }
    if (typeof purpose !== 'string' || purpose.trim() === '') {
      throw this.misconfigured(
        `the purpose function of ${where(context)} returned ${typeof purpose === 'string' ? 'an empty string' : String(purpose === null ? 'null' : typeof purpose)}; it must return a non-empty string`,
      );
    }
    return purpose;
  }

  /** The subject's phone number, or `undefined` when none can be found. */
  protected async resolvePhoneNumber(
    request: OtpRequest,
    settings: RequireOtpSettings,
  ): Promise<string | undefined> {
    if (settings.resolvePhoneNumber === undefined) {
      this.warnOnce(
        'no-resolver',
        'No guard.resolvePhoneNumber is configured: @RequireOtp() routes cannot send codes and refuse every proof.',
      );
      return undefined;
    }
    const phone = await settings.resolvePhoneNumber(request);
    return typeof phone === 'string' && phone.length > 0 ? phone : undefined;
  }

  /** The proof in the request's headers, or `undefined` when there is none. */
  protected readProof(request: OtpRequest): OtpProof | undefined {
    return proofInHeaders(request, this.module().options.guard.headers);
  }

  /** The client's IP address, for the per-IP send limit. */
  protected getClientIp(request: OtpRequest): string | undefined {
    return request.ip;
  }

  /** Answers a request without proof: 401 `OTP_REQUIRED`, after sending a code when it can. */
  protected async requireProof(
    request: OtpRequest,
    phoneNumber: string,
    purpose: string,
    settings: RequireOtpSettings,
  ): Promise<never> {
    if (!settings.autoSend) {
      throw new OtpRequiredException();
    }
    const sent = await this.module().stepUp.challenge({
      phoneNumber,
      purpose,
      clientIp: this.getClientIp(request),
      flowType: settings.flowType,
    });
    const challenge = new OtpRequiredException({
      verificationId: sent.verificationId,
      expiresIn: sent.timeoutSeconds,
    });
    // Announced as `step_up.challenged` with the send: not a refusal as well.
    announced.add(challenge);
    throw challenge;
  }

  /** A default purpose, refused (fail closed) should two handlers of the application share it. */
  private uniquePurpose(context: ExecutionContext, purpose: string): string {
    if (!claimDefaultPurpose(this.module().options, purpose, context.getHandler())) {
      throw this.misconfigured(
        `${where(context)} and another handler share the default purpose "${purpose}": give one of them @RequireOtp({ purpose })`,
      );
    }
    return purpose;
  }

  /** The refusal when no signed-in subject has a phone number, with a hint at the guard order. */
  private subjectUnknown(context: ExecutionContext): OtpStepUpException {
    const hint = guardOrderHint(context);
    this.warnOnce(
      `subject:${where(context)}`,
      `@RequireOtp() on ${where(context)} found no phone number for the request: ${hint}.`,
    );
    return new OtpStepUpException('OTP_SUBJECT_UNKNOWN', {
      reason: `guard.resolvePhoneNumber found no phone number: is the request signed in? ${hint}`,
    });
  }

  private misconfigured(detail: string): OtpStepUpConfigurationException {
    const error = new OtpStepUpConfigurationException(detail);
    this.logger.error(error.message);
    return error;
  }

  private warnOnce(key: string, message: string): void {
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.logger.warn(message);
    }
  }

  /** The module's services; without a `VerifyNowModule` in the application, a 500 that says so. */
  private module(): StepUpServices {
    const services = stepUpServices(this.moduleRef);
    if (services === undefined) {
      throw this.misconfigured(
        'VerifyNowModule is not part of this application: import VerifyNowModule.forRoot() (or forRootAsync()) once, e.g. in AppModule',
      );
    }
    return services;
  }
}

Object.defineProperty(RequireOtpGuard.prototype, OTP_GUARD_FAMILY, { value: true });

/** A subclass registered globally, per invocation, whose hooks the decorator's guard uses. */
const nominees = new WeakMap<ExecutionContext, RequireOtpGuard>();
