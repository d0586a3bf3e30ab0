import { Inject, Injectable, Logger } from '@nestjs/common';
import { VerifyNowTokenProvider } from './auth/verifynow-token.provider';
import type { ResolvedVerifyNowOptions } from './config/verifynow-options.resolver';
import { VerifyNowResponseCode } from './errors/response-codes';
import {
  VerifyNowAuthenticationException,
  VerifyNowErrorDetails,
  VerifyNowException,
  VerifyNowInvalidInputException,
  VerifyNowOperation,
  VerifyNowUnavailableException,
  VerifyNowUnknownResponseException,
  exceptionForResponseCode,
} from './errors/verifynow.exception';
import { UpstreamEnvelope, readEnvelope, toInteger } from './http/upstream-envelope';
import {
  UpstreamParams,
  UpstreamResponse,
  VerifyNowHttpClient,
} from './http/verifynow-http.client';
import {
  VERIFYNOW_FLOW_TYPES,
  VerifyNowFlowType,
} from './interfaces/verifynow-module-options.interface';
import {
  SendOtpInput,
  SendOtpResult,
  ValidateOtpInput,
  ValidateOtpResult,
} from './interfaces/verifynow-otp.interface';
import { ParsedPhoneNumber, parsePhoneNumber } from './phone/phone-number';
import { VerifyNowSendLimiter } from './limits/verifynow-send-limiter';
import { maskPhoneNumber, sanitizeText } from './redaction/redact';
import { subjectOf } from './store/subject';
import { VerifyNowStore } from './store/verifynow-store.interface';
import { VERIFYNOW_CLOCK, VERIFYNOW_RESOLVED_OPTIONS } from './verifynow.internal-constants';
import type { VerifyNowClock } from './verifynow.internal-constants';

/** Seconds a code lives when the upstream's answer does not say (its documented default). */
const DEFAULT_CODE_TIMEOUT_SECONDS = 60;
const VERIFICATION_ID = /^\d{1,19}$/;
const CODE = /^\d{4,8}$/;

/** A send, checked and ready for the upstream. */
interface PreparedSend {
  phone: ParsedPhoneNumber;
  flowType: VerifyNowFlowType;
  otpLength: number;
  purpose: string | null;
  clientIp: string | undefined;
}

const MAX_PURPOSE_LENGTH = 200;
const MAX_IP_LENGTH = 64;

/**
 * Sends and validates one-time passwords through VerifyNow.
 *
 * Every method checks its input before any upstream call, gets the auth token
 * from {@link VerifyNowTokenProvider} (refreshing it once after a 401/403), reads
 * the upstream's `responseCode` whatever the HTTP status, and either returns a
 * typed result or throws a typed {@link VerifyNowException}. Nothing it logs or
 * throws carries a secret, a code or a full phone number.
 */
@Injectable()
export class VerifyNowService {
  private readonly logger = new Logger(VerifyNowService.name);

  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly client: VerifyNowHttpClient,
    private readonly tokens: VerifyNowTokenProvider,
    private readonly limiter: VerifyNowSendLimiter,
    @Inject(VerifyNowStore) private readonly store: VerifyNowStore,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {}

