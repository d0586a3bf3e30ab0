import type { OtpDeliveryState } from '../../interfaces/verifynow-otp.interface';
import type { VerihubsChannel } from './verihubs.endpoints';

/** Verihubs' SMS callback statuses, by number (0 Requested … 9 Blocked). */
const SMS: readonly OtpDeliveryState[] = [
  'requested',
  'delivered',
  'verified',
  'not-verified',
  'failed',
  'request-error',
  'rejected',
  'undelivered',
  'no-report',
  'blocked',
];

/** Verihubs' WhatsApp callback statuses, by number (0 Requested … 10 Tier Limit Exceeded). */
const WHATSAPP: readonly OtpDeliveryState[] = [
  'requested',
  'sent',
  'delivered',
  'read',
  'verified',
  'not-verified',
  'failed',
  'request-error',
  'rejected',
  'blocked',
  'tier-limit-exceeded',
];

/** The state a Verihubs callback status means on a channel. @internal */
export function verihubsDeliveryState(channel: VerihubsChannel, status: number): OtpDeliveryState {
  return (channel === 'whatsapp' ? WHATSAPP : SMS)[status] ?? 'unknown';
}

/** Whether `status` is one Verihubs documents on a channel. @internal */
export function isVerihubsStatus(channel: VerihubsChannel, status: number): boolean {
  return (
    Number.isInteger(status) &&
    status >= 0 &&
    status < (channel === 'whatsapp' ? WHATSAPP : SMS).length
  );
}
