import { inspect } from 'node:util';
import { VerifyNowModule, VerifyNowSandbox, VerifyNowTokenProvider, maskPhoneNumber } from '../lib';
import { OtpApp, startOtpApp } from './helpers/otp-app';
import { FakeUpstream, TOKEN_PATH, fakeJwt, json } from './helpers/fake-upstream';
import {
  CUSTOMER_ID as FAULTY_CUSTOMER_ID,
  Fault,
  FaultyUpstream,
} from './helpers/faulty-upstream';
import { createVerifyNow, recordSent } from './helpers/verifynow-context';

const CUSTOMER_ID = 'C-SECRECY-TEST';
const PASSWORD = 'Pa55-word-that-must-never-leak';
const KEY = Buffer.from(PASSWORD).toString('base64');

/** Every way an error gets written down. */
function renderings(error: unknown): string[] {
  const texts = [
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    String(error),
  ];
  if (error instanceof Error) {
    texts.push(error.message, error.stack ?? '');
  }
  return texts;
}

describe('nothing secret leaks into logs, errors or answers', () => {
  let sandbox: VerifyNowSandbox;
  let otp: OtpApp;
  const written: string[] = [];
  const phones: string[] = [];

  /** Records a phone number used, and returns it. */
  const phone = (number: string): string => {
    phones.push(number);
    return number;
  };
  const attempt = async (work: () => Promise<unknown>): Promise<void> => {
    try {
      written.push(inspect(await work(), { depth: 10 }).replace(/mobileNumber: '\d+'/g, ''));
    } catch (error) {
      written.push(...renderings(error));
    }
  };

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    otp = await startOtpApp(
      VerifyNowModule.forRoot({
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        baseUrl: sandbox.url,
      }),
    );
    const service = otp.service;

    // Success, then every kind of failure, through the service and through HTTP.
    const ok = phone('+919999900601');
    const sent = await service.sendOtp({ phoneNumber: ok });
    await attempt(() =>
      service.validateOtp({ verificationId: sent.verificationId, code: '00000000' }),
    );
    await attempt(() =>
      service.validateOtp({ verificationId: sent.verificationId, code: sandbox.latestCode(ok)! }),
    );
    await attempt(() =>
      service.validateOtp({ verificationId: sent.verificationId, code: sandbox.latestCode(ok)! }),
    );
    for (const magic of [
      '+6282123060003',
      '+6282123060002',
      '+6282123061999',
      '+6282123069500',
      '+6282123061501',
    ]) {
      await attempt(() => service.sendOtp({ phoneNumber: phone(magic) }));
    }
    const expiring = phone('+6282123062705');
    const pending = await service.sendOtp({ phoneNumber: expiring });
    await attempt(() =>
      service.validateOtp({
        verificationId: pending.verificationId,
        code: sandbox.latestCode(expiring)!,
      }),
    );
    await attempt(() =>
      service.sendOtp({ phoneNumber: phone('+91 99999 00602'.replace(/ /g, '')), otpLength: 99 }),
    );
    await attempt(() => service.sendOtp({ phoneNumber: phone('+10005550123') }));
    written.push(
      JSON.stringify((await otp.post('/otp/send', { phoneNumber: phone('+6282123060003') })).body),
    );
    written.push(
      JSON.stringify((await otp.post('/otp/send', { phoneNumber: phone('+6282123061501') })).body),
    );
    written.push(
      JSON.stringify((await otp.post('/otp/send', { phoneNumber: phone('+919999900603') })).body),
    );
    written.push(
      JSON.stringify(
        (await otp.post('/otp/verify', { verificationId: sent.verificationId, code: '4242424242' }))
          .body,
      ),
    );

    // Refused credentials and an unreachable upstream.
    const wrong = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: `${PASSWORD}-wrong`,
      baseUrl: sandbox.url,
    });
    await attempt(() => wrong.service.sendOtp({ phoneNumber: phone('+919999900604') }));
    written.push(wrong.logger.text());
    await wrong.close();
    const down = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: 'http://127.0.0.1:9',
    });
    await attempt(() => down.service.sendOtp({ phoneNumber: phone('+919999900605') }));
    written.push(down.logger.text());
    await down.close();

    written.push(otp.logger.text());
  });

  afterAll(async () => {
    await otp.close();
    await sandbox.close();
  });

  it('captured something from every path', () => {
    const text = written.join('\n');
    for (const name of [
      'WRONG_OTP_PROVIDED',
      'ALREADY_VERIFIED',
      'VERIFICATION_EXPIRED',
      'AUTHENTICATION_FAILED',
      'UPSTREAM_UNAVAILABLE',
      'INVALID_INPUT',
    ]) {
      expect(text).toContain(name);
    }
    expect(otp.logger.lines.length).toBeGreaterThan(5);
  });

  it('holds no password, key or OTP code', () => {
    const text = written.join('\n');
    const codes = sandbox.outbox().map((message) => message.code);
    expect(codes.length).toBeGreaterThan(1);
    for (const secret of [PASSWORD, KEY, ...codes]) {
      expect(text).not.toContain(secret);
    }
  });

  it('holds no token the upstream issued', async () => {
    const token = await otp.app.get(VerifyNowTokenProvider).getToken();
    expect(token.split('.')).toHaveLength(3);
    const text = written.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
  });

  it('holds no full phone number, only the last four digits', () => {
    const text = written.join('\n');
    for (const number of phones) {
      const digits = number.replace(/\D/g, '');
      expect(text).not.toContain(digits);
      expect(text).not.toContain(digits.slice(-10));
    }
    expect(text).toContain(maskPhoneNumber('+919999900601'));
  });
});

