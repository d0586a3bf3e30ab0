import type {
  OtpProviderName,
  VerifyNowFlowType,
} from '../interfaces/verifynow-module-options.interface';
import type { OtpDeliveryState, ValidateOtpResult } from '../interfaces/verifynow-otp.interface';
import type { ParsedPhoneNumber } from '../phone/phone-number.util';
import type { Deadline } from '../resilience/call.deadline';
import type { RateCap } from '../resilience/rate-cap';
import type { CircuitBreakerState } from '../resilience/upstream-circuit.breaker';

/** What an upstream can do, so that the core adapts to it. @internal */
export interface OtpProviderCapabilities {
  /** The channels it delivers codes through. */
  channels: readonly VerifyNowFlowType[];
  /** Whether its send answers with an id of its own to verify against. */
  issuesVerificationIds: boolean;
  /** A token fetched and refreshed (`'token'`), or keys sent with every call (`'api-key'`). */
  authentication: 'token' | 'api-key';
}

/** A code to send, checked by the core. @internal */
export interface ProviderSendRequest {
  phone: ParsedPhoneNumber;
  flowType: VerifyNowFlowType;
  otpLength: number;
  /** What the code is for (a step-up's action), or `null`: a provider may bind the code to it. */
  purpose: string | null;
}

/** A code to check, with what the provider kept from its send. @internal */
export interface ProviderVerifyRequest {
  verificationId: string;
  code: string;
  /** What the send's {@link ProviderSendResult.providerData} held, from the ledger. */
  providerData: string | undefined;
}

/** What the upstream answered to a send. @internal */
export interface ProviderSendResult {
  verificationId: string;
  /** Seconds the code lives; for a pending code, what is left of its life. */
  timeoutSeconds: number;
  transactionId: string | null;
  /** True when a code sent earlier to this number is still pending: nothing went out. */
  pending: boolean;
  /**
   * What the provider needs again to verify the code (e.g. the number and the
   * challenge): kept in the ledger (sealed outside the process), never logged.
   */
  providerData?: string;
}

/** An upstream's resilience state, read synchronously (metrics read it on every collection). @internal */
export interface UpstreamState {
  breaker: CircuitBreakerState;
  /** Its outbound rate cap; `null` without one. */
  rateCap: RateCap | null;
}

/** How an upstream is doing, for the health indicator. @internal */
export interface ProviderHealth {
  status: 'up' | 'down';
  breaker: CircuitBreakerState;
  /** Whether it can authenticate now (`'pre-issued'`: a configured token, never refreshed). */
  token: 'available' | 'pre-issued' | 'unavailable' | 'not checked';
  /** Why it is down, e.g. `'AUTHENTICATION_FAILED'`. */
  reason?: string;
}

/**
 * The seam between the core (service facade, ledger, step-up, limits) and an
 * upstream: everything provider-specific (paths, authentication, answer
 * envelopes, response codes) lives behind it, in `lib/providers/<name>/`.
 * Each call ends within the deadline it is given, and answers with a result or a
 * typed `VerifyNowException`.
 *
 * @internal
 */
export interface OtpProvider {
  /** The name options and logs use, e.g. `'verifynow'`. */
  readonly name: OtpProviderName;
  readonly capabilities: OtpProviderCapabilities;
  send(request: ProviderSendRequest, deadline: Deadline): Promise<ProviderSendResult>;
  /** Resolves only when the upstream confirms the code; every other answer throws. */
  verify(request: ProviderVerifyRequest, deadline: Deadline): Promise<ValidateOtpResult>;
  health(): Promise<ProviderHealth>;
  /** Its upstream's breaker and rate cap now, for health and metrics; `null` when not configured. */
  upstream(): UpstreamState | null;
  /** What a delivery report's status means, for a provider that sends delivery callbacks. */
  deliveryState?(status: number, providerData: string | undefined): OtpDeliveryState;
}

/** Injection token of the {@link OtpProvider}s the core talks to, in order of preference. @internal */
export const OTP_PROVIDERS_IN_ORDER = Symbol('VERIFYNOW:OTP_PROVIDERS_IN_ORDER');
