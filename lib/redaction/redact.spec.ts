import { maskDigitRuns, maskPhoneNumber, redactUrl, sanitizeText } from './redact';

describe('maskPhoneNumber', () => {
  it('keeps only the last four digits and the plus', () => {
    expect(maskPhoneNumber('+919999990001')).toBe('+********0001');
    expect(maskPhoneNumber('6282123060001')).toBe('*********0001');
  });

  it('masks short numbers whole', () => {
    expect(maskPhoneNumber('1234')).toBe('****');
  });
});

describe('redactUrl', () => {
  it('hides the code, key and token and masks phone numbers', () => {
    const url =
      '/verification/v3/validateOtp?verificationId=12&code=123456&key=c2VjcmV0&authToken=abc.def&mobileNumber=9999990001';
    const redacted = redactUrl(url);
    expect(redacted).toBe(
      '/verification/v3/validateOtp?verificationId=12&code=[REDACTED]&key=[REDACTED]&authToken=[REDACTED]&mobileNumber=******0001',
    );
  });

  it('leaves a URL without a query string alone', () => {
    expect(redactUrl('/auth/v1/authentication/token')).toBe('/auth/v1/authentication/token');
  });
});

describe('sanitizeText', () => {
  it('removes the given secrets and masks digit runs', () => {
    const text = sanitizeText('token eyJabc.def refused for 919999990001 with code 482913', [
      'eyJabc.def',
      '482913',
    ]);
    expect(text).toBe('token [REDACTED] refused for ********0001 with code [REDACTED]');
  });

  it('bounds the length and drops control characters', () => {
    const text = sanitizeText(`a\u0000b${'x'.repeat(500)}`);
    expect(text.startsWith('a b')).toBe(true);
    expect(text.length).toBe(201);
  });

  it('masks long digit runs even when no secret is given', () => {
    expect(maskDigitRuns('call +6282123060001 now')).toBe('call +*********0001 now');
  });
});
