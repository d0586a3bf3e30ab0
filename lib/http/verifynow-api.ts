import { Inject, Injectable } from '@nestjs/common';
import { VerifyNowTokenProvider } from '../auth/verifynow-token.provider';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VerifyNowResponseCode } from '../errors/response-codes';
import {
  VerifyNowAuthenticationException,
  VerifyNowErrorDetails,
  VerifyNowOperation,
  VerifyNowUnknownResponseException,
  exceptionForResponseCode,
} from '../errors/verifynow.exception';
import type { VerifyNowFlowType } from '../interfaces/verifynow-module-options.interface';
import type { ValidateOtpResult } from '../interfaces/verifynow-otp.interface';
import type { ParsedPhoneNumber } from '../phone/phone-number';
import { sanitizeText } from '../redaction/redact';
import type { Deadline } from '../resilience/deadline';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import { UpstreamEnvelope, readEnvelope, toInteger } from './upstream-envelope';
import { UpstreamParams, UpstreamResponse, VerifyNowHttpClient } from './verifynow-http.client';

/** Seconds a code lives when the upstream's answer does not say (its documented default). */
const DEFAULT_CODE_TIMEOUT_SECONDS = 60;

/** What the upstream answered to a send. @internal */
export interface UpstreamSendResult {
  verificationId: string;
  /** Seconds the code lives; for a pending code, what is left of its life. */
  timeoutSeconds: number;
  transactionId: string | null;
  /** True for 506: a code sent earlier to this number is still pending; nothing went out. */
  pending: boolean;
}

/**
 * VerifyNow's send and validate calls: the auth token (refreshed once after a
 * 401/403), the `responseCode` read whatever the HTTP status, and each answer
 * turned into a result or a typed exception. Nothing it throws carries a secret.
 *
 * @internal
 */
@Injectable()
export class VerifyNowApi {
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly client: VerifyNowHttpClient,
    private readonly tokens: VerifyNowTokenProvider,
  ) {}

  /** Sends a code; a pending code (506) comes back with `pending: true`. */
  async send(
    send: { phone: ParsedPhoneNumber; flowType: VerifyNowFlowType; otpLength: number },
    deadline: Deadline,
  ): Promise<UpstreamSendResult> {
    const params: UpstreamParams = {
      countryCode: send.phone.countryCode,
      customerId: this.options.credentials.customerId,
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
  async validate(
    verificationId: string,
    code: string,
    deadline: Deadline,
  ): Promise<ValidateOtpResult> {
    const params: UpstreamParams = {
      customerId:
        this.options.apiVersion === 'v2' ? this.options.credentials.customerId : undefined,
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
    let token = await this.tokens.getToken(deadline);
    let response = await this.client.call(operation, params, token, deadline);
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
      token = await this.tokens.getToken(deadline);
      response = await this.client.call(operation, params, token, deadline);
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
        upstreamMessage: envelope.message,
        retryAfterSeconds: response.retryAfterSeconds,
      },
    };
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
