import { Inject, Injectable } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import type { ResolvedVerifyNowOptions } from '../../config/verifynow-options.resolver';
import {
  VerifyNowInvalidInputException,
  type VerifyNowOperation,
} from '../../errors/verifynow.exception';
import type { UpstreamHttpClient } from '../../http/upstream-http.client';
import { VerifyNowUnavailableException } from '../../http/upstream.exceptions';
import type { VerifyNowFlowType } from '../../interfaces/verifynow-module-options.interface';
import type { OtpDeliveryState, ValidateOtpResult } from '../../interfaces/verifynow-otp.interface';
import { verihubsDeliveryState } from './verihubs-delivery.statuses';
import { sanitizeText } from '../../redaction/redact.util';
import type { Deadline } from '../../resilience/call.deadline';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../../verifynow.internal-constants';
import type {
  OtpProvider,
  OtpProviderCapabilities,
  ProviderHealth,
  ProviderSendRequest,
  ProviderSendResult,
  ProviderVerifyRequest,
  UpstreamState,
} from '../otp-provider.interface';
import { InvalidVerificationIdException } from '../verifynow/verifynow-code.exceptions';
import { isRecord, verihubsAnswerError } from './verihubs.answers';
import { VERIHUBS_HTTP_CLIENT } from './verihubs.client';
import { VerihubsChannel, verihubsChallenge, verihubsRequest } from './verihubs.endpoints';
import type { ResolvedVerihubsOptions } from './verihubs.options';
import { VerihubsSendData, callbackFor, readSendData } from './verihubs-send.data';

/** The shape of a `session_id` taken as the verification's id. */
const SESSION_ID = /^[\w-]{1,128}$/;
/** Digits Verihubs takes in a code of the caller's (its sandbox's bounds). */
const CODE_LENGTHS = { min: 4, max: 10 } as const;

/**
 * Verihubs behind the {@link OtpProvider} seam: SMS and (when configured)
 * WhatsApp codes, drawn here from a CSPRNG and sent as `otp`, bound to a
 * challenge per purpose, verified by number, code and challenge; each refusal
 * a typed exception (`verihubs.answers.ts`). The code Verihubs echoes in its
 * answer is never read; nothing it throws carries the code, the keys or the
 * whole number.
 *
 * @internal
 */
@Injectable()
export class VerihubsProvider implements OtpProvider {
  readonly name = 'verihubs';
  readonly capabilities: OtpProviderCapabilities;