describe('an upstream that echoes secrets in its messages', () => {
  it('has them removed from the errors it causes', async () => {
    const code = '482913';
    const upstream = await FakeUpstream.start((request, response, url) => {
      if (url.pathname === TOKEN_PATH) {
        return json(response, 200, { status: 200, token: fakeJwt({ sub: 'C-ECHO' }) });
      }
      const token = String(request.headers.authtoken);
      json(response, 400, {
        responseCode: 702,
        message: `code ${url.searchParams.get('code')} is wrong for 919999900701 (token ${token}, key ${KEY})`,
        data: null,
      });
    });
    const context = await createVerifyNow({
      customerId: 'C-ECHO',
      password: PASSWORD,
      baseUrl: upstream.url,
    });
    try {
      await recordSent(context, '77');
      const error = await context.service
        .validateOtp({ verificationId: '77', code })
        .catch((e: unknown) => e);
      const token = await context.tokens.getToken();
      const text = [...renderings(error), context.logger.text()].join('\n');
      expect(text).toContain('is wrong for ********0701');
      for (const secret of [code, token, KEY, '919999900701']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await context.close();
      await upstream.close();
    }
  });
});

describe('secrecy on every fault path', () => {
  const FAULTS: Fault[] = [
    'healthy',
    'slow',
    'silent',
    'reset-before-read',
    'reset-after-read',
    'html-500',
    'truncated-json',
    'malformed-json',
    'error-in-200',
    '401-forever',
    '429-retry-after',
    'drip',
  ];

  it('keeps the password, key, token, codes and numbers out of every log line and error', async () => {
    const upstream = await FaultyUpstream.start();
    const context = await createVerifyNow({
      customerId: FAULTY_CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: upstream.url,
      timeoutMs: 300,
      tokenRetry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 },
      limits: false,
    });
    const written: string[] = [];
    const phones = ['+919999900901', '+919999900902'];
    const codes = ['482913', '0057'];
    const token = await context.tokens.getToken();
    try {
      for (const fault of FAULTS) {
        upstream.fault = fault;
        upstream.faultyToken = fault === 'html-500';
        context.tokens.invalidate(token);
        for (const [i, phoneNumber] of phones.entries()) {
          for (const work of [
            () => context.service.sendOtp({ phoneNumber }),
            () => context.service.validateOtp({ verificationId: `70${i}`, code: codes[i] }),
          ]) {
            try {
              written.push(
                inspect(await work(), { depth: 10 }).replace(/mobileNumber: '\d+'/g, ''),
              );
            } catch (error) {
              written.push(...renderings(error));
              // Nothing of the HTTP client (its request holds the URL, code and key) rides along.
              expect(error).not.toHaveProperty('cause');
              expect(error).not.toHaveProperty('config');
              expect(error).not.toHaveProperty('request');
            }
          }
        }
      }
    } finally {
      await context.close();
      await upstream.close();
    }
    written.push(context.logger.text());
    const text = written.join('\n');
    expect(text).toContain('UPSTREAM_UNAVAILABLE');
    expect(text).toContain('verifynow.send');
    for (const secret of [PASSWORD, KEY, token, token.split('.')[2], ...codes]) {
      expect(text).not.toContain(secret);
    }
    for (const phone of phones) {
      expect(text).not.toContain(phone.slice(1));
      expect(text).not.toContain(phone.slice(3));
    }
  });
});
