export { VerifyNowModule } from './verifynow.module';
export type {
  VerifyNowModuleAsyncOptions,
  VerifyNowModuleForRootOptions,
  VerifyNowOptionsFactory,
} from './verifynow.module-definition';
export { VerifyNowService } from './verifynow.service';
export { VerifyNowTokenProvider } from './providers/verifynow/verifynow-token.provider';
export {
  VerifyNowHealthIndicator,
  type VerifyNowHealthDetails,
  type VerifyNowProviderHealth,
} from './health/verifynow.health-indicator';
export type { VerifyNowRateCapHealth, VerifyNowStoreHealth } from './health/store.health';
export type { CircuitBreakerState } from './resilience/upstream-circuit.breaker';
export { VerifyNowEvents, type VerifyNowEventListener } from './events/verifynow-events.service';
export {
  VERIFYNOW_EVENTS,
  type OtpDeliveryEvent,
  type OtpExpiredEvent,
  type OtpFailoverEvent,
  type OtpLockedEvent,
  type OtpSendFailedEvent,
  type OtpSendRefusedEvent,
  type OtpSentEvent,
  type OtpValidationRefusedEvent,
  type OtpVerifiedEvent,
  type OtpWrongCodeEvent,
  type StepUpChallengedEvent,
  type StepUpPassedEvent,
  type StepUpRefusedEvent,
  type VerifyNowEvent,
  type VerifyNowEventBase,
  type VerifyNowEventName,
  type VerifyNowEventOf,
} from './events/verifynow.events';

export { RequireOtp, VerifiedOtpProof, getVerifiedOtp } from './step-up/require-otp.decorator';
export { REQUIRE_OTP_METADATA, type RequireOtpSettings } from './step-up/require-otp.metadata';
export { RequireOtpGuard } from './step-up/require-otp.guard';
export type { OtpRequest } from './step-up/otp-invocation.util';
export { VerifiedOtp } from './step-up/verified-otp.model';
export {
  VerifyNowStepUpService,
  type OtpChallengeInput,
  type OtpProof,
  type OtpProofExpectations,
} from './step-up/verifynow-step-up.service';
export type {
  RequireOtpOptions,
  ResolvePhoneNumber,
  VerifyNowGuardOptions,
} from './interfaces/require-otp-options.interface';
export type {
  VerifyNowLimitsOptions,
  VerifyNowRateLimit,
  VerifyNowStoreOptions,
} from './interfaces/verifynow-state-options.interface';
export {
  VerifyNowStore,
  type VerificationClaim,
  type VerificationEntry,
  type VerificationOutcome,
  type VerificationRecord,
  type VerificationState,
  type DeliveryOutcome,
  type DeliveryReport,
} from './ledger/verifynow-store.interface';
export { InMemoryVerifyNowStore } from './ledger/in-memory-verifynow.store';
export { RedisVerifyNowStore } from './ledger/redis-verifynow.store';
export { RedisThrottlerStorage } from './limits/redis-throttler.storage';
export type { VerifyNowRedisClient } from './redis/redis.client';
export { VERIFYNOW_HTTP_SERVICE, VERIFYNOW_MODULE_OPTIONS } from './verifynow.constants';

export { verifyNowConfig } from './config/verifynow.config';
export {
  VERIFYNOW_ENV_VARS,
  readVerifyNowEnv,
  type EnvironmentSource,
  type VerifyNowEnvOptions,
} from './config/verifynow-env';
export { verifyNowOptionsFromEnv } from './config/verifynow-options.resolver';

export {
  VERIFYNOW_FLOW_TYPES,
  type VerifyNowApiVersion,
  type VerifyNowFlowType,
  type VerifyNowModuleOptions,
  type VerifyNowCircuitBreakerOptions,
  type VerifyNowSandboxModuleOptions,
  type VerifyNowTokenRetryOptions,
  type VerifyNowFailoverOptions,
  type OtpProviderName,
} from './interfaces/verifynow-module-options.interface';
export type { VerihubsModuleOptions } from './interfaces/verihubs-options.interface';
export type {
  OtpDeliveryState,
  OtpDeliveryStatus,
  SendOtpDeliveryOptions,
  SendOtpInput,
  SendOtpResult,
  ValidateOtpInput,
  ValidateOtpResult,
  VerifyNowVerificationStatus,
} from './interfaces/verifynow-otp.interface';

export {
  IsE164PhoneNumber,
  SendOtpDto,
  SendOtpResponseDto,
  ValidateOtpDto,
  ValidateOtpResponseDto,
} from './dto';
export { VerifyNowExceptionFilter } from './filters/verifynow-exception.filter';

export {
  VerifyNowException,
  VerifyNowInvalidInputException,
  type VerifyNowErrorBody,
  type VerifyNowErrorDetails,
  type VerifyNowOperation,
} from './errors/verifynow.exception';
export {
  VerifyNowAuthenticationException,
  VerifyNowCircuitOpenException,
  VerifyNowOverloadedException,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
} from './http/upstream.exceptions';
export {
  AlreadyVerifiedException,
  DuplicateResourceException,
  InvalidCountryCodeException,
  InvalidCustomerIdException,
  InvalidVerificationIdException,
  MaximumLimitReachedException,
  RequestAlreadyExistsException,
  ServerErrorException,
  VerificationExpiredException,
  VerificationFailedException,
  VerifyNowBadRequestException,
  VerifyNowCodeException,
  WrongOtpProvidedException,
  exceptionForResponseCode,
} from './providers/verifynow/verifynow-code.exceptions';
export {
  VerifyNowResponseCode,
  responseCodeName,
  type VerifyNowResponseCodeName,
  type VerifyNowResponseCodeValue,
} from './providers/verifynow/verifynow.response-codes';
export { VerifyNowConfigurationError } from './errors/verifynow-configuration.error';
export {
  OTP_STEP_UP_ERRORS,
  OtpRequiredException,
  OtpStepUpConfigurationException,
  OtpStepUpException,
  type OtpStepUpErrorCode,
} from './step-up/otp-step-up.exception';
export {
  OtpCountryNotAllowedException,
  TooManyOtpRequestsException,
  type SendRefusal,
} from './limits/send-limit.exceptions';
export type { VerifyNowClock } from './verifynow.internal-constants';

export { maskPhoneNumber, redactUrl } from './redaction/redact.util';
export {
  parsePhoneNumber,
  type ParsedPhoneNumber,
  type PhoneNumberInput,
} from './phone/phone-number.util';

export {
  VerifyNowSandbox,
  type VerifyNowSandboxMessage,
  type VerifyNowSandboxOptions,
  type VerifyNowSandboxRequest,
  type VerifyNowSandboxStats,
  type VerihubsSandboxChannel,
  type VerihubsSandboxMessage,
  type VerihubsSandboxOptions,
} from './sandbox/verifynow.sandbox';
export { VerihubsBlockedNumberException } from './providers/verihubs/verihubs.exceptions';
