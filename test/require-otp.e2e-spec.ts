import { VerifyNowModuleOptions, VerifyNowSandbox, VerifyNowStore } from '../lib';
import { request } from './helpers/http';
import { Platform } from './helpers/otp-app';
import { redisUrl, uniquePrefix } from './helpers/redis';
import { StepUpApp, freshPhone, startStepUpApp } from './helpers/step-up-app';
import { ManualClock } from './helpers/verifynow-context';

const CUSTOMER_ID = 'C-STEP-UP';
const PASSWORD = 'step-up-password';

type StoreKind = 'memory' | 'redis';

/** The state options for a store kind; Redis specs get a key prefix of their own. */
function storeOptions(kind: StoreKind, prefix = uniquePrefix()): VerifyNowModuleOptions['store'] {
  return kind === 'redis' ? { redis: { url: redisUrl(), keyPrefix: prefix } } : undefined;
}

/** Calls a protected route without proof and reads the code the sandbox "sent". */
async function challenge(app: StepUpApp, sandbox: VerifyNowSandbox, path: string, phone: string) {
  const answer = await app.call(path, phone);
  expect(answer.status).toBe(401);
  expect(answer.body).toMatchObject({ error: 'OTP_REQUIRED', verificationId: expect.any(String) });
  const verificationId = answer.body.verificationId as string;
  const code = sandbox.outbox(phone).find((m) => m.verificationId === verificationId)?.code;
  expect(code).toBeDefined();
  return { verificationId, code: code! };
}

function wrongCode(code: string): string {
  return code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
}

