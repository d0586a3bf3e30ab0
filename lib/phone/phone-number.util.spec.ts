import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import { isValidE164PhoneNumber, parsePhoneNumber } from './phone-number.util';

describe('parsePhoneNumber', () => {
  it('splits an E.164 number into dial code and national number', () => {
    expect(parsePhoneNumber({ phoneNumber: '+919999999999' })).toEqual({
      countryCode: '91',
      mobileNumber: '9999999999',
      e164: '+919999999999',
      country: 'IN',
    });
    expect(parsePhoneNumber({ phoneNumber: '+6282123060001' })).toMatchObject({
      countryCode: '62',
      country: 'ID',
    });
  });

  it('accepts a dial code with a national number, with or without +', () => {
    expect(parsePhoneNumber({ countryCode: '+1', mobileNumber: '415 555 2671' })).toMatchObject({
      countryCode: '1',
      mobileNumber: '4155552671',
    });
  });

  it('applies the default country code to national numbers, dropping a trunk 0', () => {
    expect(parsePhoneNumber({ phoneNumber: '09999999999' }, '91')).toMatchObject({
      e164: '+919999999999',
    });
    expect(parsePhoneNumber({ mobileNumber: '9999999999' }, '91')).toMatchObject({
      e164: '+919999999999',
    });
  });

  it.each([
    [{}, 'phoneNumber is required (or countryCode with mobileNumber).'],
    [
      { phoneNumber: '9999999999' },
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999 (with the + and country code: no defaultCountryCode is configured).',
    ],
    [
      { phoneNumber: '+10000000000' },
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999.',
    ],
    [
      { phoneNumber: `+91${'9'.repeat(40)}` },
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999.',
    ],
    [
      { phoneNumber: 42 as unknown as string },
      'phoneNumber must be a valid phone number in E.164 form, e.g. +919999999999.',
    ],
    [
      { phoneNumber: '+919999999999', countryCode: '91' },
      'Give either phoneNumber, or countryCode with mobileNumber, not both.',
    ],
    [
      { countryCode: 'IN', mobileNumber: '9999999999' },
      'countryCode must be a dial code of 1 to 4 digits, e.g. 91.',
    ],
    [
      { countryCode: '91', mobileNumber: 'call me' },
      'mobileNumber must be the digits of the number without its country code, e.g. 9999999999.',
    ],
    [
      { mobileNumber: '9999999999' },
      'countryCode is required: no defaultCountryCode is configured.',
    ],
  ])('refuses %j with a message that says what is expected', (input, message) => {
    const run = () => parsePhoneNumber(input);
    expect(run).toThrow(VerifyNowInvalidInputException);
    expect(run).toThrow(message);
  });
});

describe('isValidE164PhoneNumber', () => {
  it('takes only +digits of a real number', () => {
    expect(isValidE164PhoneNumber('+919999999999')).toBe(true);
    expect(isValidE164PhoneNumber('+91 99999 99999')).toBe(false);
    expect(isValidE164PhoneNumber('919999999999')).toBe(false);
    expect(isValidE164PhoneNumber('+10000000000')).toBe(false);
    expect(isValidE164PhoneNumber(undefined)).toBe(false);
  });
});
