import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpStepUpException } from './otp-step-up.exception';
import {
  AlreadyVerifiedException,
  InvalidVerificationIdException,
  MaximumLimitReachedException,
  VerificationExpiredException,
  VerificationFailedException,
  WrongOtpProvidedException,
} from '../providers/verifynow/verifynow-code.exceptions';
import type { VerifyNowFlowType } from '../interfaces/verifynow-module-options.interface';
import type { SendOtpResult } from '../interfaces/verifynow-otp.interface';
import { OtpSender } from '../otp/otp.sender';
import { OtpValidator } from '../otp/otp.validator';
import { checkProof } from '../otp/proof-input.util';
import { phoneSubjects } from '../ledger/ledger-subject.util';
import { VerificationLedger } from '../ledger/verification.ledger';
import type { VerificationRecord } from '../ledger/verifynow-store.interface';
import { VERIFYNOW_CLOCK, VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import { VerifiedOtp } from './verified-otp.model';
import { StepUpReport } from './step-up.report';

/** A code sent for a purpose. */
export interface OtpChallengeInput {
  /** The subject's phone number, E.164. */
  phoneNumber: string;
  /** What the code will prove. */
  purpose: string;
  /** The end user's IP, for the per-IP send limit. */
  clientIp?: string;
  flowType?: VerifyNowFlowType;
}

/** What a client presents: the verification and the code the user typed. */
export interface OtpProof {
  verificationId: string;
  code: string;
}

/** What a proof must match. */
export interface OtpProofExpectations {
  /** The phone number of the subject acting now, E.164. */
  phoneNumber: string;
  /** The action being proved. */
  purpose: string;
  /** How old the verification may be. @defaultValue the module's `guard.maxAgeSeconds` (600) */
  maxAgeSeconds?: number;
}

/** A proof accepted for one action, with what it takes to give it back. @internal */
export interface SpentProof {
  verified: VerifiedOtp;
  /** The claim that spent it: {@link VerifyNowStepUpService.restore} needs it. */
  token: string;
}

/**
 * OTP step-up for any transport: `challenge()` sends a code for a purpose,
 * `verify()` accepts a proof only when every check holds, in this order: the
 * ledger has the verification (it was issued by this application, for step-up);
 * it was issued for the same phone number and the same purpose; it is fresh; it
 * has not been used; it has had fewer than `maxFailedAttempts` wrong codes; this
 * caller alone holds it (claimed atomically); and the upstream confirms the
 * code. Each failed check has its own {@link OtpStepUpException} code. When the
 * upstream or the store cannot be reached, the proof is refused (503), never
 * let through. `RequireOtpGuard` is built on it.
 */
@Injectable()
export class VerifyNowStepUpService {
  /** @internal Nest builds it. */
  constructor(
    private readonly sender: OtpSender,
    private readonly validator: OtpValidator,
    private readonly ledger: VerificationLedger,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
    private readonly report: StepUpReport,
  ) {}

  /**
   * Sends a code to the subject's phone for `purpose`, within the send limits.
   * A code pending for the same subject and purpose is handed back (nothing is
   * sent); one pending for another purpose is never handed back.
   *
   * @throws OtpStepUpException `OTP_CHALLENGE_PENDING` (409, `Retry-After`) while a
   *   code for another purpose is pending; `OTP_TOO_MANY_ATTEMPTS` (429,
   *   `Retry-After`) while the pending one is locked.
   * @throws the other errors of `VerifyNowService.sendOtp()`.
   */
  challenge(input: OtpChallengeInput): Promise<SendOtpResult> {
    return this.sender.send(
      {
        phoneNumber: input.phoneNumber,
        purpose: input.purpose,
        clientIp: input.clientIp,
        flowType: input.flowType ?? this.options.guard.flowType,
      },
      true,
    );
  }

  /**
   * Accepts a proof for one action, once.
   *
   * @throws OtpStepUpException with the reason (`OTP_UNKNOWN`, `OTP_SUBJECT_MISMATCH`,
   *   `OTP_PURPOSE_MISMATCH`, `OTP_ALREADY_USED`, `OTP_TOO_MANY_ATTEMPTS`,
   *   `OTP_EXPIRED`, `OTP_IN_PROGRESS`, `OTP_INVALID`, `OTP_SUBJECT_UNKNOWN`).
   * @throws VerifyNowInvalidInputException for a malformed proof.
   * @throws VerifyNowUnavailableException when the upstream or the store is down.
   */
  async verify(proof: OtpProof, expected: OtpProofExpectations): Promise<VerifiedOtp> {
    return (await this.spend(proof, expected)).verified;
  }

  /**
   * {@link verify}, keeping what it takes to give the proof back should the
   * action not run after all.
   *
   * @internal
   */
  async spend(proof: OtpProof, expected: OtpProofExpectations): Promise<SpentProof> {
    const checked = checkProof(proof);
    const subject = this.subjectOf(expected.phoneNumber);
    const maxAgeMs = (expected.maxAgeSeconds ?? this.options.guard.maxAgeSeconds) * 1000;
    let seen: VerificationRecord | undefined;
    const started = performance.now();
    try {
      const { token } = await this.validator.validate(checked, (record) => {
        seen = record;
        if (record.subject !== subject) {
          throw new OtpStepUpException('OTP_SUBJECT_MISMATCH');
        }
        if (!record.stepUp || record.purpose !== expected.purpose) {
          throw new OtpStepUpException('OTP_PURPOSE_MISMATCH');
        }
        if (this.ledger.ageMs(record) > maxAgeMs) {
          throw new OtpStepUpException('OTP_EXPIRED', { reason: 'older than maxAgeSeconds' });
        }
      });
      const verified = VerifiedOtp.of({
        verificationId: checked.verificationId,
        purpose: expected.purpose,
        verifiedAt: this.clock.now(),
      });
      this.report.passed(checked.verificationId, seen, started);
      return { verified, token };
    } catch (error) {
      const failed = seen?.failedAttempts ?? 0;
      const refusal = refusalFor(error, this.options.guard.maxFailedAttempts - failed - 1);
      this.report.refused(refusal, {
        verificationId: checked.verificationId,
        record: seen,
        started,
        purpose: expected.purpose,
      });
      throw refusal;
    }
  }

  /**
   * Gives back a proof whose action never ran (refused by input validation after
   * the guard): the same code passes once more, without asking the upstream.
   *
   * @internal
   */
  restore(spent: SpentProof): Promise<void> {
    return this.ledger.restore(spent.verified.verificationId, spent.token);
  }

  private subjectOf(phoneNumber: string): string {
    try {
      return phoneSubjects.of(phoneNumber);
    } catch {
      throw new OtpStepUpException('OTP_SUBJECT_UNKNOWN', {
        reason: 'the resolved phone number is not a valid E.164 number',
      });
    }
  }
}

/** What an upstream refusal means for the caller of step-up. */
function refusalFor(error: unknown, attemptsLeft: number): unknown {
  if (error instanceof WrongOtpProvidedException || error instanceof VerificationFailedException) {
    return new OtpStepUpException('OTP_INVALID', {
      responseCode: error.responseCode ?? undefined,
      attemptsLeft: Math.max(0, attemptsLeft),
    });
  }
  if (error instanceof AlreadyVerifiedException) {
    return new OtpStepUpException('OTP_ALREADY_USED', { responseCode: 703 });
  }
  if (error instanceof VerificationExpiredException) {
    return new OtpStepUpException('OTP_EXPIRED', { responseCode: 705 });
  }
  if (error instanceof InvalidVerificationIdException) {
    return new OtpStepUpException('OTP_UNKNOWN', { responseCode: 505 });
  }
  if (error instanceof MaximumLimitReachedException) {
    return new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS', { responseCode: 800 });
  }
  // The upstream said nothing about the code (down, misconfigured): refuse as it is.
  return error;
}
