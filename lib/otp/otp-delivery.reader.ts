import { Injectable } from '@nestjs/common';
import type { OtpDeliveryStatus } from '../interfaces/verifynow-otp.interface';
import { VerificationLedger } from '../ledger/verification.ledger';
import { issuerOf } from '../ledger/ledger-issuer.util';
import { OtpProviderChain } from '../providers/provider.chain';

/**
 * Reads what a verification's delivery callbacks said, from the ledger, in the
 * vocabulary of `OtpDeliveryState`.
 *
 * @internal
 */
@Injectable()
export class OtpDeliveryReader {
  constructor(
    private readonly ledger: VerificationLedger,
    private readonly providers: OtpProviderChain,
  ) {}

  async status(verificationId: string): Promise<OtpDeliveryStatus | undefined> {
    const record =
      typeof verificationId === 'string' && /^[\w-]{1,128}$/.test(verificationId)
        ? await this.ledger.get(verificationId)
        : undefined;
    if (record === undefined) {
      return undefined;
    }
    const name = issuerOf(record);
    const provider = this.providers.named(name);
    const history = (record.delivery ?? []).map(({ status, at }) => ({
      state: provider?.deliveryState?.(status, record.providerData) ?? 'unknown',
      at: new Date(at).toISOString(),
    }));
    return {
      verificationId,
      provider: name,
      state: history.at(-1)?.state,
      history,
    };
  }
}
