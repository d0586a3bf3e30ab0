import { Injectable } from '@nestjs/common';
import { recordFacts } from '../events/event-facts.util';
import { VerifyNowEvents } from '../events/verifynow-events.service';
import { VERIFYNOW_EVENTS } from '../events/verifynow.events';
import type { OtpDeliveryState } from '../interfaces/verifynow-otp.interface';
import type { DeliveryReport, VerificationRecord } from '../ledger/verifynow-store.interface';
import { issuerOf } from '../ledger/ledger-issuer.util';
import { OtpProviderChain } from '../providers/provider.chain';

/** The states that say the message will not reach the phone. */
const UNDELIVERED = new Set<OtpDeliveryState>([
  'failed',
  'request-error',
  'rejected',
  'undelivered',
  'blocked',
  'tier-limit-exceeded',
]);

/**
 * Announces what a provider's delivery callback said, once the ledger kept it:
 * `otp.delivered`, or `otp.undelivered` for a state that means the message will
 * not arrive, with the time from the send to the report. Other states (sent,
 * read, verified...) raise no event.
 *
 * @internal
 */
@Injectable()
export class OtpDeliveryReport {
  constructor(
    private readonly events: VerifyNowEvents,
    private readonly providers: OtpProviderChain,
  ) {}

  kept(record: VerificationRecord, report: DeliveryReport): void {
    const provider = this.providers.named(issuerOf(record));
    const state = provider?.deliveryState?.(report.status, record.providerData) ?? 'unknown';
    const name =
      state === 'delivered'
        ? VERIFYNOW_EVENTS.otpDelivered
        : UNDELIVERED.has(state)
          ? VERIFYNOW_EVENTS.otpUndelivered
          : undefined;
    if (name === undefined) {
      return;
    }
    this.events.emit({
      name,
      ...recordFacts(record, report.at),
      status: report.status,
      deliveryLatencyMs: Math.max(0, report.at - record.issuedAt),
    });
  }
}
