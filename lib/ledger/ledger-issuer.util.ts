import type { OtpProviderName } from '../interfaces/verifynow-module-options.interface';
import type { VerificationRecord } from './verifynow-store.interface';

/**
 * The provider that issued a verification: records kept before providers were
 * named are VerifyNow's.
 *
 * @internal
 */
export function issuerOf(record: Pick<VerificationRecord, 'provider'>): OtpProviderName {
  return (record.provider ?? 'verifynow') as OtpProviderName;
}
