import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { OtpStepUpException } from '../step-up/otp-step-up.exception';
import { OtpProviderChain } from '../providers/provider.chain';
import type { ValidateOtpResult } from '../interfaces/verifynow-otp.interface';
import { Deadline } from '../resilience/call.deadline';
import { LedgerReceipt, VerificationLedger } from '../ledger/verification.ledger';
import type { VerificationRecord } from '../ledger/verifynow-store.interface';
import { VERIFYNOW_RESOLVED_OPTIONS } from '../verifynow.internal-constants';
import { OtpCallLog } from './otp-call.logger';
import type { CheckedProof } from './proof-input.util';

/**
 * Checks a code, for `validateOtp()` and for step-up alike: through the ledger
 * (which refuses what it did not issue, counts wrong codes and lets one caller
 * at a time ask the upstream), within `timeoutMs` in all, logged once.
 *
 * @internal
 */
@Injectable()
export class OtpValidator {
  private readonly log = new OtpCallLog();

  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    private readonly providers: OtpProviderChain,
    private readonly ledger: VerificationLedger,
  ) {}

  /**
   * @param inspect the caller's binding checks on the ledger's record; throws to refuse.
   */
  async validate(
    proof: CheckedProof,
    inspect: (record: VerificationRecord) => void,
  ): Promise<LedgerReceipt<ValidateOtpResult>> {
    const started = performance.now();
    const { verificationId, code } = proof;
    const deadline = Deadline.after(this.options.timeoutMs);
    try {
      const receipt = await deadline.race(
        this.ledger.check(proof, inspect, (record) => {
          // The provider that issued it, and no other: it alone knows the code.
          const provider = this.providers.named(record.provider ?? 'verifynow');
          if (provider === undefined) {
            throw new OtpStepUpException('OTP_UNKNOWN', {
              reason: `issued through ${record.provider}, which is not configured`,
            });
          }
          return provider.verify(
            { verificationId, code, providerData: record.providerData },
            deadline,
          );
        }),
        'validate',
      );
      this.log.success('validate', { outcome: 'verified', verificationId }, started);
      return receipt;
    } catch (error) {
      this.log.failure('validate', { verificationId }, error, started);
      throw error;
    }
  }
}
