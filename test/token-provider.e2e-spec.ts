import {
  VerifyNowAuthenticationException,
  VerifyNowSandbox,
  VerifyNowUnavailableException,
} from '../lib';
import {
  FakeUpstream,
  SEND_PATH,
  TOKEN_PATH,
  fakeJwt,
  json,
  sendSuccess,
} from './helpers/fake-upstream';
import {
  ManualClock,
  VerifyNowContext,
  createVerifyNow,
  phoneNumbers,
} from './helpers/verifynow-context';

const CUSTOMER_ID = 'C-TOKEN-TEST';
const PASSWORD = 'correct horse battery staple';

describe('token provider against the sandbox', () => {
  let sandbox: VerifyNowSandbox;
  let clock: ManualClock;
  let context: VerifyNowContext;

  beforeEach(async () => {
    clock = new ManualClock();
    sandbox = await VerifyNowSandbox.start({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      tokenTtlSeconds: 600,
      now: () => clock.now(),
    });
    context = await createVerifyNow(
      // Hundreds of concurrent sends: the outbound rate cap has a spec of its own.
      {
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        baseUrl: sandbox.url,
        maxRequestsPerSecond: 0,
      },
      { clock },
    );
  });

  afterEach(async () => {
    await context.close();
    await sandbox.close();
  });

  it('fetches one token and reuses it across calls', async () => {
    const [first, second] = phoneNumbers(2);
    await context.service.sendOtp({ phoneNumber: first });
    await context.service.sendOtp({ phoneNumber: second });
    expect(sandbox.stats()).toMatchObject({ token: 1, send: 2 });
  });

  it('refreshes a margin before the exp the JWT carries, not after', async () => {
    const [a, b, c] = phoneNumbers(3, 10);
    await context.service.sendOtp({ phoneNumber: a });
    // exp is 600 s after iat; the margin is 60 s: at 539 s the token is still fresh.
    clock.advance(539_000);
    await context.service.sendOtp({ phoneNumber: b });
    expect(sandbox.stats().token).toBe(1);
    clock.advance(2_000);
    await context.service.sendOtp({ phoneNumber: c });
    expect(sandbox.stats().token).toBe(2);
    expect(sandbox.stats().send).toBe(3);
  });

  it('makes exactly one token request for 500 concurrent sends', async () => {
    const numbers = phoneNumbers(500, 100);
    const results = await Promise.all(
      numbers.map((phoneNumber) => context.service.sendOtp({ phoneNumber })),
    );
    expect(new Set(results.map((result) => result.verificationId)).size).toBe(500);
    expect(sandbox.stats()).toMatchObject({ token: 1, send: 500 });
  });

  it('after a 401, refreshes the token once and retries the call once', async () => {
    const [a, b] = phoneNumbers(2, 700);
    await context.service.sendOtp({ phoneNumber: a });
    sandbox.revokeTokens();
    const result = await context.service.sendOtp({ phoneNumber: b });
    expect(result.alreadyPending).toBe(false);
    // One 401 answer, one token refresh, one successful retry.
    expect(sandbox.stats()).toMatchObject({ token: 2, send: 3 });
    expect(sandbox.outbox(b)).toHaveLength(1);
  });

  it('shares one refresh among concurrent calls refused with 401', async () => {
    await context.service.sendOtp({ phoneNumber: phoneNumbers(1, 800)[0] });
    sandbox.revokeTokens();
    await Promise.all(
      phoneNumbers(50, 801).map((phoneNumber) => context.service.sendOtp({ phoneNumber })),
    );
    expect(sandbox.stats().token).toBe(2);
  });

  it('treats a second 401 as an authentication error, without looping', async () => {
    const error = await context.service
      .sendOtp({ phoneNumber: '+6282123060003' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowAuthenticationException);
    expect((error as VerifyNowAuthenticationException).upstreamStatus).toBe(401);
    expect(sandbox.stats()).toMatchObject({ token: 2, send: 2 });
  });

  it('retries a validation after a 401 too', async () => {
    const [phoneNumber] = phoneNumbers(1, 900);
    const { verificationId } = await context.service.sendOtp({ phoneNumber });
    sandbox.revokeTokens();
    await expect(
      context.service.validateOtp({ verificationId, code: sandbox.latestCode(phoneNumber)! }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    expect(sandbox.stats()).toMatchObject({ token: 2, validate: 2 });
  });
});

describe('token errors inside an HTTP 200', () => {
  let sandbox: VerifyNowSandbox;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
  });
  afterAll(() => sandbox.close());

  it.each([
    ['customerId is invalid', { customerId: 'C-SOMEONE-ELSE', password: PASSWORD }],
    ['password is wrong', { customerId: CUSTOMER_ID, password: 'wrong password' }],
  ])('"%s" is an authentication error and nothing is sent', async (message, credentials) => {
    const context = await createVerifyNow({ ...credentials, baseUrl: sandbox.url });
    try {
      const sendsBefore = sandbox.stats().send;
      const error = (await context.service
        .sendOtp({ phoneNumber: '+919999900001' })
        .catch((e: unknown) => e)) as VerifyNowAuthenticationException;
      expect(error).toBeInstanceOf(VerifyNowAuthenticationException);
      expect(error.upstreamStatus).toBe(200);
      expect(error.operation).toBe('token');
      expect(error.message).toContain(message);
      expect(error.getStatus()).toBe(500);
      expect(sandbox.stats().send).toBe(sendsBefore);
    } finally {
      await context.close();
    }
  });
});

describe('a pre-issued authToken', () => {
  let sandbox: VerifyNowSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    const key = Buffer.from(PASSWORD).toString('base64');
    const answer = await fetch(
      `${sandbox.url}${TOKEN_PATH}?customerId=${CUSTOMER_ID}&key=${encodeURIComponent(key)}&scope=NEW`,
    );
    token = ((await answer.json()) as { token: string }).token;
  });
  afterAll(() => sandbox.close());

  it('is used as is, and a 401 is an authentication error with no token request', async () => {
    const context = await createVerifyNow({ authToken: token, baseUrl: sandbox.url });
    try {
      const tokensBefore = sandbox.stats().token;
      await context.service.sendOtp({ phoneNumber: '+919999900002' });
      sandbox.revokeTokens();
      const sendsBefore = sandbox.stats().send;
      await expect(
        context.service.sendOtp({ phoneNumber: '+919999900003' }),
      ).rejects.toBeInstanceOf(VerifyNowAuthenticationException);
      expect(sandbox.stats().send).toBe(sendsBefore + 1);
      expect(sandbox.stats().token).toBe(tokensBefore);
    } finally {
      await context.close();
    }
  });
});

