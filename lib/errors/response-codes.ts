/**
 * The `responseCode` values VerifyNow documents, by name.
 *
 * The upstream sends them in the JSON body of send and validate answers, whatever
 * the HTTP status of the answer.
 */
export const VerifyNowResponseCode = {
  SUCCESS: 200,
  BAD_REQUEST: 400,
  DUPLICATE_RESOURCE: 409,
  SERVER_ERROR: 500,
  INVALID_CUSTOMER_ID: 501,
  INVALID_VERIFICATION_ID: 505,
  REQUEST_ALREADY_EXISTS: 506,
  INVALID_COUNTRY_CODE: 511,
  VERIFICATION_FAILED: 700,
  WRONG_OTP_PROVIDED: 702,
  ALREADY_VERIFIED: 703,
  VERIFICATION_EXPIRED: 705,
  MAXIMUM_LIMIT_REACHED: 800,
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