describe.each<[StoreKind, Platform]>([
  ['memory', 'express'],
  ['redis', 'express'],
  ['memory', 'fastify'],
])('@RequireOtp() with the %s store on %s', (kind, platform) => {
  let sandbox: VerifyNowSandbox;
  let app: StepUpApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    app = await startStepUpApp(
      {
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        baseUrl: sandbox.url,
        store: storeOptions(kind),
        limits: { perClientIp: { limit: 10_000, ttlSeconds: 3600 } },
      },
      { platform, clock },
    );
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
  });

  it('lets a route without @RequireOtp() through untouched', async () => {
    const answer = await app.call('/account/open', undefined);
    expect([answer.status, answer.body]).toEqual([200, { status: 'open' }]);
  });

  it('sends a code and answers 401 OTP_REQUIRED, then passes with the proof', async () => {
    const phone = freshPhone();
    const answer = await app.call('/account/transfer', phone);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      statusCode: 401,
      error: 'OTP_REQUIRED',
      responseCode: null,
      message: expect.any(String),
      verificationId: expect.stringMatching(/^\d+$/),
      expiresIn: 60,
    });
    const code = sandbox.latestCode(phone)!;
    const passed = await app.call('/account/transfer', phone, {
      verificationId: answer.body.verificationId,
      code,
    });
    expect(passed.status).toBe(200);
    expect(passed.body).toEqual({
      status: 'transferred',
      body: { amount: 100 },
      proof: {
        verificationId: answer.body.verificationId,
        purpose: 'POST /account/transfer (AccountController.transfer)',
        verifiedAt: expect.any(Number),
      },
    });
  });

  it('answers 401 without sending when autoSend is off (OTP_REQUIRED) or no phone is known (OTP_SUBJECT_UNKNOWN)', async () => {
    const before = sandbox.stats().send;
    const noAutoSend = await app.call('/account/password', freshPhone());
    expect(noAutoSend.status).toBe(401);
    expect(noAutoSend.body).toEqual({
      statusCode: 401,
      error: 'OTP_REQUIRED',
      responseCode: null,
      message: expect.any(String),
    });
    const noPhone = await app.call('/account/transfer', undefined);
    expect([noPhone.status, noPhone.body.error]).toEqual([401, 'OTP_SUBJECT_UNKNOWN']);
    expect(noPhone.body.message).toContain('is the request authenticated?');
    expect(noPhone.body.verificationId).toBeUndefined();
    expect(sandbox.stats().send).toBe(before);
  });

  it('refuses a replayed proof with 409 OTP_ALREADY_USED', async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', phone);
    expect((await app.call('/account/transfer', phone, proof)).status).toBe(200);
    const validatesBefore = sandbox.stats().validate;
    const replay = await app.call('/account/transfer', phone, proof);
    expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
    expect(sandbox.stats().validate).toBe(validatesBefore);
  });

  it("refuses another subject's proof with 403 OTP_SUBJECT_MISMATCH, and leaves it usable by its owner", async () => {
    const owner = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', owner);
    const stolen = await app.call('/account/transfer', freshPhone(), proof);
    expect([stolen.status, stolen.body.error]).toEqual([403, 'OTP_SUBJECT_MISMATCH']);
    expect((await app.call('/account/transfer', owner, proof)).status).toBe(200);
  });

  it('binds a proof to its subject whatever numbers were parsed before (attack: the thief is challenged first)', async () => {
    const owner = freshPhone();
    const thief = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', owner);
    // The thief's own challenge: the subject of that number is now known without parsing.
    await challenge(app, sandbox, '/account/transfer', thief);
    const stolen = await app.call('/account/transfer', thief, proof);
    expect([stolen.status, stolen.body.error]).toEqual([403, 'OTP_SUBJECT_MISMATCH']);
    // The thief's number written another way, never seen before: parsed, still another subject.
    const thiefSpaced = `${thief.slice(0, 3)} ${thief.slice(3, 8)} ${thief.slice(8)}`;
    const again = await app.call('/account/transfer', thiefSpaced, proof);
    expect([again.status, again.body.error]).toEqual([403, 'OTP_SUBJECT_MISMATCH']);
    // Not a valid number at all, though shaped like one: refused, nothing remembered.
    const invalid = await app.call('/account/transfer', '+9100000000000', proof);
    expect([invalid.status, invalid.body.error]).toEqual([401, 'OTP_SUBJECT_UNKNOWN']);
    // The owner's number written another way is the owner.
    const ownerSpaced = `${owner.slice(0, 3)} ${owner.slice(3, 8)} ${owner.slice(8)}`;
    expect((await app.call('/account/transfer', ownerSpaced, proof)).status).toBe(200);
  });

  it("refuses another purpose's proof with 403 OTP_PURPOSE_MISMATCH", async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', phone);
    const elsewhere = await app.call('/account/password', phone, proof);
    expect([elsewhere.status, elsewhere.body.error]).toEqual([403, 'OTP_PURPOSE_MISMATCH']);
  });

  it('refuses a proof older than maxAgeSeconds with 401 OTP_EXPIRED, before any upstream call', async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', phone);
    clock.advance(600_001);
    const validatesBefore = sandbox.stats().validate;
    const stale = await app.call('/account/transfer', phone, proof);
    expect([stale.status, stale.body.error]).toEqual([401, 'OTP_EXPIRED']);
    expect(sandbox.stats().validate).toBe(validatesBefore);
  });

  it('refuses the 6th try with 429 OTP_TOO_MANY_ATTEMPTS before any upstream call, even with the right code', async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', phone);
    const validatesBefore = sandbox.stats().validate;
    const attemptsLeft: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const wrong = await app.call('/account/transfer', phone, {
        ...proof,
        code: wrongCode(proof.code),
      });
      expect([wrong.status, wrong.body.error, wrong.body.responseCode]).toEqual([
        401,
        'OTP_INVALID',
        702,
      ]);
      attemptsLeft.push(wrong.body.attemptsLeft as number);
    }
    expect(attemptsLeft).toEqual([4, 3, 2, 1, 0]);
    const sixth = await app.call('/account/transfer', phone, proof);
    expect([sixth.status, sixth.body.error]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
    expect(sandbox.stats().validate).toBe(validatesBefore + 5);
  });

  it('lets exactly 1 of 20 concurrent requests with the same valid proof through', async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/account/transfer', phone);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => app.call('/account/transfer', phone, proof)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
  });

  it('refuses a verification this application did not issue with 401 OTP_UNKNOWN', async () => {
    const phone = freshPhone();
    // Sent past the module, straight to the upstream: the ledger never saw it.
    const key = Buffer.from(PASSWORD).toString('base64');
    const token = (
      await request(
        `${sandbox.url}/auth/v1/authentication/token?customerId=${CUSTOMER_ID}&key=${encodeURIComponent(key)}`,
      )
    ).body.token as string;
    const sent = await request(
      `${sandbox.url}/verification/v3/send?countryCode=91&mobileNumber=${phone.slice(3)}&flowType=SMS`,
      { method: 'POST', headers: { authToken: token } },
    );
    const proof = {
      verificationId: sent.body.data.verificationId as string,
      code: sandbox.latestCode(phone)!,
    };
    const answer = await app.call('/account/transfer', phone, proof);
    expect([answer.status, answer.body.error]).toEqual([401, 'OTP_UNKNOWN']);
  });

  it('passes once with one proof when the guard runs twice (global and @UseGuards)', async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/account/close', phone);
    const answer = await app.call('/account/close', phone, proof);
    expect([answer.status, answer.body]).toEqual([200, { status: 'closed' }]);
  });

  it('protects every route of a controller decorated as a whole', async () => {
    const phone = freshPhone();
    const proof = await challenge(app, sandbox, '/vault/open', phone);
    const answer = await app.call('/vault/open', phone, proof);
    expect([answer.status, answer.body]).toEqual([200, { status: 'vault open' }]);
  });

  it('answers a proof in one header only with 400', async () => {
    const answer = await app.call('/account/transfer', freshPhone(), undefined, {
      'x-otp-code': '123456',
    });
    expect([answer.status, answer.body.error]).toEqual([400, 'INVALID_INPUT']);
  });
});

