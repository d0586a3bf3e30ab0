import fc from 'fast-check';
import { fuzzRuns } from '../../test/helpers/fuzz';
import { maskDigitRuns, maskPhoneNumber, redactUrl, sanitizeText } from './redact.util';

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

describe('maskDigitRuns on numbers written with separators', () => {
  it.each([
    ['+91 99999 00001', '+********0001'],
    ['+91-99999-00001', '+********0001'],
    ['+91.99999.00001', '+********0001'],
    ['(999) 990-0001', '******0001'],
    ['(999)990-0001', '******0001'],
    ['999.990.0001', '******0001'],
    ['999-990-0001', '******0001'],
    ['999 990 0001', '******0001'],
    ['+62 821-2306-0001', '+*********0001'],
    ['+1 (999) 990-0001', '+*******0001'],
    ['+1(999)990-0001', '+*******0001'],
    ['+44 (0)20 7946 0001', '+*********0001'],
    ['(+91) 99999 00001', '********0001'],
    ['06 12 34 56 78', '******5678'],
    ['+91\u00a099999\u00a000001', '+********0001'],
    ['+91\u201399999\u201300001', '+********0001'],
    ['99 9001', '**9001'],
  ])('masks %j down to its last four digits', (number, masked) => {
    expect(maskDigitRuns(number)).toBe(masked);
    expect(maskDigitRuns(`Msisdn ${number} is blocked.`)).toBe(`Msisdn ${masked} is blocked.`);
    expect(maskDigitRuns(`mobile=${number}, retry`)).toBe(`mobile=${masked}, retry`);
  });

  it('masks a number next to punctuation and words', () => {
    expect(maskDigitRuns('call (999) 990-0001: it failed')).toBe('call ******0001: it failed');
    expect(maskDigitRuns('[+91 99999 00001]')).toBe('[+********0001]');
    expect(maskDigitRuns('ID-999-990-0001')).toBe('ID-******0001');
    expect(maskDigitRuns('to +91 99999 00001 and +62 821-2306-0002')).toBe(
      'to +********0001 and +*********0002',
    );
  });

  it('keeps masking plain runs as before', () => {
    expect(maskDigitRuns('919999990001')).toBe('********0001');
    expect(maskDigitRuns('code (123456)')).toBe('code (**3456)');
    expect(maskDigitRuns('verificationId=1234567')).toBe('verificationId=***4567');
  });

  it.each([
    'status 400',
    'try again in 30 s',
    'HTTP 429: retry after 60 seconds',
    'Msisdn invalid: msisdn length should between 4-16 characters',
    'OTP 1234 of 5 attempts',
    'node v1.22.333',
    'v10.20.300.4',
    'total 1234.56',
    'pi is 3.14159',
    'on 2024-01-15 at 10:00:00',
    'at 2024-01-15T10:00:00.000+00:00',
    'valid until 15.01.2024',
    'valid until 01-15-2024',
    'connect ECONNREFUSED 192.168.100.200:6379',
    'connect ECONNREFUSED 127.0.0.1:6379',
    'Too many request in the allowed time frame',
    'between 100 and 200',
  ])('leaves the ordinary text %j alone', (text) => {
    expect(maskDigitRuns(text)).toBe(text);
    expect(sanitizeText(text)).toBe(text);
  });

  it('masks separated numbers through sanitizeText too', () => {
    expect(
      sanitizeText('Msisdn +91 99999 00001 blocked;\ncall (999) 990-0001 with code 4829', ['4829']),
    ).toBe('Msisdn +********0001 blocked; call ******0001 with code [REDACTED]');
  });
});

describe('maskDigitRuns under arbitrary input', () => {
  const separator = fc.constantFrom(' ', '-', '.', '\u00a0');
  /** A phone number split into groups with separators: its digits and its text. */
  const writtenNumber = fc
    .tuple(
      fc.stringMatching(/^[1-9]\d{0,2}$/),
      fc.array(fc.tuple(separator, fc.stringMatching(/^\d{1,5}$/), fc.boolean()), {
        minLength: 1,
        maxLength: 5,
      }),
    )
    .map(([country, groups]) => {
      let text = `+${country}`;
      for (const [sep, group, parenthesised] of groups) {
        text += parenthesised ? ` (${group})` : `${sep}${group}`;
      }
      return { text, digits: text.replace(/\D/g, '') };
    })
    .filter(({ digits }) => digits.length >= 6);

  it('masks every +-prefixed number written in groups down to its last four digits', () => {
    fc.assert(
      fc.property(writtenNumber, ({ text, digits }) => {
        const masked = `+${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
        expect(maskDigitRuns(text)).toBe(masked);
        expect(maskDigitRuns(`sent to ${text}, try again`)).toBe(`sent to ${masked}, try again`);
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('leaves prose with short numbers alone', () => {
    const word = fc.constantFrom('status', 'retry', 'in', 's', 'of', 'attempts', 'code', 'after');
    const shortNumber = fc.integer({ min: 0, max: 99_999 }).map(String);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, fc.option(shortNumber)), { maxLength: 12 }),
        fc.constantFrom(' ', ', ', ': ', '. '),
        (parts, gap) => {
          const text = parts.map(([w, n]) => (n === null ? w : `${w} ${n}`)).join(gap);
          expect(maskDigitRuns(text)).toBe(text);
        },
      ),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('never leaves six digits in a row, and masks idempotently, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9 ()+.\-a-z:]{0,60}$/)), (text) => {
        const masked = maskDigitRuns(text);
        expect(masked).not.toMatch(/\d{6}/);
        expect(maskDigitRuns(masked)).toBe(masked);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
