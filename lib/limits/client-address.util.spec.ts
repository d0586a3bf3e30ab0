import fc from 'fast-check';
import { fuzzRuns } from '../../test/helpers/fuzz';
import { VerifyNowInvalidInputException } from '../errors/verifynow.exception';
import { clientAddressKey } from './client-address.util';

function refusal(ip: unknown): VerifyNowInvalidInputException {
  try {
    clientAddressKey(ip as string);
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
    return error as VerifyNowInvalidInputException;
  }
  throw new Error(`${JSON.stringify(ip)} was accepted`);
}

describe('clientAddressKey', () => {
  it('keys an IPv4 address on its dotted quad', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('0.0.0.0')).toBe('0.0.0.0');
    expect(clientAddressKey('255.255.255.255')).toBe('255.255.255.255');
  });

  it.each([
    '::ffff:192.0.2.1',
    '::FFFF:192.0.2.1',
    '::FFFF:c000:0201',
    '::ffff:c000:201',
    '0:0:0:0:0:ffff:192.0.2.1',
    '0000:0000:0000:0000:0000:FFFF:C000:0201',
    '::ffff:192.0.2.1%eth0',
  ])('keys the IPv4-mapped %s on its IPv4', (ip) => {
    expect(clientAddressKey(ip)).toBe('192.0.2.1');
  });

  it.each([
    '2001:db8::1',
    '2001:DB8::1',
    '2001:db8::2',
    '2001:db8:0:0:ffff::9',
    '2001:0db8:0000:0000:ffff:ffff:ffff:ffff',
    '2001:db8::',
    '2001:db8::192.0.2.1',
  ])('keys %s on its /64, 2001:db8:0:0::/64', (ip) => {
    expect(clientAddressKey(ip)).toBe('2001:db8:0:0::/64');
  });

  it('gives another /64 another key', () => {
    expect(clientAddressKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(clientAddressKey('2001:db8:abcd:12::1')).toBe('2001:db8:abcd:12::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('::')).toBe('0:0:0:0::/64');
  });

  it('drops a zone id: it names our interface, not the client', () => {
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('fe80::2%3')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('fe80::1')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('FE80::1%en0.12')).toBe('fe80:0:0:0::/64');
  });

  it.each([
    '',
    'zzzz',
    '1.2.3',
    '1.2.3.4.5',
    '1',
    '127.1',
    '0x7f.1',
    '0x7f.0.0.1',
    '010.1.1.1',
    '01.2.3.4',
    '256.1.1.1',
    '1.2.3.-4',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4/24',
    '1.2.3.4:80',
    '1.2.3.4%eth0',
    '[::1]',
    '[::1]:80',
    '::ffff:0x7f.1.1.1',
    '::ffff:010.1.1.1',
    '::ffff:1.2.3',
    '2001:db8::1::2',
    '2001:db8:0:0:0:0:0:0:1',
    'gggg::1',
    '2001:db8::1/64',
    'fe80::1%',
    'fe80::1%eth 0',
    'fe80::1%eth0%eth1',
    'localhost',
    '203.0.113.7, 198.51.100.1',
  ])('refuses %j with 400 INVALID_INPUT', (ip) => {
    const error = refusal(ip);
    expect(error.getStatus()).toBe(400);
    expect(error.getResponse()).toMatchObject({
      statusCode: 400,
      error: 'INVALID_INPUT',
      message: expect.stringContaining('clientIp must be an IPv4 or IPv6 address'),
    });
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 2130706433, {}, ['1.2.3.4']]) {
      refusal(value);
    }
  });

  it('refuses a long value without repeating it', () => {
    const long = `1.2.3.4${'9'.repeat(10_000)}`;
    const error = refusal(long);
    expect(error.message).not.toContain('99999');
    expect(JSON.stringify(error.getResponse())).not.toContain('99999');
    expect(error.message.length).toBeLessThan(100);
    refusal(`2001:db8::1%${'a'.repeat(200)}`);
  });
});

describe('clientAddressKey under arbitrary input', () => {
  const hextet = fc.integer({ min: 0, max: 0xffff });

  it('keys every IPv4 address, and its mapped form, on the address itself', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(clientAddressKey(ip)).toBe(ip);
        expect(clientAddressKey(`::ffff:${ip}`)).toBe(ip);
        expect(clientAddressKey(`::FFFF:${ip}`)).toBe(ip);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('refuses the non-decimal IPv4 forms that lenient parsers accept', () => {
    fc.assert(
      fc.property(fc.ipV4Extended(), (ip) => {
        if (/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(ip)) {
          expect(clientAddressKey(ip)).toBe(ip);
        } else {
          refusal(ip);
        }
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('gives every address of one /64 the same key, and other /64s other keys', () => {
    fc.assert(
      fc.property(
        fc.array(hextet, { minLength: 8, maxLength: 8 }),
        fc.array(hextet, { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (parts, otherHost, changed) => {
          const text = (hextets: number[]) => hextets.map((p) => p.toString(16)).join(':');
          const mapped = parts.slice(0, 6).join(':') === '0:0:0:0:0:65535';
          fc.pre(!mapped);
          const key = clientAddressKey(text(parts));
          expect(key).toMatch(/^([0-9a-f]{1,4}:){4}:\/64$/);
          expect(clientAddressKey(text([...parts.slice(0, 4), ...otherHost]))).toBe(key);
          expect(clientAddressKey(text(parts).toUpperCase())).toBe(key);
          const otherPrefix = [...parts];
          otherPrefix[changed] = (otherPrefix[changed] + 1) % 0x10000;
          expect(clientAddressKey(text(otherPrefix))).not.toBe(key);
        },
      ),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('keys any written form of an IPv6 address', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(clientAddressKey(ip)).toMatch(/^(([0-9a-f]{1,4}:){4}:\/64|(\d{1,3}\.){3}\d{1,3})$/);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('returns a key or throws VerifyNowInvalidInputException for any string, never echoing it', () => {
    const fixedMessage = refusal('zzzz').message;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F:.%x]{0,50}$/)), (text) => {
        let key: string;
        try {
          key = clientAddressKey(text);
        } catch (error) {
          expect(error).toBeInstanceOf(VerifyNowInvalidInputException);
          expect((error as Error).message).toBe(fixedMessage);
          return;
        }
        expect(key).toMatch(/^(([0-9a-f]{1,4}:){4}:\/64|(\d{1,3}\.){3}\d{1,3})$/);
      }),
      { numRuns: fuzzRuns(1500) },
    );
  });
});
