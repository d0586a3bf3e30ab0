import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import {
  OtpCountryNotAllowedException,
  TooManyOtpRequestsException,
} from './send-limit.exceptions';
import { VerifyNowUnavailableException } from '../http/upstream.exceptions';
import type { VerifyNowRateLimit } from '../interfaces/verifynow-state-options.interface';
import type { PreparedSend } from '../otp/prepare-send.util';
import { clientAddressKey } from './client-address.util';
import {
  VERIFYNOW_RESOLVED_OPTIONS,
  VERIFYNOW_THROTTLER_STORAGE,
} from '../verifynow.internal-constants';

/**
 * Checks a send against the limits before any upstream call: the country
 * allowlist, then sends per client IP, then sends per phone number, counted in
 * `@nestjs/throttler`'s storage (sliding windows; refused sends do not count).
 * The per-IP counter keys on the normalised client address
 * ({@link clientAddressKey}: IPv4-mapped IPv6 as IPv4, other IPv6 by its /64).
 * When the counters cannot be reached, sends are refused: the module fails closed.
 *
 * @internal
 */
@Injectable()
export class VerifyNowSendLimiter {
  constructor(
    @Inject(VERIFYNOW_RESOLVED_OPTIONS) private readonly options: ResolvedVerifyNowOptions,
    @Inject(VERIFYNOW_THROTTLER_STORAGE) private readonly storage: ThrottlerStorage,
  ) {}

  /**
   * @param send the checked send: its country, its number's subject (the per-number
   *   counter's key) and the client's address.
   * @param stepUp whether the send is a step-up challenge, counted per number apart.
   * @throws VerifyNowInvalidInputException (400) when the per-IP limit is on and
   *   `clientIp` is not an IP address; checked before any counter moves.
   * @throws OtpCountryNotAllowedException for a country outside the allowlist.
   * @throws TooManyOtpRequestsException when a limit is reached, with the wait.
   * @throws VerifyNowUnavailableException when the counters cannot be reached.
   */
  async check(
    { phone, subject, clientIp }: Pick<PreparedSend, 'phone' | 'subject' | 'clientIp'>,
    stepUp = false,
  ): Promise<void> {
    const { allowedCountries, perClientIp, perPhoneNumber } = this.options.limits;
    // Malformed input is refused first, whatever the other limits would say.
    const clientKey = perClientIp && clientIp ? clientAddressKey(clientIp) : undefined;
    if (allowedCountries && (phone.country === undefined || !allowedCountries.has(phone.country))) {
      throw new OtpCountryNotAllowedException();
    }
    if (perClientIp && clientKey !== undefined) {
      await this.hit('verifynow-client-ip', clientKey, perClientIp, 'clientIp');
    }
    // Step-up challenges (for a signed-in user's own number) count apart from
    // other sends, so that flooding an open send endpoint with a user's number
    // never uses up the quota their step-up needs.
    if (perPhoneNumber) {
      await this.hit(
        stepUp ? 'verifynow-phone-number-step-up' : 'verifynow-phone-number',
        subject,
        perPhoneNumber,
        'phoneNumber',
      );
    }
  }

  private async hit(
    throttlerName: string,
    key: string,
    rate: VerifyNowRateLimit,
    limit: 'phoneNumber' | 'clientIp',
  ): Promise<void> {
    let record: Awaited<ReturnType<ThrottlerStorage['increment']>>;
    try {
      record = await this.storage.increment(
        key,
        rate.ttlSeconds * 1000,
        rate.limit,
        0,
        throttlerName,
      );
    } catch {
      throw new VerifyNowUnavailableException('the send counters could not be reached');
    }
    if (record.isBlocked) {
      throw new TooManyOtpRequestsException(limit, Math.max(1, record.timeToBlockExpire));
    }
  }
}
