import { Inject, Injectable } from '@nestjs/common';
import { VerifyNowTokenProvider } from './verifynow-token.provider';
import type { ResolvedVerifyNowOptions } from '../../config/verifynow-options.resolver';
import { VerifyNowResponseCode } from './verifynow.response-codes';
import {
  VerifyNowAuthenticationException,
  VerifyNowUnknownResponseException,
} from '../../http/upstream.exceptions';
import {
  VerifyNowErrorDetails,
  VerifyNowException,
  VerifyNowOperation,
} from '../../errors/verifynow.exception';
import { exceptionForResponseCode } from './verifynow-code.exceptions';
import { VERIFYNOW_FLOW_TYPES } from '../../interfaces/verifynow-module-options.interface';
import type { ValidateOtpResult } from '../../interfaces/verifynow-otp.interface';
import { sanitizeText } from '../../redaction/redact.util';
import type { Deadline } from '../../resilience/call.deadline';
import type { UpstreamCircuitBreaker } from '../../resilience/upstream-circuit.breaker';
import {
  VERIFYNOW_CIRCUIT_BREAKER,
  VERIFYNOW_RESOLVED_OPTIONS,
} from '../../verifynow.internal-constants';
import type {
  OtpProvider,
  OtpProviderCapabilities,
  ProviderHealth,
  ProviderSendRequest,
  ProviderSendResult,
  ProviderVerifyRequest,
  UpstreamState,
} from '../otp-provider.interface';
import { UpstreamEnvelope, readEnvelope, toInteger } from './verifynow.envelope';
import {
  UpstreamHttpClient,
  UpstreamParams,
  UpstreamRequest,
  UpstreamResponse,
} from '../../http/upstream-http.client';
import { verifyNowRequest } from './verifynow.endpoints';

/** Seconds a code lives when the upstream's answer does not say (its documented default). */
const DEFAULT_CODE_TIMEOUT_SECONDS = 60;

/**
 * Message Central's VerifyNow behind the {@link OtpProvider} seam: its send and
 * validate calls with the auth token (refreshed once after a 401/403), the
 * `responseCode` read whatever the HTTP status, each answer turned into a result
 * or a typed exception, and its health. Nothing it throws carries a secret.
 *
 * @internal
 */