describe('@RequireOtp() with proof headers of its own', () => {
  it('reads the proof from the configured headers', async () => {
    const sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
    const app = await startStepUpApp({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      guard: { headers: { verificationId: 'X-Step-Up-Id', code: 'X-Step-Up-Code' } },
    });
    try {
      const phone = freshPhone();
      const { verificationId, code } = await challenge(app, sandbox, '/account/transfer', phone);
      const defaults = await app.call('/account/transfer', phone, { verificationId, code });
      expect(defaults.body.error).toBe('OTP_REQUIRED');
      const answer = await app.call('/account/transfer', phone, undefined, {
        'x-step-up-id': verificationId,
        'x-step-up-code': code,
      });
      expect(answer.status).toBe(200);
    } finally {
      await app.close();
      await sandbox.close();
    }
  });
});

describe('@RequireOtp() when the upstream is down', () => {
  it.each<StoreKind>(['memory', 'redis'])(
    'refuses with 503 and lets nothing through (%s store)',
    async (kind) => {
      const sandbox = await VerifyNowSandbox.start({ customerId: CUSTOMER_ID, password: PASSWORD });
      const app = await startStepUpApp({
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        baseUrl: sandbox.url,
        store: storeOptions(kind),
        timeoutMs: 2_000,
      });
      try {
        const phone = freshPhone();
        const proof = await challenge(app, sandbox, '/account/transfer', phone);
        await sandbox.close();
        const answers = [
          await app.call('/account/transfer', phone, proof),
          await app.call('/account/transfer', phone, proof),
        ];
        for (const answer of answers) {
          expect([answer.status, answer.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
        }
        // Unreachable is not a wrong code: no try was counted, the claim was released.
        const record = await app.app.get<VerifyNowStore>(VerifyNowStore).get(proof.verificationId);
        expect(record).toMatchObject({ failedAttempts: 0, state: 'open' });
      } finally {
        await app.close();
        await sandbox.close();
      }
    },
  );
});
