import { setTimeout as sleep } from 'node:timers/promises';
import {
  OtpCountryNotAllowedException,
  TooManyOtpRequestsException,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
} from '../lib';
import {
  FakeUpstream,
  SEND_PATH,
  TOKEN_PATH,
  VALIDATE_PATH,
  fakeJwt,
  json,
} from './helpers/fake-upstream';
import { redisClient, redisUrl, uniquePrefix } from './helpers/redis';
import { StepUpApp, freshPhone, startStepUpApp } from './helpers/step-up-app';

const CUSTOMER_ID = 'C-SHARED';
const PASSWORD = 'shared-password';

/**
 * An upstream that accepts any code for any verification, as often as asked,
 * after a pause: with it, only the module's own ledger stands between a proof
 * and a second use.
 */
async function lenientUpstream(): Promise<FakeUpstream> {
  let nextId = 5000;
  return FakeUpstream.start((_request, response, url) => {
    if (url.pathname === TOKEN_PATH) {
      return json(response, 200, { status: 200, token: fakeJwt({ sub: CUSTOMER_ID }) });
    }
    if (url.pathname === SEND_PATH) {
      nextId += 1;
      return json(response, 200, {
        responseCode: 200,
        message: 'SUCCESS',
        data: {
          verificationId: String(nextId),
          mobileNumber: url.searchParams.get('mobileNumber'),
          timeout: '60',
        },
      });
    }
    if (url.pathname === VALIDATE_PATH) {
      setTimeout(
        () =>
          json(response, 200, {
            responseCode: 200,
            message: 'SUCCESS',
            data: {
              verficationId: url.searchParams.get('verificationId'),
              verificationStatus: 'VERIFICATION_COMPLETED',
            },
          }),
        30,
      );
      return;
    }
    json(response, 404, {});
  });
}

async function askForCode(app: StepUpApp, phone: string): Promise<string> {
  const answer = await app.call('/account/transfer', phone);
  expect([answer.status, answer.body.error]).toEqual([401, 'OTP_REQUIRED']);
  return answer.body.verificationId as string;
}

describe('single use rests on the ledger alone (an upstream that accepts a code twice)', () => {
  let upstream: FakeUpstream;

  beforeAll(async () => {
    upstream = await lenientUpstream();
  });
  afterAll(() => upstream.close());

  const options = (store: VerifyNowModuleOptions['store']): VerifyNowModuleOptions => ({
    customerId: CUSTOMER_ID,
    password: PASSWORD,
    baseUrl: upstream.url,
    store,
  });

  it.each([
    ['memory', undefined],
    ['redis', { redis: { url: redisUrl(), keyPrefix: uniquePrefix() } }],
  ])(
    '%s store: exactly 1 of 20 concurrent requests with one proof passes',
    async (_kind, store) => {
      const app = await startStepUpApp(options(store));
      try {
        const phone = freshPhone();
        const verificationId = await askForCode(app, phone);
        const validatesBefore = upstream.hitsOn(VALIDATE_PATH);
        const answers = await Promise.all(
          Array.from({ length: 20 }, () =>
            app.call('/account/transfer', phone, { verificationId, code: '123456' }),
          ),
        );
        expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
        expect(answers.filter((answer) => answer.status === 409)).toHaveLength(19);
        // Only the request holding the claim asked the upstream.
        expect(upstream.hitsOn(VALIDATE_PATH) - validatesBefore).toBe(1);
        const replay = await app.call('/account/transfer', phone, {
          verificationId,
          code: '123456',
        });
        expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
      } finally {
        await app.close();
      }
    },
  );

  it('two instances sharing Redis: exactly 1 of 20 concurrent requests split across both passes', async () => {
    const store = { redis: { url: redisUrl(), keyPrefix: uniquePrefix() } };
    const [a, b] = await Promise.all([
      startStepUpApp(options(store)),
      startStepUpApp(options(store)),
    ]);
    try {
      const phone = freshPhone();
      const verificationId = await askForCode(a, phone);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).call('/account/transfer', phone, {
            verificationId,
            code: '123456',
          }),
        ),
      );
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('two instances sharing Redis', () => {
  let sandbox: VerifyNowSandbox;
  let a: StepUpApp;
  let b: StepUpApp;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    const options: VerifyNowModuleOptions = {
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      store: { redis: { url: redisUrl(), keyPrefix: prefix } },
    };
    [a, b] = await Promise.all([startStepUpApp(options), startStepUpApp(options)]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await sandbox.close();
  });

  it('accepts on one instance a proof sent by the other', async () => {
    const phone = freshPhone();
    const verificationId = await askForCode(a, phone);
    const answer = await b.call('/account/transfer', phone, {
      verificationId,
      code: sandbox.latestCode(phone)!,
    });
    expect(answer.status).toBe(200);
  });

  it('refuses on one instance a proof used on the other', async () => {
    const phone = freshPhone();
    const verificationId = await askForCode(a, phone);
    const proof = { verificationId, code: sandbox.latestCode(phone)! };
    expect((await a.call('/account/transfer', phone, proof)).status).toBe(200);
    const validatesBefore = sandbox.stats().validate;
    const replay = await b.call('/account/transfer', phone, proof);
    expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
    expect(sandbox.stats().validate).toBe(validatesBefore);
  });

  it('counts wrong codes across instances: the 6th try is refused wherever it lands', async () => {
    const phone = freshPhone();
    const verificationId = await askForCode(a, phone);
    const code = sandbox.latestCode(phone)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      const answer = await (i % 2 ? a : b).call('/account/transfer', phone, {
        verificationId,
        code: wrong,
      });
      expect(answer.body.error).toBe('OTP_INVALID');
    }
    const sixth = await a.call('/account/transfer', phone, { verificationId, code });
    expect([sixth.status, sixth.body.error]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
  });

  it('holds the per-phone send limit across both instances, with Retry-After', async () => {
    const phone = freshPhone();
    // Plain sends and step-up challenges count apart, each across both instances.
    for (let i = 0; i < 5; i += 1) {
      await (i % 2 ? a : b).service.sendOtp({ phoneNumber: phone });
    }
    await expect(a.service.sendOtp({ phoneNumber: phone })).rejects.toMatchObject({
      codeName: 'TOO_MANY_OTP_REQUESTS',
    });
    for (let i = 0; i < 5; i += 1) {
      const answer = await (i % 2 ? a : b).call('/account/transfer', phone);
      expect(answer.status).not.toBe(429);
    }
    const sendsBefore = sandbox.stats().send;
    for (const instance of [a, b]) {
      const answer = await instance.call('/account/transfer', phone);
      expect([answer.status, answer.body.error]).toEqual([429, 'TOO_MANY_OTP_REQUESTS']);
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(590);
      expect(retryAfter).toBeLessThanOrEqual(600);
    }
    expect(sandbox.stats().send).toBe(sendsBefore);
  });

  it('keeps no phone number in Redis', async () => {
    const redis = redisClient();
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      const dump = JSON.stringify(
        await Promise.all(
          keys.map(async (key) => {
            const type = await redis.type(key);
            return type === 'hash'
              ? redis.hgetall(key)
              : type === 'zset'
                ? redis.zrange(key, 0, -1)
                : redis.get(key);
          }),
        ),
      );
      expect(`${keys.join()}${dump}`).not.toMatch(/9199998\d{5}|99998\d{5}/);
    } finally {
      redis.disconnect();
    }
  });
});

