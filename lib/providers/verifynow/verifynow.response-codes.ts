/**
 * Every error `responseCode` VerifyNow documents, written once: its number, the
 * HTTP status the module answers with (plain numbers: the sandbox uses this
 * table too, without Nest), the message the end user sees, and
 * whether the answer shows it (`false`: a configuration problem, answered as a
 * generic 500). The README's error table is checked against it by a test.
 *
 * @internal
 */
export const VERIFYNOW_ERROR_CODES = {
  BAD_REQUEST: {
    code: 400,
    status: 400,
    message: 'The verification provider rejected the request as invalid.',
    expose: true,
  },
  DUPLICATE_RESOURCE: {
    code: 409,
    status: 409,
    message: 'The verification provider refused a duplicate request.',
    expose: true,
  },
  SERVER_ERROR: {
    code: 500,
    status: 502,
    message: 'The verification provider failed; try again later.',
    expose: true,
  },
  INVALID_CUSTOMER_ID: {
    code: 501,
    status: 500,
    // Not shown: answered with the generic body of hidden errors.
    message: 'The verification service is not available right now.',
    expose: false,
  },
  INVALID_VERIFICATION_ID: {
    code: 505,
    status: 404,
    message: 'No verification with this id exists.',
    expose: true,
  },
  REQUEST_ALREADY_EXISTS: {
    code: 506,
    status: 409,
    message: 'A code was already sent to this number and is still valid.',
    expose: true,
  },
  INVALID_COUNTRY_CODE: {
    code: 511,
    status: 400,
    message: 'The country code is not supported.',
    expose: true,
  },
  VERIFICATION_FAILED: {
    code: 700,
    status: 401,
    message: 'The verification failed.',
    expose: true,
  },
  WRONG_OTP_PROVIDED: {
    code: 702,
    status: 401,
    message: 'The code is wrong.',
    expose: true,
  },
  ALREADY_VERIFIED: {
    code: 703,
    status: 409,
    message: 'This verification has already been completed.',
    expose: true,
  },
  VERIFICATION_EXPIRED: {
    code: 705,
    status: 410,
    message: 'The code has expired; request a new one.',
    expose: true,
  },
  MAXIMUM_LIMIT_REACHED: {
    code: 800,
    status: 429,
    message: 'Too many attempts; try again later.',
    expose: true,
  },
} as const;

/** The name of a documented error code, e.g. `'WRONG_OTP_PROVIDED'`. @internal */
export type VerifyNowErrorCodeName = keyof typeof VERIFYNOW_ERROR_CODES;

/**
 * The `responseCode` values VerifyNow documents, by name.
 *
 * The upstream sends them in the JSON body of send and validate answers, whatever
 * the HTTP status of the answer.
 */
export const VerifyNowResponseCode = {
  SUCCESS: 200,
  ...(Object.fromEntries(
    Object.entries(VERIFYNOW_ERROR_CODES).map(([name, { code }]) => [name, code]),
  ) as { readonly [Name in VerifyNowErrorCodeName]: (typeof VERIFYNOW_ERROR_CODES)[Name]['code'] }),
} as const;

/** The name of a documented response code, e.g. `'WRONG_OTP_PROVIDED'`. */
export type VerifyNowResponseCodeName = keyof typeof VerifyNowResponseCode;

/** A documented response code, e.g. `702`. */
export type VerifyNowResponseCodeValue = (typeof VerifyNowResponseCode)[VerifyNowResponseCodeName];

const NAMES_BY_CODE = new Map<number, VerifyNowResponseCodeName>(
  (Object.keys(VerifyNowResponseCode) as VerifyNowResponseCodeName[]).map((name) => [
    VerifyNowResponseCode[name],
    name,
  ]),
);

/**
 * The documented name of a response code, or `undefined` when the code is not documented.
 *
 * @example responseCodeName(705) // 'VERIFICATION_EXPIRED'
 */
export function responseCodeName(code: number): VerifyNowResponseCodeName | undefined {
  return NAMES_BY_CODE.get(code);
}
