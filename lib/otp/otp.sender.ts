import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpStepUpException } from '../step-up/otp-step-up.exception';
import { TooManyOtpRequestsException } from '../limits/send-limit.exceptions';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import type { OtpProvider, ProviderSendResult } from '../providers/otp-provider.interface';
import { OtpProviderChain } from '../providers/provider.chain';
import type { SendOtpInput, SendOtpResult } from '../interfaces/verifynow-otp.interface';
import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import { VerifyNowSendLimiter } from '../limits/verifynow-send.limiter';
import { maskPhoneNumber } from '../redaction/redact.util';
import { Deadline } from '../resilience/call.deadline';
import { phoneSubjects } from '../ledger/ledger-subject.util';
import { VerificationLedger } from '../ledger/verification.ledger';
import type { VerifyNowTelemetry } from '../telemetry/verifynow.telemetry';
import {
  VERIFYNOW_CLOCK,
  VERIFYNOW_RESOLVED_OPTIONS,
  VERIFYNOW_TELEMETRY,
} from '../verifynow.internal-constants';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import { failsOver } from './failover.policy';
import { OtpSendReport, SendUnderway } from './otp-send.report';
import { prepareSend } from './prepare-send.util';

/**
 * Sends a code, for `sendOtp()` and for step-up alike: input checked, send
 * limits, the ledger writable, then the upstream, then the ledger record. A
 * code still pending for the number (upstream 506) is handed back only to a
 * caller asking for the very same thing (subject, purpose, step-up or not) while
 * it can still be proven; anyone else gets `409 OTP_CHALLENGE_PENDING`, and a
 * used-up one is never handed back (429 until a new code can go out).
 *
 * @internal
 */
@Injectable()
export class OtpSender {
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly providers: OtpProviderChain,
    private readonly limiter: VerifyNowSendLimiter,
    private readonly ledger: VerificationLedger,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
    private readonly report: OtpSendReport,
    @Inject(VERIFYNOW_TELEMETRY) private readonly telemetry: VerifyNowTelemetry,
  ) {}

  async send(input: SendOtpInput, stepUp: boolean): Promise<SendOtpResult> {
    const started = performance.now();
    const send = prepareSend(input, this.options);
    if (stepUp && typeof input.phoneNumber === 'string') {
      // The guard that checks this code's proof reads the number's subject back.
      phoneSubjects.remember(input.phoneNumber, send.subject);
    }
    const call: SendUnderway = { send, stepUp, phone: maskPhoneNumber(send.phone.e164), started };
    const deadline = Deadline.after(this.options.timeoutMs);
    try {
      const { answer, provider, sentAt } = await deadline.race(
        this.sendWithin(call, deadline),
        'send',
      );
      // A new code's events happen when it went out; a pending one's, now.
      this.report.sent(call, answer, provider, sentAt, answer.pending ? this.clock.now() : sentAt);
      return {
        verificationId: answer.verificationId,
        provider,
        mobileNumber: send.phone.mobileNumber,
        countryCode: send.phone.countryCode,
        flowType: send.flowType,
        timeoutSeconds: answer.timeoutSeconds,
        transactionId: answer.transactionId,
        alreadyPending: answer.pending,
      };
    } catch (error) {
      this.report.failed(call, error, this.clock.now());
      throw error;
    }
  }

  private async sendWithin(
    call: SendUnderway,
    deadline: Deadline,
  ): Promise<{ answer: ProviderSendResult; provider: OtpProviderName; sentAt: number }> {
    const { send, stepUp } = call;
    await this.limiter.check(send, stepUp);
    await this.ledger.ensureWritable();
    const { answer, provider } = await this.sendThrough(call, deadline);
    const { subject } = send;
    if (answer.pending) {
      const sentAt = await this.checkPending(answer, subject, send.purpose, stepUp);
      return { answer, provider: provider.name, sentAt };
    }
    const sentAt = this.clock.now();
    await this.ledger.record({
      verificationId: answer.verificationId,
      subject,
      purpose: send.purpose,
      stepUp,
      issuedAt: sentAt,
      provider: provider.name,
      providerData: answer.providerData,
      channel: send.flowType,
      maskedPhone: call.phone,
    });
    return { answer, provider: provider.name, sentAt };
  }

  /**
   * The providers that offer the channel, in order of preference: the next is
   * tried only when the send certainly did not go out through the one before
   * (see `failsOver`); each failover is logged, the number masked.
   */
  private async sendThrough(
    call: SendUnderway,
    deadline: Deadline,
  ): Promise<{ answer: ProviderSendResult; provider: OtpProvider }> {
    const { send } = call;
    const able = this.providers.inOrder.filter(({ capabilities }) =>
      capabilities.channels.includes(send.flowType),
    );
    if (able.length === 0) {
      throw new VerifyNowInvalidInputException(
        `flowType ${send.flowType} is not offered by the configured providers (${this.providers.inOrder.map(({ name }) => name).join(', ')}).`,
      );
    }
    const { onAmbiguous } = this.options.failover;
    for (const [at, provider] of able.entries()) {
      // Failing over after a timeout needs time left: each provider but the last
      // then gets its share of what is left, not all of it.
      const left = able.length - at;
      const share =
        onAmbiguous && left > 1 ? Deadline.after(deadline.remainingMs() / left) : deadline;
      try {
        const upstream = {
          provider: provider.name,
          operation: 'send',
          channel: send.flowType,
        } as const;
        const answer = await this.telemetry.traceUpstream(upstream, () =>
          provider.send(send, share),
        );
        return { answer, provider };
      } catch (error) {
        const next = able[at + 1];
        // Once the call is over (the caller has its error), nothing more is sent.
        const over = deadline.remainingMs() <= 0;
        if (next === undefined || over || !failsOver(error, onAmbiguous)) {
          throw error;
        }
        this.report.failover(call, provider.name, next.name, error, this.clock.now());
      } finally {
        if (share !== deadline) share.end();
      }
    }
    throw new Error('unreachable: the last provider rethrows');
  }

  /**
   * Hands back a pending verification only to the caller it was issued for,
   * while usable.
   *
   * @returns when its code was sent.
   */
  private async checkPending(
    answer: ProviderSendResult,
    subject: string,
    purpose: string | null,
    stepUp: boolean,
  ): Promise<number> {
    const record = await this.ledger.get(answer.verificationId);
    const retryAfterSeconds = Math.max(1, answer.timeoutSeconds);
    const same =
      record !== undefined &&
      record.subject === subject &&
      record.purpose === purpose &&
      record.stepUp === stepUp;
    if (!same) {
      throw new OtpStepUpException('OTP_CHALLENGE_PENDING', {
        retryAfterSeconds,
        reason: record
          ? 'the pending code was sent for another purpose'
          : "the pending code is not in this application's ledger",
      });
    }
    if (record.locked === true || record.failedAttempts >= this.options.guard.maxFailedAttempts) {
      throw new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS', {
        retryAfterSeconds,
        reason: 'the pending code is locked after too many wrong codes',
      });
    }
    if (record.state !== 'open') {
      throw new TooManyOtpRequestsException('pendingCode', retryAfterSeconds);
    }
    return record.issuedAt;
  }
}
