import { HttpException, HttpStatus } from '@nestjs/common';

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
  /** Which upstream answered: VerifyNow unless said otherwise. */
  provider?: 'verifynow' | 'verihubs';
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

/** The body of answers that hide their detail (`expose: false`). @internal */
export const GENERIC_SERVER_BODY = {
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
  /** Which upstream answered or was called, when one was. */
  readonly provider: 'verifynow' | 'verihubs' | undefined;
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
    this.provider = init.provider ?? (init.operation ? 'verifynow' : undefined);
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

/** `VerifyNow send answered ... (HTTP 400): message`, for an exception's log text. @internal */
export function describeCall(details: VerifyNowErrorDetails, what: string): string {
  const name = details.provider === 'verihubs' ? 'Verihubs' : 'VerifyNow';
  const call = details.operation ? `${name} ${details.operation}` : name;
  const http = details.upstreamStatus !== undefined ? ` (HTTP ${details.upstreamStatus})` : '';
  const upstream = details.upstreamMessage ? `: ${details.upstreamMessage}` : '';
  return `${call} ${what}${http}${upstream}`;
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
