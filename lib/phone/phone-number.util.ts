import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';

/** A phone number split the way the upstream wants it. */
export interface ParsedPhoneNumber {
  /** Dial code without `+`, e.g. `'91'`. */
  countryCode: string;
  /** National significant number, e.g. `'9999999999'`. */
  mobileNumber: string;
  /** The whole number in E.164 form, e.g. `'+919999999999'`. */
  e164: string;
  /** ISO 3166-1 alpha-2 country, e.g. `'IN'`; absent for non-geographic numbers. */
  country?: string;
}

/** The ways a caller may name a phone number. */
export interface PhoneNumberInput {
  /** E.164 (`+919999999999`), or a national number when a default country code applies. */
  phoneNumber?: string;
  /** Dial code, with or without `+`: `'91'`. */
  countryCode?: string;
  /** The number without its country code: `'9999999999'`. */
  mobileNumber?: string;
}

const MAX_INPUT_LENGTH = 32;

/** Every dial code libphonenumber-js knows. */
const CALLING_CODES = new Set<string>(
  getCountries().map((country) => getCountryCallingCode(country)),
);

/** True when `dialCode` (digits, no `+`) is a known country calling code. */
export function isKnownDialCode(dialCode: string): boolean {
  return CALLING_CODES.has(dialCode);
}
const DIAL_CODE = /^\+?([1-9]\d{0,3})$/;
const FORMATTING = /[\s().-]/g;

/** The message every malformed phone number gets; it never echoes the input. */
export const PHONE_NUMBER_EXPECTATION =
  'must be a valid phone number in E.164 form, e.g. +919999999999';

/**
 * Parses and validates a phone number with libphonenumber-js (full metadata).
 *
 * @param input - `phoneNumber`, or `countryCode` + `mobileNumber`, or `mobileNumber` alone.
 * @param defaultCountryCode - Dial code used when the input carries none.
 * @throws VerifyNowInvalidInputException when the number is missing, malformed or
 *   not a valid number; the message says what is expected and never echoes the input.
 */
export function parsePhoneNumber(
  input: PhoneNumberInput,
  defaultCountryCode?: string,
): ParsedPhoneNumber {
  // null means "not given", as it does for class-validator's @IsOptional().
  const phoneNumber = input.phoneNumber ?? undefined;
  const countryCode = input.countryCode ?? undefined;
  const mobileNumber = input.mobileNumber ?? undefined;
  if (phoneNumber !== undefined && (countryCode !== undefined || mobileNumber !== undefined)) {
    throw new VerifyNowInvalidInputException(
      'Give either phoneNumber, or countryCode with mobileNumber, not both.',
    );
  }
  if (phoneNumber !== undefined) {
    return parseOne(phoneNumber, 'phoneNumber', defaultCountryCode);
  }
  if (mobileNumber === undefined) {
    throw new VerifyNowInvalidInputException(
      'phoneNumber is required (or countryCode with mobileNumber).',
    );
  }
  let dialCode = defaultCountryCode;
  if (countryCode !== undefined) {
    const match = typeof countryCode === 'string' ? DIAL_CODE.exec(countryCode.trim()) : null;
    if (!match) {
      throw new VerifyNowInvalidInputException(
        'countryCode must be a dial code of 1 to 4 digits, e.g. 91.',
      );
    }
    dialCode = match[1];
  }
  if (dialCode === undefined) {
    throw new VerifyNowInvalidInputException(
      'countryCode is required: no defaultCountryCode is configured.',
    );
  }
  if (typeof mobileNumber !== 'string' || !/^\d+$/.test(mobileNumber.replace(FORMATTING, ''))) {
    throw new VerifyNowInvalidInputException(
      'mobileNumber must be the digits of the number without its country code, e.g. 9999999999.',
    );
  }
  return parseOne(mobileNumber, 'mobileNumber', dialCode);
}

/**
 * True when `text` is written in international form (`+` first, after any
 * spaces): it is read the same whatever the default country code.
 *
 * @internal
 */
export function isInternationalForm(text: string): boolean {
  return text.trimStart().startsWith('+');
}

function parseOne(
  text: unknown,
  field: 'phoneNumber' | 'mobileNumber',
  defaultCallingCode: string | undefined,
): ParsedPhoneNumber {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_INPUT_LENGTH) {
    throw new VerifyNowInvalidInputException(`${field} ${PHONE_NUMBER_EXPECTATION}.`);
  }
  const trimmed = text.trim();
  const international = isInternationalForm(trimmed);
  if (!international && defaultCallingCode === undefined) {
    throw new VerifyNowInvalidInputException(
      `${field} ${PHONE_NUMBER_EXPECTATION} (with the + and country code: no defaultCountryCode is configured).`,
    );
  }
  if (!international && !isKnownDialCode(defaultCallingCode as string)) {
    throw new VerifyNowInvalidInputException('countryCode must be a known dial code, e.g. 91.');
  }
  let parsed: ReturnType<typeof parsePhoneNumberFromString>;
  try {
    parsed = international
      ? parsePhoneNumberFromString(trimmed)
      : parsePhoneNumberFromString(trimmed, { defaultCallingCode });
  } catch {
    // libphonenumber-js throws on some inputs it deems programming errors: still bad input here.
    parsed = undefined;
  }
  if (!parsed?.isValid()) {
    throw new VerifyNowInvalidInputException(`${field} ${PHONE_NUMBER_EXPECTATION}.`);
  }
  return {
    countryCode: parsed.countryCallingCode,
    mobileNumber: parsed.nationalNumber,
    e164: parsed.number,
    ...(parsed.country === undefined ? {} : { country: parsed.country }),
  };
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** True when `text` is a valid phone number written strictly in E.164 form: `+`, then digits only. */
export function isValidE164PhoneNumber(text: unknown): boolean {
  if (typeof text !== 'string' || !E164.test(text)) {
    return false;
  }
  return parsePhoneNumberFromString(text)?.isValid() === true;
}

/** A known dial code without its `+` (e.g. `'+91'` → `'91'`), or `undefined`. */
export function knownDialCode(code: string): string | undefined {
  const digits = code.replace('+', '');
  return isKnownDialCode(digits) ? digits : undefined;
}

/**
 * ISO 3166-1 alpha-2 country codes, upper-cased, from an array or a comma-separated
 * list (`'IN,id'` → `['IN', 'ID']`); `undefined` when empty or any is unknown.
 */
export function countryCodeList(value: unknown): string[] | undefined {
  const list: unknown[] =
    typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const codes = list.map((code) => (typeof code === 'string' ? code.trim().toUpperCase() : ''));
  const known = new Set<string>(getCountries());
  return codes.length > 0 && codes.every((code) => known.has(code)) ? codes : undefined;
}
