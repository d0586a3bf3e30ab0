import { HttpStatus } from '@nestjs/common';
import { VerifyNowException } from '../errors/verifynow.exception';

/** Which limit refused a send with {@link TooManyOtpRequestsException}. */
export type SendRefusal = 'phoneNumber' | 'clientIp' | 'pendingCode';

/** Why a send was refused, by limit. */
const SEND_REFUSALS: Record<SendRefusal, string> = {
  phoneNumber: 'the phone number limit is reached',
  clientIp: 'the client IP limit is reached',
  pendingCode:
    'the code pending for this number was already used, and no new one can go out before it expires',
};

/**
 * A send was refused before any message went out: a send limit was reached (per
 * phone number or per client IP), or the code pending for the number was used
 * up and the upstream sends no new one before it expires. Answered as 429 with
 * `Retry-After`.
 */
export class TooManyOtpRequestsException extends VerifyNowException {
  constructor(
    /** Which limit was reached. */
    readonly limit: SendRefusal,
    retryAfterSeconds: number,
  ) {
    super({
      status: HttpStatus.TOO_MANY_REQUESTS,
      codeName: 'TOO_MANY_OTP_REQUESTS',
      responseCode: null,
      publicMessage: 'Too many codes were requested; try again later.',
      detail: `OTP send refused: ${SEND_REFUSALS[limit]}`,
      expose: true,
      retryAfterSeconds,
    });
  }
}

/** A send to a country outside `limits.allowedCountries` was refused before any upstream call. Answered as 403. */
export class OtpCountryNotAllowedException extends VerifyNowException {
  constructor() {
    super({
      status: HttpStatus.FORBIDDEN,
      codeName: 'OTP_COUNTRY_NOT_ALLOWED',
      responseCode: null,
      publicMessage: 'Codes cannot be sent to phone numbers of this country.',
      detail: 'OTP send refused: the country is not in limits.allowedCountries',
      expose: true,
    });
  }
}
