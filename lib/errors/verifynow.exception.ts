import { HttpException, HttpStatus } from '@nestjs/common';
import { VerifyNowResponseCode, VerifyNowResponseCodeName } from './response-codes';

/**
 * The JSON body a {@link VerifyNowException} answers with, through
 * `VerifyNowExceptionFilter` or through Nest's own exception handling.
 */
export interface VerifyNowErrorBody {
  /** The HTTP status of the answer. */
  statusCode: number;
  /** A stable machine-readable name, e.g. `'WRONG_OTP_PROVIDED'`. */
  error: string;
  /** The upstream `responseCode`, or `null` when the error did not come from one. */
  responseCode: number | null;
  /** A message fit for the end user; never carries secrets or phone numbers. */
  message: string;
  /** With `OTP_REQUIRED` after a code was sent: the verification to prove. */
  verificationId?: string;
  /** With `OTP_REQUIRED` after a code was sent: seconds the code stays valid. */
  expiresIn?: number;
  /** With `OTP_INVALID`: wrong codes the verification still takes. */
  attemptsLeft?: number;
}

/** What the client knows of the upstream answer behind an error. */
export interface VerifyNowErrorDetails {
  /** Which upstream call failed. */
  operation?: VerifyNowOperation;
  /** The upstream's own message, already masked. */
  upstreamMessage?: string;
  /** The HTTP status the upstream answered with, if it answered. */
  upstreamStatus?: number;
  /** Seconds the upstream asked us to wait (its `Retry-After`). */
  retryAfterSeconds?: number;
}

/** An upstream call the client makes. */
export type VerifyNowOperation = 'token' | 'send' | 'validate';

/** @internal Everything a {@link VerifyNowException} is built from. */
export interface VerifyNowExceptionInit extends VerifyNowErrorDetails {
  status: number;
  codeName: string;
  responseCode: number | null;
  /** The message the end user sees. */
  publicMessage: string;
  /** The message for logs (`exception.message`); masked like everything else. */
  detail: string;
  /**
   * When false, the answer hides the code and message behind a generic 500:
   * used for configuration and credential problems the end user cannot act on.
   */
  expose: boolean;
  /** Fields added to the body. */
  extra?: Pick<VerifyNowErrorBody, 'verificationId' | 'expiresIn' | 'attemptsLeft'>;
}

const GENERIC_SERVER_BODY = {
  error: 'INTERNAL_SERVER_ERROR',
  message: 'The verification service is not available right now.',
} as const;

/**
 * Base class of every error this module throws at request time.
 *
 * It is an `HttpException`, so a controller that lets it through answers with a
 * fitting HTTP status and a {@link VerifyNowErrorBody} even without
 * `VerifyNowExceptionFilter`. `message` is the detailed text for logs; the
 * body (`getResponse()`) is what the end user may see.
 */
export class VerifyNowException extends HttpException {
  /** The upstream `responseCode`, or `null` when the error did not come from one. */
  readonly responseCode: number | null;
  /** A stable machine-readable name, e.g. `'WRONG_OTP_PROVIDED'`, `'UPSTREAM_UNAVAILABLE'`. */
  readonly codeName: string;
  /** Which upstream call failed, when one did. */
  readonly operation: VerifyNowOperation | undefined;
  /** The HTTP status the upstream answered with, when it answered. */
  readonly upstreamStatus: number | undefined;
  /** Seconds to wait before trying again, when known; sent as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  /** @internal Use a subclass; this constructor's shape may change. */
  constructor(init: VerifyNowExceptionInit) {
    const body: VerifyNowErrorBody = init.expose
      ? {
          statusCode: init.status,
          error: init.codeName,
          responseCode: init.responseCode,
          message: init.publicMessage,
          ...definedFields(init.extra),
        }
      : {
          statusCode: init.status,
          error: GENERIC_SERVER_BODY.error,
          responseCode: null,
          message: GENERIC_SERVER_BODY.message,
        };
    super(body, init.status);
    this.message = init.detail;
    this.responseCode = init.responseCode;
    this.codeName = init.codeName;
    this.operation = init.operation;
    this.upstreamStatus = init.upstreamStatus;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The body the end user gets. */
  override getResponse(): VerifyNowErrorBody {
    return super.getResponse() as VerifyNowErrorBody;
  }
}

function definedFields<T extends object>(fields: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** A documented error code: its HTTP status and the message the end user sees. */
interface CodeMapping {
  status: HttpStatus;
  message: string;
  /** False for codes that reveal a configuration problem: answered as a generic 500. */
  expose: boolean;
}

type ErrorCodeName = Exclude<VerifyNowResponseCodeName, 'SUCCESS'>;

/**
 * How each documented error code is answered. The README's error table is
 * checked against this one by a test.
 *
 * @internal
 */
export const RESPONSE_CODE_MAPPING: Readonly<Record<ErrorCodeName, CodeMapping>> = {
  BAD_REQUEST: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The verification provider rejected the request as invalid.',
    expose: true,
  },
  DUPLICATE_RESOURCE: {
    status: HttpStatus.CONFLICT,
    message: 'The verification provider refused a duplicate request.',
    expose: true,
  },
  SERVER_ERROR: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'The verification provider failed; try again later.',
    expose: true,
  },
  INVALID_CUSTOMER_ID: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    message: GENERIC_SERVER_BODY.message,
    expose: false,
  },
  INVALID_VERIFICATION_ID: {
    status: HttpStatus.NOT_FOUND,
    message: 'No verification with this id exists.',
    expose: true,
  },
  REQUEST_ALREADY_EXISTS: {
    status: HttpStatus.CONFLICT,
    message: 'A code was already sent to this number and is still valid.',
    expose: true,
  },
  INVALID_COUNTRY_CODE: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The country code is not supported.',
    expose: true,
  },
  VERIFICATION_FAILED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The verification failed.',
    expose: true,
  },
  WRONG_OTP_PROVIDED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The code is wrong.',
    expose: true,
  },
  ALREADY_VERIFIED: {
    status: HttpStatus.CONFLICT,
    message: 'This verification has already been completed.',
    expose: true,
  },
  VERIFICATION_EXPIRED: {
    status: HttpStatus.GONE,
    message: 'The code has expired; request a new one.',
    expose: true,
  },
  MAXIMUM_LIMIT_REACHED: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    message: 'Too many attempts; try again later.',
    expose: true,
  },
};

