import { Injectable } from '@nestjs/common';
import { VerifyNowException } from '../errors/verifynow.exception';
import { callFacts, codeOf, elapsedMs } from '../events/event-facts.util';
import { announced } from '../events/step-up-refusals';
import { VerifyNowEvents } from '../events/verifynow-events.service';
import { VERIFYNOW_EVENTS, VerifyNowEventBase } from '../events/verifynow.events';
import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import {
  OtpCountryNotAllowedException,
  TooManyOtpRequestsException,
} from '../limits/send-limit.exceptions';
import type { ProviderSendResult } from '../providers/otp-provider.interface';
import { OtpStepUpException } from '../step-up/otp-step-up.exception';
import { OtpCallLog } from './otp-call.logger';
import type { PreparedSend } from './prepare-send.util';

/** One send as its report sees it: what was asked, masked, and when it began. @internal */
export interface SendUnderway {
  send: PreparedSend;
  stepUp: boolean;
  /** The number, masked. */
  phone: string;
  /** `performance.now()` when the send began. */
  started: number;
}

/**
 * What a send tells the outside: its log line and its events (`otp.sent`,
 * `otp.send_refused`, `otp.send_failed`, `otp.failover`, and for step-up
 * `step_up.challenged` or `step_up.refused`). Nothing in them is secret.
 *
 * @internal
 */
@Injectable()
export class OtpSendReport {
  private readonly log = new OtpCallLog();

  constructor(private readonly events: VerifyNowEvents) {}

  sent(
    call: SendUnderway,
    answer: ProviderSendResult,
    provider: OtpProviderName,
    sentAt: number,
    now: number,
  ): void {
    const { send, phone, stepUp, started } = call;
    this.log.success(
      'send',
      {
        outcome: answer.pending ? 'pending' : 'sent',
        verificationId: answer.verificationId,
        phone,
        flowType: send.flowType,
        provider,
      },
      started,
    );
    const facts = this.facts(call, now, {
      verificationId: answer.verificationId,
      provider,
      sentAt,
    });
    this.events.emit({
      name: VERIFYNOW_EVENTS.otpSent,
      ...facts,
      pending: answer.pending,
      expiresInSeconds: answer.timeoutSeconds,
    });
    if (stepUp) {
      this.events.emit({
        name: VERIFYNOW_EVENTS.stepUpChallenged,
        ...facts,
        pending: answer.pending,
      });
    }
  }

  failed(call: SendUnderway, error: unknown, now: number): void {
    const { send, phone, stepUp, started } = call;
    this.log.failure('send', { phone, flowType: send.flowType }, error, started);
    const code = codeOf(error);
    const provider = error instanceof VerifyNowException ? (error.provider ?? null) : null;
    const facts = this.facts(call, now, { provider });
    const reason = refusalOf(error);
    if (reason !== undefined) {
      this.events.emit({ name: VERIFYNOW_EVENTS.otpSendRefused, ...facts, reason, error: code });
    } else {
      const upstreamStatus = error instanceof VerifyNowException ? error.upstreamStatus : undefined;
      this.events.emit({
        name: VERIFYNOW_EVENTS.otpSendFailed,
        ...facts,
        error: code,
        upstreamStatus: upstreamStatus ?? null,
      });
    }
    if (stepUp) {
      this.events.emit({ name: VERIFYNOW_EVENTS.stepUpRefused, ...facts, code });
      announced.add(error);
    }
  }

  failover(
    call: SendUnderway,
    from: OtpProviderName,
    to: OtpProviderName,
    error: unknown,
    now: number,
  ): void {
    this.log.failover(from, to, call.phone, error);
    this.events.emit({
      name: VERIFYNOW_EVENTS.otpFailover,
      ...this.facts(call, now, { provider: from }),
      to,
      error: codeOf(error),
    });
  }

  private facts(
    { send, phone, stepUp, started }: SendUnderway,
    at: number,
    more: Partial<VerifyNowEventBase>,
  ): VerifyNowEventBase {
    return callFacts({
      at,
      stepUp,
      phone,
      channel: send.flowType,
      purpose: send.purpose,
      latencyMs: elapsedMs(started),
      ...more,
    });
  }
}

/** Which send rule refused it, when one did. */
function refusalOf(
  error: unknown,
): 'phoneNumber' | 'clientIp' | 'pendingCode' | 'country' | undefined {
  if (error instanceof TooManyOtpRequestsException) {
    return error.limit;
  }
  // A code pending for the number, for someone else or locked: no new one goes out.
  if (error instanceof OtpStepUpException) {
    return 'pendingCode';
  }
  return error instanceof OtpCountryNotAllowedException ? 'country' : undefined;
}
