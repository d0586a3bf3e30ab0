import { Injectable } from '@nestjs/common';
import { callFacts, codeOf, elapsedMs, recordFacts } from '../events/event-facts.util';
import { VerifyNowEvents } from '../events/verifynow-events.service';
import { VERIFYNOW_EVENTS, VerifyNowEventBase } from '../events/verifynow.events';
import type { VerificationRecord } from '../ledger/verifynow-store.interface';
import {
  MaximumLimitReachedException,
  VerificationExpiredException,
  VerificationFailedException,
  WrongOtpProvidedException,
} from '../providers/verifynow/verifynow-code.exceptions';
import { OtpStepUpException } from '../step-up/otp-step-up.exception';
import { OtpCallLog } from './otp-call.logger';

/** One validation as its report sees it. @internal */
export interface ValidationUnderway {
  verificationId: string;
  /** The ledger's record, once read: `undefined` for a verification it does not have. */
  record: VerificationRecord | undefined;
  maxFailedAttempts: number;
  /** `performance.now()` when the validation began. */
  started: number;
}

/**
 * What a validation tells the outside: its log line and its events
 * (`otp.verified`, `otp.wrong_code` and `otp.locked` after the last one allowed,
 * `otp.expired`, `otp.validation_refused`). Nothing in them is secret.
 *
 * @internal
 */
@Injectable()
export class OtpValidationReport {
  private readonly log = new OtpCallLog();

  constructor(private readonly events: VerifyNowEvents) {}

  verified(call: ValidationUnderway, now: number): void {
    const { verificationId, started } = call;
    this.log.success('validate', { outcome: 'verified', verificationId }, started);
    this.events.emit({ name: VERIFYNOW_EVENTS.otpVerified, ...this.facts(call, now) });
  }

  failed(call: ValidationUnderway, error: unknown, now: number): void {
    const { verificationId, record, maxFailedAttempts, started } = call;
    this.log.failure('validate', { verificationId }, error, started);
    const facts = this.facts(call, now);
    if (
      error instanceof WrongOtpProvidedException ||
      error instanceof VerificationFailedException
    ) {
      const failedAttempts = (record?.failedAttempts ?? 0) + 1;
      const attemptsLeft = Math.max(0, maxFailedAttempts - failedAttempts);
      this.events.emit({
        name: VERIFYNOW_EVENTS.otpWrongCode,
        ...facts,
        failedAttempts,
        attemptsLeft,
      });
      if (attemptsLeft === 0) {
        this.events.emit({ name: VERIFYNOW_EVENTS.otpLocked, ...facts, failedAttempts });
      }
      return;
    }
    if (
      error instanceof VerificationExpiredException ||
      (error instanceof OtpStepUpException && error.codeName === 'OTP_EXPIRED')
    ) {
      this.events.emit({ name: VERIFYNOW_EVENTS.otpExpired, ...facts });
      return;
    }
    if (error instanceof MaximumLimitReachedException) {
      // The upstream locked it on its own count.
      const failedAttempts = record?.failedAttempts ?? 0;
      this.events.emit({ name: VERIFYNOW_EVENTS.otpLocked, ...facts, failedAttempts });
    }
    this.events.emit({
      name: VERIFYNOW_EVENTS.otpValidationRefused,
      ...facts,
      error: codeOf(error),
    });
  }

  private facts(
    { verificationId, record, started }: ValidationUnderway,
    at: number,
  ): VerifyNowEventBase {
    const latencyMs = elapsedMs(started);
    return record === undefined
      ? callFacts({ at, verificationId, stepUp: false, latencyMs })
      : recordFacts(record, at, latencyMs);
  }
}