  /**
   * Sends a code to a phone number, after checking the send limits, and records
   * the verification in the ledger (with its `purpose`, if given).
   *
   * @example
   * const { verificationId } = await verifyNow.sendOtp({ phoneNumber: '+919999999999' });
   * @returns the verification to validate; `alreadyPending: true` when a code sent
   *   earlier to this number is still valid and no new one was sent.
   * @throws VerifyNowInvalidInputException (400) for a malformed number, channel or length.
   * @throws TooManyOtpRequestsException (429) and OtpCountryNotAllowedException (403)
   *   from the send limits, before any upstream call.
   * @throws VerifyNowException subclasses for the upstream's error codes
   *   (e.g. `MaximumLimitReachedException`, `InvalidCountryCodeException`),
   *   `VerifyNowAuthenticationException`, `VerifyNowUnavailableException`.
   */
  async sendOtp(input: SendOtpInput): Promise<SendOtpResult> {
    const started = performance.now();
    const send = this.prepareSend(input);
    const phone = maskPhoneNumber(send.phone.e164);
    try {
      await this.limiter.check(send.phone, send.clientIp);
      const params: UpstreamParams = {
        countryCode: send.phone.countryCode,
        customerId: this.options.credentials.customerId,
        flowType: send.flowType,
        mobileNumber: send.phone.mobileNumber,
        otpLength: send.otpLength,
      };
      const { envelope, details } = await this.callUpstream('send', params, []);
      const result = this.readSendResult(envelope, details, send);
      await this.recordSend(result.verificationId, send);
      this.logger.log({
        event: 'verifynow.send',
        outcome: result.alreadyPending ? 'pending' : 'sent',
        verificationId: result.verificationId,
        phone,
        flowType: send.flowType,
        latencyMs: elapsed(started),
      });
      return result;
    } catch (error) {
      this.logFailure('send', { phone, flowType: send.flowType }, error, started);
      throw error;
    }
  }

  /**
   * Checks the code a user typed.
   *
   * @example
   * await verifyNow.validateOtp({ verificationId, code: '123456' });
   * @returns the completed verification; only `VERIFICATION_COMPLETED` returns.
   * @throws VerifyNowInvalidInputException (400) for a malformed id or code.
   * @throws WrongOtpProvidedException, VerificationExpiredException,
   *   AlreadyVerifiedException, InvalidVerificationIdException,
   *   MaximumLimitReachedException and the other typed errors for every other outcome.
   */
  async validateOtp(input: ValidateOtpInput): Promise<ValidateOtpResult> {
    const started = performance.now();
    const { verificationId, code } = this.prepareValidate(input);
    try {
      const params: UpstreamParams = {
        customerId:
          this.options.apiVersion === 'v2' ? this.options.credentials.customerId : undefined,
        verificationId,
        code,
      };
      const { envelope, details } = await this.callUpstream('validate', params, [code]);
      const result = this.readValidateResult(envelope, details, verificationId, code);
      this.logger.log({
        event: 'verifynow.validate',
        outcome: 'verified',
        verificationId,
        latencyMs: elapsed(started),
      });
      return result;
    } catch (error) {
      this.logFailure('validate', { verificationId }, error, started);
      throw error;
    }
  }

  private prepareSend(input: SendOtpInput): PreparedSend {
    if (input === null || typeof input !== 'object') {
      throw new VerifyNowInvalidInputException(
        "sendOtp needs an object such as { phoneNumber: '+919999999999' }.",
      );
    }
    const phone = parsePhoneNumber(input, this.options.defaultCountryCode);
    const flowType = input.flowType ?? this.options.defaultFlowType;
    if (!(VERIFYNOW_FLOW_TYPES as readonly unknown[]).includes(flowType)) {
      throw new VerifyNowInvalidInputException(
        `flowType must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}.`,
      );
    }
    const otpLength = input.otpLength ?? this.options.otpLength;
    if (!Number.isInteger(otpLength) || otpLength < 4 || otpLength > 8) {
      throw new VerifyNowInvalidInputException('otpLength must be an integer from 4 to 8.');
    }
    const { purpose, clientIp } = input;
    if (
      purpose !== undefined &&
      (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > MAX_PURPOSE_LENGTH)
    ) {
      throw new VerifyNowInvalidInputException(
        `purpose must be a non-empty string of at most ${MAX_PURPOSE_LENGTH} characters.`,
      );
    }
    if (
      clientIp !== undefined &&
      (typeof clientIp !== 'string' || clientIp.length > MAX_IP_LENGTH)
    ) {
      throw new VerifyNowInvalidInputException('clientIp must be an IP address.');
    }
    return {
      phone,
      flowType,
      otpLength,
      purpose: purpose ?? null,
      clientIp: clientIp || undefined,
    };
  }

