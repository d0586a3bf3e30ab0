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

/** The constructor of one documented code's exception class. */
interface CodeExceptionClass<Name extends VerifyNowErrorCodeName> {
  new (details?: VerifyNowErrorDetails): VerifyNowException;
  /** The documented code the class stands for. */
  readonly codeName: Name;
}

/** The class of one documented code: its status, body and message come from the table. */
function codeException<Name extends VerifyNowErrorCodeName>(name: Name): CodeExceptionClass<Name> {
  return class extends VerifyNowException {
    /** The documented code this class stands for. */
    static readonly codeName: Name = name;

    constructor(details: VerifyNowErrorDetails = {}) {
      super(codeInit(name, details));
    }
  };
}

/** 400 BAD_REQUEST: the upstream found the request malformed. Answered as 400. */
export class VerifyNowBadRequestException extends codeException('BAD_REQUEST') {}
/** 409 DUPLICATE_RESOURCE: the upstream refused a duplicate. Answered as 409. */
export class DuplicateResourceException extends codeException('DUPLICATE_RESOURCE') {}
/** 500 SERVER_ERROR: the upstream failed. Answered as 502. */
export class ServerErrorException extends codeException('SERVER_ERROR') {}
/** 501 INVALID_CUSTOMER_ID: the configured `customerId` is wrong. Answered as a generic 500. */
export class InvalidCustomerIdException extends codeException('INVALID_CUSTOMER_ID') {}
/** 505 INVALID_VERIFICATION_ID: no such verification. Answered as 404. */
export class InvalidVerificationIdException extends codeException('INVALID_VERIFICATION_ID') {}
/**
 * 506 REQUEST_ALREADY_EXISTS without the pending verification's id. Answered as 409.
 * When the upstream names the pending verification, `sendOtp` decides instead.
 */
export class RequestAlreadyExistsException extends codeException('REQUEST_ALREADY_EXISTS') {}
/** 511 INVALID_COUNTRY_CODE: the upstream does not serve this country code. Answered as 400. */
export class InvalidCountryCodeException extends codeException('INVALID_COUNTRY_CODE') {}
/** 700 VERIFICATION_FAILED: the verification failed. Answered as 401. */
export class VerificationFailedException extends codeException('VERIFICATION_FAILED') {}
/** 702 WRONG_OTP_PROVIDED: the code does not match. Answered as 401. */
export class WrongOtpProvidedException extends codeException('WRONG_OTP_PROVIDED') {}
/** 703 ALREADY_VERIFIED: the verification was completed before. Answered as 409. */
export class AlreadyVerifiedException extends codeException('ALREADY_VERIFIED') {}
/** 705 VERIFICATION_EXPIRED: the code's time ran out. Answered as 410. */
export class VerificationExpiredException extends codeException('VERIFICATION_EXPIRED') {}
/** 800 MAXIMUM_LIMIT_REACHED: too many sends or tries. Answered as 429. */
export class MaximumLimitReachedException extends codeException('MAXIMUM_LIMIT_REACHED') {}

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
