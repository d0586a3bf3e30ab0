import { urlToHttpOptions } from 'node:url';
import { requestTarget } from './request-url';

/** What Node's own conversion gives, in {@link requestTarget}'s shape; `'throws'` if it throws. */
function byNode(url: string): unknown {
  try {
    const options = urlToHttpOptions(new URL(url));
    return {
      protocol: options.protocol,
      hostname: options.hostname,
      path: options.path,
      ...(options.port === undefined ? {} : { port: Number(options.port) }),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    };
  } catch {
    return 'throws';
  }
}

function ours(url: string): unknown {
  try {
    return requestTarget(url);
  } catch {
    return 'throws';
  }
}

describe('requestTarget()', () => {
  it('reads what the module calls as Node does', () => {
    for (const url of [
      'http://127.0.0.1:3000/verification/v3/send?countryCode=91&mobileNumber=9999900001',
      'https://cpaas.messagecentral.com/auth/v1/authentication/token?customerId=C-1&key=a%2Bb%3D',
      'https://api.verihubs.com/v2/otp/send',
      'https://api.verihubs.com/v2/otp/send/sandbox',
      'http://localhost:8080',
      'http://localhost:80/x',
      'https://example.com:443/x',
    ]) {
      expect(ours(url)).toEqual(byNode(url));
    }
  });

  it('gives the same answer as Node for every URL the parser would rewrite or refuse', () => {
    for (const url of [
      'http://u:p@host/x',
      'http://[::1]:3000/a',
      'http://Example.COM/x',
      'http://127.1/x',
      'http://010.0.0.1/x',
      'http://256.0.0.1/x',
      'http://a.1/x',
      'http://a.0x1/x',
      'http://xn--a/x',
      'http://a:99999/x',
      'http://a:0080/x',
      'http://a/b/../c',
      'http://a/b/%2E%2e/c',
      'http://a/./c?x',
      'http://a/b c',
      "http://a/b'c?d'e",
      'http://a/b"c',
      'http://a/b#frag',
      'http://a\\b/c',
      'ftp://a/b',
      'not a url',
      '',
    ]) {
      expect(ours(url)).toEqual(byNode(url));
    }
  });

  it('agrees with Node on thousands of URLs made of the characters that matter', () => {
    const hosts = [
      'a',
      'a.b',
      'A.b',
      '1.2.3.4',
      '1.2.3.400',
      '01.2.3.4',
      'x.1',
      'xn--p',
      'a-b.c',
      '[::1]',
      'u@h',
      'a..b',
      'a.',
    ];
    const ports = ['', ':1', ':80', ':443', ':65535', ':65536', ':08', ':x'];
    const parts = [
      'a',
      '/',
      '.',
      '..',
      '%2e',
      '%zz',
      '?',
      '#',
      ' ',
      "'",
      '"',
      '\\',
      '&',
      '=',
      '+',
      '~',
      '@',
      ':',
      '|',
      '^',
      '`',
      '{',
      'é',
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 5000; i += 1) {
      const scheme = ['http://', 'https://', 'HTTP://'][random(3)];
      let path = '/';
      for (let k = random(8); k > 0; k -= 1) path += parts[random(parts.length)];
      const url = `${scheme}${hosts[random(hosts.length)]}${ports[random(ports.length)]}${random(6) === 0 ? '' : path}`;
      expect({ url, target: ours(url) }).toEqual({ url, target: byNode(url) });
    }
  });
});