  /** Writes the send into the ledger; without it, `@RequireOtp()` would refuse the proof. */
  private async recordSend(verificationId: string, send: PreparedSend): Promise<void> {
    try {
      await this.store.record(
        {
          verificationId,
          subject: subjectOf(send.phone.e164),
          purpose: send.purpose,
          issuedAt: this.clock.now(),
        },
        this.options.store.ledgerTtlMs,
      );
    } catch (error) {
      if (error instanceof VerifyNowException) {
        throw error;
      }
      throw new VerifyNowUnavailableException('the verification ledger could not be written', {
        operation: 'send',
      });
    }
  }

  private prepareValidate(input: ValidateOtpInput): { verificationId: string; code: string } {
    if (input === null || typeof input !== 'object') {
      throw new VerifyNowInvalidInputException(
        "validateOtp needs an object such as { verificationId: '123456', code: '123456' }.",
      );
    }
    const verificationId =
      typeof input.verificationId === 'number' && Number.isSafeInteger(input.verificationId)
        ? String(input.verificationId)
        : input.verificationId;
    if (typeof verificationId !== 'string' || !VERIFICATION_ID.test(verificationId)) {
      throw new VerifyNowInvalidInputException(
        'verificationId must be the numeric id that sendOtp returned.',
      );
    }
    if (typeof input.code !== 'string' || !CODE.test(input.code)) {
      throw new VerifyNowInvalidInputException('code must be the 4 to 8 digits the user received.');
    }
    return { verificationId, code: input.code };
  }

  /**
   * Calls the upstream with a token; after a 401/403, drops the token, gets a new
   * one and tries once more. A second refusal is an authentication error.
   */
  private async callUpstream(
    operation: VerifyNowOperation,
    params: UpstreamParams,
    extraSecrets: readonly string[],
  ): Promise<{ envelope: UpstreamEnvelope; details: VerifyNowErrorDetails }> {
    let token = await this.tokens.getToken();
    let response = await this.client.call(operation, params, token);
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
      token = await this.tokens.getToken();
      response = await this.client.call(operation, params, token);
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

  private readSendResult(
    envelope: UpstreamEnvelope,
    details: VerifyNowErrorDetails,
    send: PreparedSend,
  ): SendOtpResult {
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
      mobileNumber: send.phone.mobileNumber,
      countryCode: send.phone.countryCode,
      flowType: send.flowType,
      timeoutSeconds: toInteger(data?.timeout) ?? DEFAULT_CODE_TIMEOUT_SECONDS,
      transactionId: idField(data, 'transactionId') ?? null,
      alreadyPending: pending,
    };
  }

  private readValidateResult(
    envelope: UpstreamEnvelope,
    details: VerifyNowErrorDetails,
    verificationId: string,
    code: string,
  ): ValidateOtpResult {
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
   * One structured line per failed call: warn when the service itself is in
   * trouble (5xx), debug for answers about the user's input.
   */
  private logFailure(
    operation: VerifyNowOperation,
    subject: Record<string, string>,
    error: unknown,
    started: number,
  ): void {
    const line = {
      event: `verifynow.${operation}`,
      outcome: 'failed',
      ...subject,
      latencyMs: elapsed(started),
      ...(error instanceof VerifyNowException
        ? {
            error: error.codeName,
            responseCode: error.responseCode,
            upstreamStatus: error.upstreamStatus,
            detail: error.message,
          }
        : { error: describeUnexpected(error) }),
    };
    if (!(error instanceof VerifyNowException)) {
      this.logger.error(line);
    } else if (error.getStatus() >= 500) {
      this.logger.warn(line);
    } else {
      this.logger.debug(line);
    }
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

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Names an unexpected error without printing its message, which might hold anything. */
function describeUnexpected(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
