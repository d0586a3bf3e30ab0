import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpStepUpException } from '../step-up/otp-step-up.exception';
import { OtpProviderChain } from '../providers/provider.chain';
import type { ValidateOtpResult } from '../interfaces/verifynow-otp.interface';
import { Deadline } from '../resilience/call.deadline';
import { LedgerReceipt, VerificationLedger } from '../ledger/verification.ledger';
import type { VerificationRecord } from '../ledger/verifynow-store.interface';
import { issuerOf } from '../ledger/ledger-issuer.util';
import type { VerifyNowTelemetry } from '../telemetry/verifynow.telemetry';
import {
  VERIFYNOW_CLOCK,
  VERIFYNOW_RESOLVED_OPTIONS,
  VERIFYNOW_TELEMETRY,
} from '../verifynow.internal-constants';
import type { VerifyNowClock } from '../verifynow.internal-constants';
import { OtpValidationReport, ValidationUnderway } from './otp-validation.report';
import type { CheckedProof } from './proof-input.util';

/**
 * Checks a code, for `validateOtp()` and for step-up alike: through the ledger
 * (which refuses what it did not issue, counts wrong codes and lets one caller
 * at a time ask the upstream), within `timeoutMs` in all, reported once.
 *
 * @internal
 */
@Injectable()
export class OtpValidator {
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly providers: OtpProviderChain,
    private readonly ledger: VerificationLedger,
    @Inject(VERIFYNOW_CLOCK) private readonly clock: VerifyNowClock,
    private readonly report: OtpValidationReport,
    @Inject(VERIFYNOW_TELEMETRY) private readonly telemetry: VerifyNowTelemetry,
  ) {}

  /**
   * @param inspect the caller's binding checks on the ledger's record; throws to refuse.
   */
  async validate(
    proof: CheckedProof,
    inspect: (record: VerificationRecord) => void,
  ): Promise<LedgerReceipt<ValidateOtpResult>> {
    const { verificationId, code } = proof;
    const call: ValidationUnderway = {
      verificationId,
      record: undefined,
      maxFailedAttempts: this.options.guard.maxFailedAttempts,
      started: performance.now(),
    };
    const deadline = Deadline.after(this.options.timeoutMs);
    const seen = (record: VerificationRecord): void => {
      call.record = record;
      inspect(record);
    };
    try {
      const receipt = await deadline.race(
        this.ledger.check(proof, seen, (record) => {
          // The provider that issued it, and no other: it alone knows the code.
          const provider = this.providers.named(issuerOf(record));
          if (provider === undefined) {
            throw new OtpStepUpException('OTP_UNKNOWN', {
              reason: `issued through ${record.provider}, which is not configured`,
            });
          }
          const upstream = {
            provider: provider.name,
            operation: 'validate',
            channel: record.channel,
          } as const;
          return this.telemetry.traceUpstream(upstream, () =>
            provider.verify({ verificationId, code, providerData: record.providerData }, deadline),
          );
        }),
        'validate',
      );
      this.report.verified(call, this.clock.now());
      return receipt;
    } catch (error) {
      this.report.failed(call, error, this.clock.now());
      throw error;
    }
  }
}
