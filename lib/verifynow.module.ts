import { DynamicModule, Module } from '@nestjs/common';
import { VerifyNowTokenProvider } from './providers/verifynow/verifynow-token.provider';
import { providerModuleProviders } from './providers/provider.registry';
import { VerifyNowHealthIndicator } from './health/verifynow.health-indicator';
import { UpstreamHttpClient } from './http/upstream-http.client';
import { VerifyNowSendLimiter } from './limits/verifynow-send.limiter';
import { OtpSender } from './otp/otp.sender';
import { OtpValidator } from './otp/otp.validator';
import { OtpDeliveryReader } from './otp/otp-delivery.reader';
import { OtpDeliveryReport } from './otp/otp-delivery.report';
import { OtpSendReport } from './otp/otp-send.report';
import { OtpValidationReport } from './otp/otp-validation.report';
import { VerifyNowEvents } from './events/verifynow-events.service';
import { StepUpReport } from './step-up/step-up.report';
import { telemetryProvider } from './telemetry/telemetry.provider';
import { RequireOtpGuard } from './step-up/require-otp.guard';
import { VerifyNowStepUpService } from './step-up/verifynow-step-up.service';
import { VerificationLedger } from './ledger/verification.ledger';
import { VerifyNowStore } from './ledger/verifynow-store.interface';
import { VerifyNowSandbox } from './sandbox/verifynow.sandbox';
import { VERIFYNOW_HTTP_SERVICE } from './verifynow.constants';
import { VERIFYNOW_RESOLVED_OPTIONS } from './verifynow.internal-constants';
import {
  ConfigurableModuleClass,
  VerifyNowModuleForRootOptions,
} from './verifynow.module-definition';
import {
  circuitBreakerProvider,
  clockProvider,
  httpServiceProvider,
  rateLimiterProvider,
  redisProvider,
  resolvedOptionsProvider,
  sandboxProvider,
  storeProvider,
  throttlerStorageProvider,
} from './verifynow.providers';
import { VerifyNowService } from './verifynow.service';

/**
 * Sends and validates one-time passwords through Message Central's VerifyNow.
 *
 * @example
 * // From the environment (VERIFYNOW_CUSTOMER_ID, VERIFYNOW_PASSWORD, ...), or the
 * // embedded sandbox with VERIFYNOW_SANDBOX=true (by itself, without credentials,
 * // only when NODE_ENV is development or test):
 * VerifyNowModule.forRoot()
 * @example
 * VerifyNowModule.forRoot({ customerId: 'C-33432A5F49F7404', password: process.env.MC_PASSWORD })
 * @example
 * VerifyNowModule.forRootAsync(verifyNowConfig.asProvider())
 */
@Module({
  providers: [
    resolvedOptionsProvider,
    sandboxProvider,
    httpServiceProvider,
    clockProvider,
    redisProvider,
    storeProvider,
    throttlerStorageProvider,
    circuitBreakerProvider,
    rateLimiterProvider,
    UpstreamHttpClient,
    ...providerModuleProviders,
    VerificationLedger,
    VerifyNowSendLimiter,
    telemetryProvider,
    VerifyNowEvents,
    OtpSendReport,
    OtpValidationReport,
    OtpDeliveryReport,
    StepUpReport,
    OtpSender,
    OtpValidator,
    OtpDeliveryReader,
    VerifyNowService,
    VerifyNowStepUpService,
    RequireOtpGuard,
    VerifyNowHealthIndicator,
  ],
  exports: [
    VerifyNowEvents,
    VerifyNowHealthIndicator,
    VerifyNowService,
    VerifyNowStepUpService,
    VerifyNowTokenProvider,
    VerifyNowStore,
    RequireOtpGuard,
    VerifyNowSandbox,
    VERIFYNOW_HTTP_SERVICE,
    VERIFYNOW_RESOLVED_OPTIONS,
  ],
})
export class VerifyNowModule extends ConfigurableModuleClass {
  /**
   * Registers the module. Each option not given falls back to its `VERIFYNOW_*`
   * environment variable, so `forRoot()` alone reads the environment.
   *
   * @throws VerifyNowConfigurationError at boot when an option is missing or invalid.
   */
  static override forRoot(options: VerifyNowModuleForRootOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
