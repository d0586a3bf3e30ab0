import {
  VerifyNowErrorDetails,
  VerifyNowException,
  VerifyNowExceptionInit,
  describeCall,
} from '../../errors/verifynow.exception';
import { VerifyNowUnknownResponseException } from '../../http/upstream.exceptions';
import { VERIFYNOW_ERROR_CODES, VerifyNowErrorCodeName } from './verifynow.response-codes';

function codeInit(
  name: VerifyNowErrorCodeName,
  given: VerifyNowErrorDetails,
): VerifyNowExceptionInit {
  const { code, status, message, expose } = VERIFYNOW_ERROR_CODES[name];
  // The upstream's message is often just the code's name again.
  const details = {
    ...given,
    upstreamMessage: given.upstreamMessage === name ? undefined : given.upstreamMessage,
  };
  return {
    ...details,
    status,
    codeName: name,
    responseCode: code,
    publicMessage: message,
    detail: describeCall(details, `answered ${code} ${name}`),
    expose,
  };
}

/**
 * An answer with one of VerifyNow's documented error codes: its status, body and
 * message come from the response-code table. Each code has its own subclass.
 */
export abstract class VerifyNowCodeException extends VerifyNowException {
  /** @internal */
  protected constructor(name: VerifyNowErrorCodeName, details: VerifyNowErrorDetails = {}) {
    super(codeInit(name, details));
  }
}

/** 400 BAD_REQUEST: the upstream found the request malformed. Answered as 400. */
export class VerifyNowBadRequestException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'BAD_REQUEST';
  constructor(details?: VerifyNowErrorDetails) {
    super('BAD_REQUEST', details);
  }
}
/** 409 DUPLICATE_RESOURCE: the upstream refused a duplicate. Answered as 409. */
export class DuplicateResourceException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'DUPLICATE_RESOURCE';
  constructor(details?: VerifyNowErrorDetails) {
    super('DUPLICATE_RESOURCE', details);
  }
}
/** 500 SERVER_ERROR: the upstream failed. Answered as 502. */
export class ServerErrorException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'SERVER_ERROR';
  constructor(details?: VerifyNowErrorDetails) {
    super('SERVER_ERROR', details);
  }
}
/** 501 INVALID_CUSTOMER_ID: the configured `customerId` is wrong. Answered as a generic 500. */
export class InvalidCustomerIdException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'INVALID_CUSTOMER_ID';
  constructor(details?: VerifyNowErrorDetails) {
    super('INVALID_CUSTOMER_ID', details);
  }
}
/** 505 INVALID_VERIFICATION_ID: no such verification. Answered as 404. */
export class InvalidVerificationIdException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'INVALID_VERIFICATION_ID';
  constructor(details?: VerifyNowErrorDetails) {
    super('INVALID_VERIFICATION_ID', details);
  }
}
/**
 * 506 REQUEST_ALREADY_EXISTS without the pending verification's id. Answered as 409.
 * When the upstream names the pending verification, `sendOtp` decides instead.
 */
export class RequestAlreadyExistsException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'REQUEST_ALREADY_EXISTS';
  constructor(details?: VerifyNowErrorDetails) {
    super('REQUEST_ALREADY_EXISTS', details);
  }
}
/** 511 INVALID_COUNTRY_CODE: the upstream does not serve this country code. Answered as 400. */
export class InvalidCountryCodeException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'INVALID_COUNTRY_CODE';
  constructor(details?: VerifyNowErrorDetails) {
    super('INVALID_COUNTRY_CODE', details);
  }
}
/** 700 VERIFICATION_FAILED: the verification failed. Answered as 401. */
export class VerificationFailedException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'VERIFICATION_FAILED';
  constructor(details?: VerifyNowErrorDetails) {
    super('VERIFICATION_FAILED', details);
  }
}
/** 702 WRONG_OTP_PROVIDED: the code does not match. Answered as 401. */
export class WrongOtpProvidedException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'WRONG_OTP_PROVIDED';
  constructor(details?: VerifyNowErrorDetails) {
    super('WRONG_OTP_PROVIDED', details);
  }
}
/** 703 ALREADY_VERIFIED: the verification was completed before. Answered as 409. */
export class AlreadyVerifiedException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'ALREADY_VERIFIED';
  constructor(details?: VerifyNowErrorDetails) {
    super('ALREADY_VERIFIED', details);
  }
}
/** 705 VERIFICATION_EXPIRED: the code's time ran out. Answered as 410. */
export class VerificationExpiredException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'VERIFICATION_EXPIRED';
  constructor(details?: VerifyNowErrorDetails) {
    super('VERIFICATION_EXPIRED', details);
  }
}
/** 800 MAXIMUM_LIMIT_REACHED: too many sends or tries. Answered as 429. */
export class MaximumLimitReachedException extends VerifyNowCodeException {
  /** The documented code this class stands for. */
  static readonly codeName = 'MAXIMUM_LIMIT_REACHED';
  constructor(details?: VerifyNowErrorDetails) {
    super('MAXIMUM_LIMIT_REACHED', details);
  }
}

const CLASSES_BY_CODE = new Map<
  number,
  new (details?: VerifyNowErrorDetails) => VerifyNowException
>(
  [
    VerifyNowBadRequestException,
    DuplicateResourceException,
    ServerErrorException,
    InvalidCustomerIdException,
    InvalidVerificationIdException,
    RequestAlreadyExistsException,
    InvalidCountryCodeException,
    VerificationFailedException,
    WrongOtpProvidedException,
    AlreadyVerifiedException,
    VerificationExpiredException,
    MaximumLimitReachedException,
  ].map((ExceptionClass) => [VERIFYNOW_ERROR_CODES[ExceptionClass.codeName].code, ExceptionClass]),
);

/**
 * The typed exception for an upstream error `responseCode`; an unknown code gives
 * a `VerifyNowUnknownResponseException` that keeps it.
 *
 * @example throw exceptionForResponseCode(702, { operation: 'validate' });
 */
export function exceptionForResponseCode(
  responseCode: number,
  details: VerifyNowErrorDetails = {},
): VerifyNowException {
  const ExceptionClass = CLASSES_BY_CODE.get(responseCode);
  if (ExceptionClass) {
    return new ExceptionClass(details);
  }
  return new VerifyNowUnknownResponseException(
    responseCode,
    `answered the undocumented code ${responseCode}`,
    details,
  );
}