@Injectable()
export class VerifyNowProvider implements OtpProvider {
  readonly name = 'verifynow';
  readonly capabilities: OtpProviderCapabilities = {
    channels: VERIFYNOW_FLOW_TYPES,
    issuesVerificationIds: true,
    authentication: 'token',
  };

  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly client: UpstreamHttpClient,
    private readonly tokens: VerifyNowTokenProvider,
    @Inject(VERIFYNOW_CIRCUIT_BREAKER) private readonly breaker: UpstreamCircuitBreaker,
  ) {}

  /** Sends a code; a pending code (506) comes back with `pending: true`. */
  async send(send: ProviderSendRequest, deadline: Deadline): Promise<ProviderSendResult> {
    const params: UpstreamParams = {
      countryCode: send.phone.countryCode,
      customerId: this.options.credentials?.customerId,
      flowType: send.flowType,
      mobileNumber: send.phone.mobileNumber,
      otpLength: send.otpLength,
    };
    const { envelope, details } = await this.call('send', params, [], deadline);
    const { responseCode, data } = envelope;
    const pending = responseCode === VerifyNowResponseCode.REQUEST_ALREADY_EXISTS;
    if (responseCode !== VerifyNowResponseCode.SUCCESS && !pending) {
      throw exceptionForResponseCode(responseCode, details);
    }
    const verificationId = idField(data, 'verificationId');
    if (verificationId === undefined) {
      throw pending
        ? exceptionForResponseCode(responseCode, details)
        : new VerifyNowUnknownResponseException(
            responseCode,
            'answered SUCCESS without a verificationId',
            details,
          );
    }
    return {
      verificationId,
      timeoutSeconds: toInteger(data?.timeout) ?? DEFAULT_CODE_TIMEOUT_SECONDS,
      transactionId: idField(data, 'transactionId') ?? null,
      pending,
    };
  }

  /** Checks a code; only `VERIFICATION_COMPLETED` returns, every other answer throws. */
  async verify(
    { verificationId, code }: ProviderVerifyRequest,
    deadline: Deadline,
  ): Promise<ValidateOtpResult> {
    const params: UpstreamParams = {
      customerId:
        this.options.apiVersion === 'v2' ? this.options.credentials?.customerId : undefined,
      verificationId,
      code,
    };
    const { envelope, details } = await this.call('validate', params, [code], deadline);
    const { responseCode, data } = envelope;
    if (responseCode !== VerifyNowResponseCode.SUCCESS) {
      throw exceptionForResponseCode(responseCode, details);
    }
    const status = data?.verificationStatus;
    if (status !== 'VERIFICATION_COMPLETED') {
      const shown = typeof status === 'string' ? sanitizeText(status, [code]) : String(status);
      throw new VerifyNowUnknownResponseException(
        responseCode,
        `answered SUCCESS with verificationStatus ${shown}`,
        details,
      );
    }
    // The upstream spells it "verficationId"; accept the right spelling too.
    const answeredId = idField(data, 'verficationId') ?? idField(data, 'verificationId');
    if (answeredId !== undefined && answeredId !== verificationId) {
      throw new VerifyNowUnknownResponseException(
        responseCode,
        'answered SUCCESS for another verification',
        details,
      );
    }
    return {
      verificationId,
      mobileNumber: idField(data, 'mobileNumber') ?? '',
      status,
      transactionId: idField(data, 'transactionId') ?? null,
    };
  }

  /** Up while the breaker is not open and a token can be had. */
  upstream(): UpstreamState {
    return { breaker: this.client.breakerState, rateCap: this.client.rateCap };
  }

  async health(): Promise<ProviderHealth> {
    const breaker = this.breaker.state;
    if (breaker === 'open') {
      return { status: 'down', breaker, token: 'not checked', reason: 'CIRCUIT_OPEN' };
    }
    try {
      await this.tokens.getToken();
      return { status: 'up', breaker, token: this.tokens.canRefresh ? 'available' : 'pre-issued' };
    } catch (error) {
      const reason = error instanceof VerifyNowException ? error.codeName : 'UNEXPECTED_ERROR';
      return { status: 'down', breaker, token: 'unavailable', reason };
    }
  }

  /**
   * Calls the upstream with a token; after a 401/403, drops the token, gets a new
   * one and tries once more. A second refusal is an authentication error.
   */
  private async call(
    operation: VerifyNowOperation,
    params: UpstreamParams,
    extraSecrets: readonly string[],
    deadline: Deadline,
  ): Promise<{ envelope: UpstreamEnvelope; details: VerifyNowErrorDetails }> {
    let token = await this.tokens.tokenWithin(deadline);
    let response = await this.client.call(this.request(operation, params, token), deadline);
    if (isRefusal(response)) {
      if (!this.tokens.canRefresh) {
        throw this.refusal(
          operation,
          response,
          'the configured authToken was refused (it may have expired)',
          [token],
        );
      }
      this.tokens.invalidate(token);
      token = await this.tokens.tokenWithin(deadline);
      response = await this.client.call(this.request(operation, params, token), deadline);
      if (isRefusal(response)) {
        throw this.refusal(operation, response, 'a freshly issued token was refused', [token]);
      }
    }
    const sanitize = (text: string): string =>
      sanitizeText(text, [...this.options.secrets, token, ...extraSecrets]);
    const envelope = readEnvelope(response, operation, sanitize);
    return {
      envelope,
      details: {
        operation,
        upstreamStatus: response.status,
        get upstreamMessage() {
          return envelope.message;
        },
        retryAfterSeconds: response.retryAfterSeconds,
      },
    };
  }

  private request(
    operation: VerifyNowOperation,
    params: UpstreamParams,
    token: string,
  ): UpstreamRequest {
    return verifyNowRequest(this.options.apiVersion, operation, params, token);
  }

  private refusal(
    operation: VerifyNowOperation,
    response: UpstreamResponse,
    reason: string,
    secrets: readonly string[],
  ): VerifyNowAuthenticationException {
    const body = response.json as Record<string, unknown> | undefined;
    const text = [body?.message, body?.error].find((value) => typeof value === 'string');
    return new VerifyNowAuthenticationException(reason, {
      operation,
      upstreamStatus: response.status,
      upstreamMessage:
        typeof text === 'string'
          ? sanitizeText(text, [...this.options.secrets, ...secrets])
          : undefined,
    });
  }
}

function isRefusal(response: UpstreamResponse): boolean {
  return response.status === 401 || response.status === 403;
}

/** A string or number field as a string, else `undefined`. */
function idField(data: Record<string, unknown> | null, name: string): string | undefined {
  const value = data?.[name];
  if (typeof value === 'string' && value.length > 0) {
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}
