import { VerifyNowResponseCode } from '../verifynow.response-codes';
import { VERIFYNOW_FLOW_TYPES } from '../../../interfaces/verifynow-module-options.interface';
import { isKnownDialCode } from '../../../phone/phone-number.util';
import { VerifyNowReply, business } from './verifynow-sandbox.replies';

/** A send's query parameters as received; a missing one is `undefined`. @internal */
export interface VerifyNowSendParameters {
  countryCode?: string;
  mobileNumber?: string;
  flowType?: string;
  otpLength?: string;
}

/** A validation's query parameters as received; a missing one is `undefined`. @internal */
export interface VerifyNowValidateParameters {
  verificationId?: string;
  code?: string;
}

/** A send's parameters once checked. @internal */
export interface CheckedSend {
  countryCode: string;
  mobileNumber: string;
  flowType: string;
  /** 4 when the send did not say. */
  otpLength: number;
}

const FLOW_TYPES = new Set<string>(VERIFYNOW_FLOW_TYPES);

/**
 * A send's parameters checked in the upstream's order, or the answer to the
 * first wrong one: 400 BAD_REQUEST, or 511 for an unknown dial code.
 *
 * @internal
 */
export function checkSend(parameters: VerifyNowSendParameters): CheckedSend | VerifyNowReply {
  const { countryCode = '', mobileNumber = '', flowType = '', otpLength: lengthText } = parameters;
  if (!/^\d{1,4}$/.test(countryCode)) {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'countryCode is required');
  }
  if (!/^\d{4,16}$/.test(mobileNumber)) {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'mobileNumber must be 4 to 16 digits');
  }
  if (!FLOW_TYPES.has(flowType)) {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'flowType is invalid');
  }
  const otpLength = lengthText === undefined ? 4 : Number(lengthText);
  if (!Number.isInteger(otpLength) || otpLength < 4 || otpLength > 8) {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'otpLength must be 4 to 8');
  }
  if (!isKnownDialCode(countryCode)) {
    return business(VerifyNowResponseCode.INVALID_COUNTRY_CODE);
  }
  return { countryCode, mobileNumber, flowType, otpLength };
}

/**
 * A validation's parameters checked in the upstream's order, or the 400
 * BAD_REQUEST answer to the first wrong one.
 *
 * @internal
 */
export function checkValidate(
  parameters: VerifyNowValidateParameters,
): Required<VerifyNowValidateParameters> | VerifyNowReply {
  const { verificationId = '', code = '' } = parameters;
  if (!/^\d{1,19}$/.test(verificationId)) {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'verificationId is invalid');
  }
  if (code === '') {
    return business(VerifyNowResponseCode.BAD_REQUEST, 'code is required');
  }
  return { verificationId, code };
}