function describe(details: VerifyNowErrorDetails, what: string): string {
  const call = details.operation ? `VerifyNow ${details.operation}` : 'VerifyNow';
  const http = details.upstreamStatus !== undefined ? ` (HTTP ${details.upstreamStatus})` : '';
  const upstream = details.upstreamMessage ? `: ${details.upstreamMessage}` : '';
  return `${call} ${what}${http}${upstream}`;
}

function codeInit(name: ErrorCodeName, given: VerifyNowErrorDetails): VerifyNowExceptionInit {
  const mapping = RESPONSE_CODE_MAPPING[name];
  const code = VerifyNowResponseCode[name];
  // The upstream's message is often just the code's name again.
  const details = {
    ...given,
    upstreamMessage: given.upstreamMessage === name ? undefined : given.upstreamMessage,
  };
  return {
    ...details,
    status: mapping.status,
    codeName: name,
    responseCode: code,
    publicMessage: mapping.message,
    detail: describe(details, `answered ${code} ${name}`),
    expose: mapping.expose,
  };
}

/** 400 BAD_REQUEST: the upstream found the request malformed. Answered as 400. */
export class VerifyNowBadRequestException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('BAD_REQUEST', details));
  }
}

/** 409 DUPLICATE_RESOURCE: the upstream refused a duplicate. Answered as 409. */
export class DuplicateResourceException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('DUPLICATE_RESOURCE', details));
  }
}

/** 500 SERVER_ERROR: the upstream failed. Answered as 502. */
export class ServerErrorException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('SERVER_ERROR', details));
  }
}

/** 501 INVALID_CUSTOMER_ID: the configured `customerId` is wrong. Answered as a generic 500. */
export class InvalidCustomerIdException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('INVALID_CUSTOMER_ID', details));
  }
}

/** 505 INVALID_VERIFICATION_ID: no such verification. Answered as 404. */
export class InvalidVerificationIdException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('INVALID_VERIFICATION_ID', details));
  }
}

/**
 * 506 REQUEST_ALREADY_EXISTS without the pending verification's id. Answered as 409.
 *
 * When the upstream names the pending verification, `sendOtp` returns it with
 * `alreadyPending: true` instead of throwing.
 */
export class RequestAlreadyExistsException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('REQUEST_ALREADY_EXISTS', details));
  }
}

/** 511 INVALID_COUNTRY_CODE: the upstream does not serve this country code. Answered as 400. */
export class InvalidCountryCodeException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('INVALID_COUNTRY_CODE', details));
  }
}

/** 700 VERIFICATION_FAILED: the verification failed. Answered as 401. */
export class VerificationFailedException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('VERIFICATION_FAILED', details));
  }
}

/** 702 WRONG_OTP_PROVIDED: the code does not match. Answered as 401. */
export class WrongOtpProvidedException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('WRONG_OTP_PROVIDED', details));
  }
}

/** 703 ALREADY_VERIFIED: the verification was completed before. Answered as 409. */
export class AlreadyVerifiedException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('ALREADY_VERIFIED', details));
  }
}

/** 705 VERIFICATION_EXPIRED: the code's time ran out. Answered as 410. */
export class VerificationExpiredException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('VERIFICATION_EXPIRED', details));
  }
}

/** 800 MAXIMUM_LIMIT_REACHED: too many sends or tries. Answered as 429. */
export class MaximumLimitReachedException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super(codeInit('MAXIMUM_LIMIT_REACHED', details));
  }
}

/**
 * The upstream refused the credentials: the token endpoint said so (often inside
 * an HTTP 200), or send/validate answered 401/403 again after a fresh token.
 * Answered as a generic 500: the end user cannot fix the operator's account.
 */