  /** @internal */
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    @Inject(VERIHUBS_HTTP_CLIENT) private readonly client: UpstreamHttpClient | null,
  ) {
    this.capabilities = {
      channels: options.verihubs?.whatsapp ? ['SMS', 'WHATSAPP'] : ['SMS'],
      issuesVerificationIds: true,
      authentication: 'api-key',
    };
  }

  /**
   * Draws a code and has Verihubs send it (HTTP 201, 200 taken too). The
   * verification's id is the answer's `session_id` when it looks like one,
   * else a UUID of the module's own.
   */
  async send(send: ProviderSendRequest, deadline: Deadline): Promise<ProviderSendResult> {
    const [settings, client] = this.configured('send');
    const channel = this.channelFor(send.flowType);
    // The embedded sandbox's fixed code (`sandbox.code`) stands, as it does for VerifyNow.
    const fixed = this.options.mode === 'sandbox' ? this.options.sandbox.code : undefined;
    const code = fixed ?? drawCode(send.otpLength);
    const msisdn = send.phone.e164.replace(/^\+/, '');
    const challenge = verihubsChallenge(settings.challenge, send.purpose);
    const time_limit = String(settings.timeLimitSeconds);
    const whatsapp = settings.whatsapp;
    const body =
      channel === 'whatsapp' && whatsapp !== undefined
        ? {
            msisdn,
            otp: code,
            time_limit,
            challenge,
            lang_code: whatsapp.langCode,
            template_name: whatsapp.templateName,
            otp_length: String(code.length),
          }
        : { msisdn, template: settings.template, otp: code, time_limit, challenge };
    const callback = callbackFor(settings);
    const request = { ...body, ...(callback && { callback_url: callback.url }) };
    const response = await client.call(
      verihubsRequest(settings, channel, 'send', request),
      deadline,
    );
    const answer = response.json;
    if ((response.status !== 201 && response.status !== 200) || !isRecord(answer)) {
      throw verihubsAnswerError(response, 'send', this.sanitizer(settings, code));
    }
    // Only the session id is read: the answer's `otp` is the code itself.
    const sessionId = readSessionId(answer.session_id);
    const data: VerihubsSendData = { msisdn, challenge, channel, callback: callback?.digest };
    return {
      verificationId: sessionId ?? randomUUID(),
      timeoutSeconds: settings.timeLimitSeconds,
      transactionId: sessionId ?? null,
      pending: false,
      providerData: JSON.stringify(data),
    };
  }

  /**
   * Checks a code under the number, challenge and channel its send kept. Only
   * HTTP 200 with a JSON object returns; every other answer throws.
   *
   * @throws InvalidVerificationIdException when the send's data is missing or unreadable.
   */
  async verify(
    { verificationId, code, providerData }: ProviderVerifyRequest,
    deadline: Deadline,
  ): Promise<ValidateOtpResult> {
    const [settings, client] = this.configured('validate');
    const data = readSendData(providerData);
    if (data === undefined) {
      throw new InvalidVerificationIdException({ provider: 'verihubs', operation: 'validate' });
    }
    const body = { msisdn: data.msisdn, otp: code, challenge: data.challenge };
    const request = verihubsRequest(settings, data.channel, 'validate', body);
    const response = await client.call(request, deadline);
    if (response.status !== 200 || !isRecord(response.json)) {
      throw verihubsAnswerError(response, 'validate', this.sanitizer(settings, code));
    }
    // Verihubs' answer names neither the number nor a transaction.
    return {
      verificationId,
      mobileNumber: '',
      status: 'VERIFICATION_COMPLETED',
      transactionId: null,
    };
  }

  upstream(): UpstreamState | null {
    const client = this.client;
    return client && { breaker: client.breakerState, rateCap: client.rateCap };
  }

  /**
   * Down when Verihubs is not configured or its breaker is open; up otherwise.
   * There is no token to check: the keys go with every call.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- the seam's health() is async.
  async health(): Promise<ProviderHealth> {
    if (this.client === null || this.options.verihubs === undefined) {
      return {
        status: 'down',
        breaker: 'disabled',
        token: 'not checked',
        reason: 'NOT_CONFIGURED',
      };
    }
    const breaker = this.client.breakerState;
    return breaker === 'open'
      ? { status: 'down', breaker, token: 'not checked', reason: 'CIRCUIT_OPEN' }
      : { status: 'up', breaker, token: 'not checked' };
  }

  /** The state a delivery callback's status means on the send's channel. */
  deliveryState(status: number, providerData: string | undefined): OtpDeliveryState {
    const data = readSendData(providerData);
    return data === undefined ? 'unknown' : verihubsDeliveryState(data.channel, status);
  }

  /** Verihubs' settings and client, or a 503 when it is not configured. */
  private configured(operation: VerifyNowOperation): [ResolvedVerihubsOptions, UpstreamHttpClient] {
    const settings = this.options.verihubs;
    if (settings === undefined || this.client === null) {
      throw new VerifyNowUnavailableException('Verihubs is not configured', { operation });
    }
    return [settings, this.client];
  }

  /** The channel of a flow type this provider serves, else a 400. */
  private channelFor(flowType: VerifyNowFlowType): VerihubsChannel {
    if (!this.capabilities.channels.includes(flowType)) {
      throw new VerifyNowInvalidInputException(
        `flowType must be ${this.capabilities.channels.join(' or ')} for Verihubs.`,
      );
    }
    return flowType === 'WHATSAPP' ? 'whatsapp' : 'sms';
  }

  /** Cleans upstream text of the module's secrets, Verihubs' keys and the code. */
  private sanitizer(settings: ResolvedVerihubsOptions, code: string): (text: string) => string {
    const secrets = [...this.options.secrets, settings.apiKey, settings.appId, code];
    return (text) => sanitizeText(text, secrets);
  }
}

/**
 * A code of `length` decimal digits from node's CSPRNG (`randomInt`, uniform).
 *
 * @throws VerifyNowInvalidInputException for a length Verihubs does not take.
 */
function drawCode(length: number): string {
  if (!Number.isInteger(length) || length < CODE_LENGTHS.min || length > CODE_LENGTHS.max) {
    throw new VerifyNowInvalidInputException(
      `otpLength must be ${CODE_LENGTHS.min} to ${CODE_LENGTHS.max} digits for Verihubs.`,
    );
  }
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** A `session_id` (a string, or a number sent as one) when it has the shape of an id. */
function readSessionId(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === 'string' && SESSION_ID.test(text) ? text : undefined;
}
