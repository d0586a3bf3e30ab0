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
import { subjectOf } from '../ledger/ledger-subject.util';
import { VerificationLedger } from '../ledger/verification.ledger';
import { VERIFYNOW_CLOCK, VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import { failsOver } from './failover.policy';
import { OtpCallLog } from './otp-call.logger';
import { PreparedSend, prepareSend } from './prepare-send.util';

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
  private readonly log = new OtpCallLog();

  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly providers: OtpProviderChain,
    private readonly limiter: VerifyNowSendLimiter,
    private readonly ledger: VerificationLedger,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {}

  async send(input: SendOtpInput, stepUp: boolean): Promise<SendOtpResult> {
    const started = performance.now();
    const send = prepareSend(input, this.options);
    const phone = maskPhoneNumber(send.phone.e164);
    const deadline = Deadline.after(this.options.timeoutMs);
    try {
      const { answer, provider } = await deadline.race(
        this.sendWithin(send, stepUp, deadline),
        'send',
      );
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
      this.log.failure('send', { phone, flowType: send.flowType }, error, started);
      throw error;
    }
  }

  private async sendWithin(
    send: PreparedSend,
    stepUp: boolean,
    deadline: Deadline,
  ): Promise<{ answer: ProviderSendResult; provider: OtpProviderName }> {
    await this.limiter.check(send.phone, send.clientIp, stepUp);
    await this.ledger.ensureWritable();
    const { answer, provider } = await this.sendThrough(send, deadline);
    const subject = subjectOf(send.phone.e164);
    if (answer.pending) {
      await this.checkPending(answer, subject, send.purpose, stepUp);
    } else {
      await this.ledger.record({
        verificationId: answer.verificationId,
        subject,
        purpose: send.purpose,
        stepUp,
        issuedAt: this.clock.now(),
        provider: provider.name,
        providerData: answer.providerData,
      });
    }
    return { answer, provider: provider.name };
  }

  /**
   * The providers that offer the channel, in order of preference: the next is
   * tried only when the send certainly did not go out through the one before
   * (see `failsOver`); each failover is logged, the number masked.
   */
  private async sendThrough(
    send: PreparedSend,
    deadline: Deadline,
  ): Promise<{ answer: ProviderSendResult; provider: OtpProvider }> {
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
        return { answer: await provider.send(send, share), provider };
      } catch (error) {
        const next = able[at + 1];
        // Once the call is over (the caller has its error), nothing more is sent.
        const over = deadline.remainingMs() <= 0;
        if (next === undefined || over || !failsOver(error, onAmbiguous)) {
          throw error;
        }
        this.log.failover(provider.name, next.name, maskPhoneNumber(send.phone.e164), error);
      } finally {
        if (share !== deadline) share.end();
      }
    }
    throw new Error('unreachable: the last provider rethrows');
  }

  /** Hands back a pending verification only to the caller it was issued for, while usable. */
  private async checkPending(
    answer: ProviderSendResult,
    subject: string,
    purpose: string | null,
    stepUp: boolean,
  ): Promise<void> {
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
    if (record.failedAttempts >= this.options.guard.maxFailedAttempts) {
      throw new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS', {
        retryAfterSeconds,
        reason: 'the pending code is locked after too many wrong codes',
      });
    }
    if (record.state !== 'open') {
      throw new TooManyOtpRequestsException('pendingCode', retryAfterSeconds);
    }
  }
}