describe('token provider against hand-written answers', () => {
  let upstream: FakeUpstream;
  let clock: ManualClock;
  let context: VerifyNowContext;

  beforeEach(async () => {
    clock = new ManualClock();
    upstream = await FakeUpstream.start((_request, response) => json(response, 404, {}));
  });
  afterEach(async () => {
    await context?.close();
    await upstream.close();
  });

  const start = async (): Promise<void> => {
    context = await createVerifyNow(
      {
        customerId: 'C-FAKE',
        password: 'pw-fake-123',
        baseUrl: upstream.url,
        // Retries are the same, only quicker: their waits have a spec of their own.
        tokenRetry: { retries: 3, baseDelayMs: 1, maxDelayMs: 4 },
        circuitBreaker: false,
      },
      { clock },
    );
  };

  it('assumes a default lifetime of 15 minutes for a token without exp', async () => {
    upstream.answer((_request, response, url) =>
      url.pathname === TOKEN_PATH
        ? json(response, 200, { status: 200, token: fakeJwt({ sub: 'C-FAKE' }) })
        : json(response, 200, sendSuccess()),
    );
    await start();
    await context.service.sendOtp({ phoneNumber: '+919999900001' });
    clock.advance(13 * 60_000);
    await context.service.sendOtp({ phoneNumber: '+919999900001' });
    expect(upstream.hitsOn(TOKEN_PATH)).toBe(1);
    clock.advance(60_000 + 1);
    await context.service.sendOtp({ phoneNumber: '+919999900001' });
    expect(upstream.hitsOn(TOKEN_PATH)).toBe(2);
  });

  it('keeps using a still-valid token when its early refresh finds the endpoint down', async () => {
    const iat = Math.floor(clock.now() / 1000);
    let tokenEndpointUp = true;
    upstream.answer((_request, response, url) => {
      if (url.pathname !== TOKEN_PATH) {
        return json(response, 200, sendSuccess());
      }
      if (!tokenEndpointUp) {
        response.writeHead(500, { 'content-type': 'text/html' });
        return response.end('<html><body>Whitelabel Error Page</body></html>');
      }
      json(response, 200, { status: 200, token: fakeJwt({ iat, exp: iat + 600 }) });
    });
    await start();
    await context.service.sendOtp({ phoneNumber: '+919999900001' });
    tokenEndpointUp = false;
    clock.advance(570_000); // inside the refresh margin, before expiry
    await expect(context.service.sendOtp({ phoneNumber: '+919999900001' })).resolves.toBeDefined();
    // The first token, then the refresh and its three retries.
    expect(upstream.hitsOn(TOKEN_PATH)).toBe(5);
    clock.advance(40_000); // past expiry: nothing to fall back on
    await expect(context.service.sendOtp({ phoneNumber: '+919999900001' })).rejects.toBeInstanceOf(
      VerifyNowUnavailableException,
    );
    expect(upstream.hitsOn(SEND_PATH)).toBe(2);
  });

  it.each([
    [
      'an HTML error page',
      (response: import('node:http').ServerResponse) => {
        response.writeHead(500, { 'content-type': 'text/html' });
        response.end('<html>Whitelabel Error Page</html>');
      },
    ],
    [
      'a JSON status 500 inside HTTP 200',
      (response: import('node:http').ServerResponse) =>
        json(response, 200, { status: 500, error: 'Internal error' }),
    ],
    [
      'truncated JSON',
      (response: import('node:http').ServerResponse) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":200,"tok');
      },
    ],
  ])('reports %s from the token endpoint as unavailable', async (_name, answer) => {
    upstream.answer((_request, response) => answer(response));
    await start();
    const error = await context.service
      .sendOtp({ phoneNumber: '+919999900001' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowUnavailableException);
    expect(upstream.hitsOn(SEND_PATH)).toBe(0);
  });
});
