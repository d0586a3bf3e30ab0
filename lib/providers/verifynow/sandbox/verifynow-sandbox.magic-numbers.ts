/**
 * Magic destination numbers: each gives a fixed outcome, so that every answer
 * the upstream can give is reachable without an account or a real message.
 * The README's sandbox table documents the same rules.
 */

/** An outcome of a send to a magic number. @internal */
export type MagicSendOutcome =
  /** Answer the send at once with this HTTP status and JSON body. */
  | {
      kind: 'send-json';
      httpStatus: number;
      responseCode: number;
      /** Defaults to the code's documented name. */
      message?: string;
      retryAfter?: number;
    }
  /** Answer the send with this HTTP status and an HTML error page. */
  | { kind: 'send-html'; httpStatus: number }
  /** Accept the send, then answer every validation with this JSON outcome. */
  | { kind: 'validate-json'; responseCode: number }
  /** Accept the send, then answer every validation with an HTML error page. */
  | { kind: 'validate-html'; httpStatus: number }
  /** Accept the send normally, with this HTTP status and message. */
  | { kind: 'accept'; httpStatus: number; message: string };

/** The prefix of every magic number after the seed table's own: `+62 821 2306`. */
export const MAGIC_PREFIX = '628212306';

/** The seed sandbox table, verbatim: number → HTTP status and message. */
export const SEED_MAGIC_NUMBERS: Readonly<Record<string, MagicSendOutcome>> = {
  '6282123060001': { kind: 'accept', httpStatus: 201, message: 'OTP sent successfully' },
  '6282123060002': {
    kind: 'send-json',
    httpStatus: 400,
    responseCode: 400,
    message: 'Msisdn invalid: msisdn length should between 4-16 characters',
  },
  '6282123060003': {
    kind: 'send-json',
    httpStatus: 401,
    responseCode: 401,
    message: 'Authorization failed',
  },
  '6282123060004': {
    kind: 'send-json',
    httpStatus: 403,
    responseCode: 403,
    message: 'OTP testing quota is insufficient',
  },
  '6282123060005': {
    kind: 'send-json',
    httpStatus: 409,
    responseCode: 409,
    message: 'Msisdn invalid: msisdn has been blocked',
  },
  '6282123060006': {
    kind: 'send-json',
    httpStatus: 429,
    responseCode: 429,
    message: 'Too many request in the allowed time frame',
    retryAfter: 30,
  },
};

/** Seconds in `Retry-After` when a magic number answers 800 MAXIMUM_LIMIT_REACHED. */
const LIMIT_RETRY_AFTER = 60;

/**
 * The HTTP status the sandbox puts on a JSON answer with this responseCode.
 * The upstream's documents do not say; the sandbox mixes 200 and 4xx/5xx on
 * purpose so that clients read the body whatever the status.
 *
 * @internal
 */
export function httpStatusForCode(responseCode: number): number {
  switch (responseCode) {
    case 200:
    case 506:
    case 700:
    case 702:
    case 703:
    case 705:
      return 200;
    case 500:
      return 500;
    case 800:
      return 429;
    default:
      return 400;
  }
}

/** The outcome of a send to this number (country code and number joined), if it is magic. @internal */
export function magicOutcome(fullNumber: string): MagicSendOutcome | undefined {
  const seed = SEED_MAGIC_NUMBERS[fullNumber];
  if (seed) {
    return seed;
  }
  if (fullNumber.length !== MAGIC_PREFIX.length + 4 || !fullNumber.startsWith(MAGIC_PREFIX)) {
    return undefined;
  }
  const selector = fullNumber[MAGIC_PREFIX.length];
  const value = Number(fullNumber.slice(MAGIC_PREFIX.length + 1));
  if (value < 100) {
    return undefined;
  }
  switch (selector) {
    case '1':
      return {
        kind: 'send-json',
        httpStatus: httpStatusForCode(value),
        responseCode: value,
        retryAfter: value === 800 ? LIMIT_RETRY_AFTER : undefined,
      };
    case '2':
      return { kind: 'validate-json', responseCode: value };
    case '8':
      return { kind: 'validate-html', httpStatus: value };
    case '9':
      return { kind: 'send-html', httpStatus: value };
    default:
      return undefined;
  }
}
