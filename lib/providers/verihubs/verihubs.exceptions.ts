import { HttpStatus } from '@nestjs/common';
import {
  VerifyNowErrorDetails,
  VerifyNowException,
  describeCall,
} from '../../errors/verifynow.exception';

/**
 * Verihubs refused the number as blocked (HTTP 409 "Msisdn invalid: msisdn has
 * been blocked"): nothing went out, and the same number will be refused again.
 * Answered as 403 `PHONE_NUMBER_BLOCKED`.
 */
export class VerihubsBlockedNumberException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.FORBIDDEN,
      codeName: 'PHONE_NUMBER_BLOCKED',
      responseCode: null,
      publicMessage: 'This phone number cannot receive codes.',
      detail: describeCall(details, 'refused: Verihubs has blocked the number'),
      expose: true,
    });
  }
}
