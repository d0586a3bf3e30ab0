import { fuzzRuns } from '../../test/helpers/fuzz';
import fc from 'fast-check';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import { isValidE164PhoneNumber, parsePhoneNumber } from './phone-number.util';

/** Strings that look like phone numbers, and strings that do not. */
const phoneLike = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\+?[0-9 ()-]{0,24}$/),
  fc.constantFrom('+', '+0', '+1', '+91', '++919999999999', '+919999999999', '+91 99999 99999'),
  fc.integer().map(String),
);
const anyValue = fc.oneof(phoneLike, fc.anything());

/** What an accepted number must be. */
function expectWellFormed(parsed: ReturnType<typeof parsePhoneNumber>): void {
  expect(isValidE164PhoneNumber(parsed.e164)).toBe(true);
  expect(parsed.e164).toBe(`+${parsed.countryCode}${parsed.mobileNumber}`);
  expect(parsed.countryCode).toMatch(/^[1-9]\d{0,3}$/);
  expect(parsed.mobileNumber).toMatch(/^\d+$/);
}

function parseOrRefuse(run: () => ReturnType<typeof parsePhoneNumber>): void {
  let parsed: ReturnType<typeof parsePhoneNumber>;
  try {
    parsed = run();
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
    return;
  }
  expectWellFormed(parsed);
}

describe('parsePhoneNumber under arbitrary input', () => {
  it('returns a valid E.164 number or throws VerifyNowInvalidInputException, for any phoneNumber', () => {
    fc.assert(
      fc.property(
        anyValue,
        fc.option(fc.constantFrom('1', '62', '91', '999', 'x')),
        (phoneNumber, fallback) =>
          parseOrRefuse(() =>
            parsePhoneNumber({ phoneNumber: phoneNumber as string }, fallback ?? undefined),
          ),
      ),
      { numRuns: fuzzRuns(1500) },
    );
  });

  it('does the same for any countryCode and mobileNumber', () => {
    fc.assert(
      fc.property(
        fc.record({ countryCode: anyValue, mobileNumber: anyValue }, { requiredKeys: [] }),
        (input) =>
          parseOrRefuse(() =>
            parsePhoneNumber(input as { countryCode?: string; mobileNumber?: string }),
          ),
      ),
      { numRuns: fuzzRuns(1500) },
    );
  });

  it('never echoes the input in its message', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?\d{6,20}$/), (phoneNumber) => {
        try {
          parsePhoneNumber({ phoneNumber });
        } catch (error) {
          expect((error as Error).message).not.toContain(phoneNumber.replace('+', ''));
        }
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});
