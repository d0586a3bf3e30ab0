import type { ResolvedVerifyNowOptions } from '../config/verifynow-options.resolver';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import {
  VERIFYNOW_FLOW_TYPES,
  VerifyNowFlowType,
} from '../interfaces/verifynow-module-options.interface';
import type { SendOtpInput } from '../interfaces/verifynow-otp.interface';
import { subjectOf } from '../ledger/ledger-subject.util';
import { clientAddressKey } from '../limits/client-address.util';
import { ParsedPhoneNumber, parsePhoneNumber } from '../phone/phone-number.util';

/** Longest `purpose` accepted: default purposes name the route, its version and its handler. */
export const MAX_PURPOSE_LENGTH = 500;

/** A send, checked and ready for the limits, the upstream and the ledger. @internal */
export interface PreparedSend {
  phone: ParsedPhoneNumber;
  /** How the ledger and the counters name the number (its E.164 form's SHA-256), hashed once. */
  subject: string;
  flowType: VerifyNowFlowType;
  otpLength: number;
  purpose: string | null;
  /** The client's address as given, checked to be an IP address. */
  clientIp: string | undefined;
}

/**
 * Checks what `sendOtp()` was given, before any limit, store or upstream is
 * touched, and applies the module's defaults.
 *
 * @throws VerifyNowInvalidInputException saying what is wrong and what is expected.
 * @internal
 */
export function prepareSend(input: SendOtpInput, options: ResolvedVerifyNowOptions): PreparedSend {
  if (input === null || typeof input !== 'object') {
    throw new VerifyNowInvalidInputException(
      "sendOtp needs an object such as { phoneNumber: '+919999999999' }.",
    );
  }
  const phone = parsePhoneNumber(input, options.defaultCountryCode);
  const flowType = input.flowType ?? options.defaultFlowType;
  if (!(VERIFYNOW_FLOW_TYPES as readonly unknown[]).includes(flowType)) {
    throw new VerifyNowInvalidInputException(
      `flowType must be one of ${VERIFYNOW_FLOW_TYPES.join(', ')}.`,
    );
  }
  const otpLength = input.otpLength ?? options.otpLength;
  if (!Number.isInteger(otpLength) || otpLength < 4 || otpLength > 8) {
    throw new VerifyNowInvalidInputException('otpLength must be an integer from 4 to 8.');
  }
  const { purpose, clientIp } = input;
  if (
    purpose !== undefined &&
    (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > MAX_PURPOSE_LENGTH)
  ) {
    throw new VerifyNowInvalidInputException(
      `purpose must be a non-empty string of at most ${MAX_PURPOSE_LENGTH} characters.`,
    );
  }
  if (clientIp !== undefined) {
    clientAddressKey(clientIp);
  }
  return {
    phone,
    subject: subjectOf(phone.e164),
    flowType,
    otpLength,
    purpose: purpose ?? null,
    clientIp,
  };
}