export class VerifyNowAuthenticationException extends VerifyNowException {
  constructor(reason: string, details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      codeName: 'AUTHENTICATION_FAILED',
      responseCode: null,
      publicMessage: GENERIC_SERVER_BODY.message,
      detail: describe(details, `authentication failed: ${reason}`),
      expose: false,
    });
  }
}

/**
 * The upstream could not be used: network error, timeout, HTTP 5xx, or an answer
 * that is not JSON (such as an HTML error page). Answered as 503; the module fails
 * closed, so nothing is treated as verified.
 */
export class VerifyNowUnavailableException extends VerifyNowException {
  constructor(reason: string, details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.SERVICE_UNAVAILABLE,
      codeName: 'UPSTREAM_UNAVAILABLE',
      responseCode: null,
      publicMessage: 'The verification service is unavailable; try again later.',
      detail: describe(details, `unavailable: ${reason}`),
      expose: true,
    });
  }
}

/**
 * The circuit breaker is open after consecutive upstream failures: the call
 * failed fast, without reaching the upstream. Answered as 503, with
 * `Retry-After` until the next probe.
 */
export class VerifyNowCircuitOpenException extends VerifyNowUnavailableException {
  constructor(retryAfterSeconds: number | undefined, operation?: VerifyNowOperation) {
    super('the circuit breaker is open after repeated upstream failures', {
      operation,
      retryAfterSeconds,
    });
  }
}

/**
 * Too many calls are waiting for the outbound rate cap (`maxRequestsPerSecond`):
 * the queue is full, or this call waited `timeoutMs` for a slot. Nothing was sent.
 * Answered as 503.
 */
export class VerifyNowOverloadedException extends VerifyNowException {
  constructor(reason: string, operation?: VerifyNowOperation) {
    super({
      operation,
      status: HttpStatus.SERVICE_UNAVAILABLE,
      codeName: 'OUTBOUND_QUEUE_FULL',
      responseCode: null,
      publicMessage: 'The verification service is busy; try again shortly.',
      detail: describe({ operation }, `not called: ${reason}`),
      expose: true,
      retryAfterSeconds: 1,
    });
  }
}

/** The upstream answered HTTP 429 without a documented code. Answered as 429 with `Retry-After` when known. */
export class VerifyNowRateLimitException extends VerifyNowException {
  constructor(details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.TOO_MANY_REQUESTS,
      codeName: 'UPSTREAM_RATE_LIMITED',
      responseCode: null,
      publicMessage: 'Too many verification requests; try again later.',
      detail: describe(details, 'rate-limited the client'),
      expose: true,
    });
  }
}

/**
 * The upstream answered with a `responseCode` this module does not know, or with a
 * success whose data is missing. Keeps the raw code. Answered as 502.
 */
export class VerifyNowUnknownResponseException extends VerifyNowException {
  constructor(responseCode: number | null, reason: string, details: VerifyNowErrorDetails = {}) {
    super({
      ...details,
      status: HttpStatus.BAD_GATEWAY,
      codeName: 'UNKNOWN_RESPONSE',
      responseCode,
      publicMessage: 'The verification provider answered unexpectedly.',
      detail: describe(details, reason),
      expose: true,
    });
  }
}

/**
 * The caller passed input the module cannot send (a malformed phone number, a code
 * of the wrong shape). Thrown before any upstream call. Answered as 400 with a
 * message that says what is expected.
 */
export class VerifyNowInvalidInputException extends VerifyNowException {
  constructor(message: string) {
    super({
      status: HttpStatus.BAD_REQUEST,
      codeName: 'INVALID_INPUT',
      responseCode: null,
      publicMessage: message,
      detail: message,
      expose: true,
    });
  }
}

type CodeExceptionClass = new (details?: VerifyNowErrorDetails) => VerifyNowException;

const CLASSES_BY_CODE = new Map<number, CodeExceptionClass>([
  [VerifyNowResponseCode.BAD_REQUEST, VerifyNowBadRequestException],
  [VerifyNowResponseCode.DUPLICATE_RESOURCE, DuplicateResourceException],
  [VerifyNowResponseCode.SERVER_ERROR, ServerErrorException],
  [VerifyNowResponseCode.INVALID_CUSTOMER_ID, InvalidCustomerIdException],
  [VerifyNowResponseCode.INVALID_VERIFICATION_ID, InvalidVerificationIdException],
  [VerifyNowResponseCode.REQUEST_ALREADY_EXISTS, RequestAlreadyExistsException],
  [VerifyNowResponseCode.INVALID_COUNTRY_CODE, InvalidCountryCodeException],
  [VerifyNowResponseCode.VERIFICATION_FAILED, VerificationFailedException],
  [VerifyNowResponseCode.WRONG_OTP_PROVIDED, WrongOtpProvidedException],
  [VerifyNowResponseCode.ALREADY_VERIFIED, AlreadyVerifiedException],
  [VerifyNowResponseCode.VERIFICATION_EXPIRED, VerificationExpiredException],
  [VerifyNowResponseCode.MAXIMUM_LIMIT_REACHED, MaximumLimitReachedException],
]);

/**
 * The typed exception for an upstream error `responseCode`; an unknown code gives
 * a {@link VerifyNowUnknownResponseException} that keeps it.
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