describe.each([
  ['memory', undefined],
  ['redis', () => ({ redis: { url: redisUrl(), keyPrefix: uniquePrefix() } })],
])('send limits (%s)', (_kind, store) => {
  let sandbox: VerifyNowSandbox;
  let app: StepUpApp;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    app = await startStepUpApp({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      store: store?.(),
      limits: { allowedCountries: ['IN'], perClientIp: { limit: 20, ttlSeconds: 3600 } },
    });
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('allows 5 sends per phone number, then refuses without calling the upstream', async () => {
    const phoneNumber = freshPhone();
    for (let i = 0; i < 5; i += 1) {
      await app.service.sendOtp({ phoneNumber });
    }
    const before = sandbox.stats().send;
    const error = (await app.service
      .sendOtp({ phoneNumber })
      .catch((e: unknown) => e)) as TooManyOtpRequestsException;
    expect(error).toBeInstanceOf(TooManyOtpRequestsException);
    expect(error.limit).toBe('phoneNumber');
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(sandbox.stats().send).toBe(before);
  });

  it('allows 20 sends per client IP, then refuses that IP only', async () => {
    const clientIp = '203.0.113.7';
    for (let i = 0; i < 20; i += 1) {
      await app.service.sendOtp({ phoneNumber: freshPhone(), clientIp });
    }
    const before = sandbox.stats().send;
    const error = (await app.service
      .sendOtp({ phoneNumber: freshPhone(), clientIp: `::ffff:${clientIp}` })
      .catch((e: unknown) => e)) as TooManyOtpRequestsException;
    expect(error).toBeInstanceOf(TooManyOtpRequestsException);
    expect(error.limit).toBe('clientIp');
    expect(sandbox.stats().send).toBe(before);
    await expect(
      app.service.sendOtp({ phoneNumber: freshPhone(), clientIp: '198.51.100.1' }),
    ).resolves.toBeDefined();
  });

  it('refuses a country outside the allowlist without calling the upstream', async () => {
    const before = sandbox.stats().send;
    await expect(app.service.sendOtp({ phoneNumber: '+6281234567890' })).rejects.toBeInstanceOf(
      OtpCountryNotAllowedException,
    );
    const answer = await app.call('/account/transfer', '+6281234567891');
    expect([answer.status, answer.body.error]).toEqual([403, 'OTP_COUNTRY_NOT_ALLOWED']);
    expect(sandbox.stats().send).toBe(before);
  });

  it('counts the per-IP limit for codes the guard sends, from the request address', async () => {
    const limited = await startStepUpApp({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      store: store?.(),
      limits: { perClientIp: { limit: 2, ttlSeconds: 60 } },
    });
    try {
      for (let i = 0; i < 2; i += 1) {
        expect((await limited.call('/account/transfer', freshPhone())).body.error).toBe(
          'OTP_REQUIRED',
        );
      }
      const third = await limited.call('/account/transfer', freshPhone());
      expect([third.status, third.body.error]).toEqual([429, 'TOO_MANY_OTP_REQUESTS']);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('a store that cannot be reached', () => {
  it('refuses sends and proofs with 503 rather than letting them through', async () => {
    const sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    const app = await startStepUpApp({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      timeoutMs: 500,
      store: { redis: { url: 'redis://127.0.0.1:1', keyPrefix: uniquePrefix() } },
    });
    try {
      await sleep(50);
      const answer = await app.call('/account/transfer', freshPhone());
      expect([answer.status, answer.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      const proof = await app.call('/account/transfer', freshPhone(), {
        verificationId: '123',
        code: '123456',
      });
      expect([proof.status, proof.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      expect(sandbox.stats().send).toBe(0);
    } finally {
      await app.close();
      await sandbox.close();
    }
  });
});
