import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpStepUpException } from '../errors/otp-step-up.exception';
import {
  AlreadyVerifiedException,
  InvalidVerificationIdException,
  MaximumLimitReachedException,
  VerificationExpiredException,
  VerificationFailedException,
  VerifyNowException,
  VerifyNowInvalidInputException,
  VerifyNowUnavailableException,
  WrongOtpProvidedException,
} from '../errors/verifynow.exception';
import type { VerifyNowFlowType } from '../interfaces/verifynow-module-options.interface';
import type { SendOtpResult } from '../interfaces/verifynow-otp.interface';
import { parsePhoneNumber } from '../phone/phone-number';
import { subjectOf } from '../store/subject';
import {
  VerificationOutcome,
  VerificationRecord,
  VerifyNowStore,
} from '../store/verifynow-store.interface';
import { VERIFYNOW_CLOCK, VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import { VerifyNowService } from '../verifynow.service';

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
  /** How old the verification may be. @default the module's `guard.maxAgeSeconds` (600) */
  maxAgeSeconds?: number;
}

/** A proof accepted by {@link VerifyNowStepUpService.verify}. */
export interface VerifiedOtp {
  verificationId: string;
  purpose: string;
  /** When it was accepted, in milliseconds since the epoch. */
  verifiedAt: number;
}

const VERIFICATION_ID = /^\d{1,19}$/;
const CODE = /^\d{4,8}$/;
/** How long a claim outlives the upstream deadline, should the process die holding it. */
const LEASE_MARGIN_MS = 5_000;

/**
 * OTP step-up for any transport: `challenge()` sends a code for a purpose,
 * `verify()` accepts a proof only when every check holds, in this order: the
 * ledger has the verification (it was issued by this application); it was
 * issued for the same phone number and the same purpose; it has not been used;
 * it has had fewer than `maxFailedAttempts` wrong codes; it is fresh; this
 * caller alone holds it (claimed atomically); and the upstream confirms the
 * code. Each failed check has its own {@link OtpStepUpException} code. When the
 * upstream or the store cannot be reached, the proof is refused (503), never
 * let through. `RequireOtpGuard` is built on it.
 */
@Injectable()
export class VerifyNowStepUpService {
  constructor(
    private readonly verifyNow: VerifyNowService,
    @Inject(VerifyNowStore) private readonly store: VerifyNowStore,
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
  ) {}

  /**
   * Sends a code to the subject's phone for `purpose`, within the send limits.
   *
   * @throws the errors of `VerifyNowService.sendOtp()`.
   */
  challenge(input: OtpChallengeInput): Promise<SendOtpResult> {
    return this.verifyNow.sendOtp({
      phoneNumber: input.phoneNumber,
      purpose: input.purpose,
      clientIp: input.clientIp,
      flowType: input.flowType ?? this.options.guard.flowType,
    });
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
    if (!VERIFICATION_ID.test(String(proof.verificationId)) || !CODE.test(String(proof.code))) {
      throw new VerifyNowInvalidInputException(
        'The proof must carry the numeric verification id and the 4 to 8 digit code.',
      );
    }
    const subject = this.subjectOf(expected.phoneNumber);
    const { verificationId } = proof;
    const { maxFailedAttempts } = this.options.guard;
    const record = await this.fromStore(() => this.store.get(verificationId));
    this.checkRecord(record, subject, expected);

    const maxAgeMs = (expected.maxAgeSeconds ?? this.options.guard.maxAgeSeconds) * 1000;
    if (this.clock.now() - record.issuedAt > maxAgeMs) {
      throw new OtpStepUpException('OTP_EXPIRED', { reason: 'older than maxAgeSeconds' });
    }

    const claim = await this.fromStore(() =>
      this.store.claim(verificationId, this.options.timeoutMs + LEASE_MARGIN_MS, maxFailedAttempts),
    );
    switch (claim.status) {
      case 'claimed':
        break;
      case 'missing':
        throw new OtpStepUpException('OTP_UNKNOWN');
      case 'consumed':
        throw new OtpStepUpException('OTP_ALREADY_USED');
      case 'busy':
        throw new OtpStepUpException('OTP_IN_PROGRESS');
      case 'locked':
        throw new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS');
    }

    let outcome: VerificationOutcome = 'released';
    try {
      await this.verifyNow.validateOtp(proof);
      outcome = 'verified';
    } catch (error) {
      const judged = judge(error, maxFailedAttempts - record.failedAttempts - 1);
      outcome = judged.outcome;
      throw judged.error;
    } finally {
      await this.fromStore(() => this.store.settle(verificationId, claim.token, outcome));
    }
    return { verificationId, purpose: expected.purpose, verifiedAt: this.clock.now() };
  }

  private subjectOf(phoneNumber: string): string {
    try {
      return subjectOf(parsePhoneNumber({ phoneNumber }).e164);
    } catch {
      throw new OtpStepUpException('OTP_SUBJECT_UNKNOWN', {
        reason: 'the resolved phone number is not a valid E.164 number',
      });
    }
  }

  /** The checks that need no claim; the order keeps other subjects from learning anything. */
  private checkRecord(
    record: VerificationRecord | undefined,
    subject: string,
    expected: OtpProofExpectations,
  ): asserts record is VerificationRecord {
    if (record === undefined) {
      throw new OtpStepUpException('OTP_UNKNOWN');
    }
    if (record.subject !== subject) {
      throw new OtpStepUpException('OTP_SUBJECT_MISMATCH');
    }
    if (record.purpose !== expected.purpose) {
      throw new OtpStepUpException('OTP_PURPOSE_MISMATCH');
    }
    if (record.state === 'consumed') {
      throw new OtpStepUpException('OTP_ALREADY_USED');
    }
    if (record.failedAttempts >= this.options.guard.maxFailedAttempts) {
      throw new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS');
    }
  }

  /** Runs a store call; a store that cannot be reached refuses the proof. */
  private async fromStore<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof VerifyNowException) {
        throw error;
      }
      throw new VerifyNowUnavailableException('the verification store could not be reached');
    }
  }
}

/** What an upstream refusal means for the ledger and for the caller. */
function judge(
  error: unknown,
  attemptsLeft: number,
): { outcome: VerificationOutcome; error: unknown } {
  if (error instanceof WrongOtpProvidedException || error instanceof VerificationFailedException) {
    return {
      outcome: 'failed',
      error: new OtpStepUpException('OTP_INVALID', {
        responseCode: error.responseCode ?? undefined,
        attemptsLeft: Math.max(0, attemptsLeft),
      }),
    };
  }
  if (error instanceof AlreadyVerifiedException) {
    return {
      outcome: 'verified',
      error: new OtpStepUpException('OTP_ALREADY_USED', { responseCode: 703 }),
    };
  }
  if (error instanceof VerificationExpiredException) {
    return {
      outcome: 'released',
      error: new OtpStepUpException('OTP_EXPIRED', { responseCode: 705 }),
    };
  }
  if (error instanceof InvalidVerificationIdException) {
    return {
      outcome: 'released',
      error: new OtpStepUpException('OTP_UNKNOWN', { responseCode: 505 }),
    };
  }
  if (error instanceof MaximumLimitReachedException) {
    return {
      outcome: 'failed',
      error: new OtpStepUpException('OTP_TOO_MANY_ATTEMPTS', { responseCode: 800 }),
    };
  }
  // The upstream said nothing about the code (down, misconfigured): refuse, count nothing.
  return { outcome: 'released', error };
}
