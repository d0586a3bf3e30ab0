import { inspect } from 'node:util';
import {
  AlreadyVerifiedException,
  OtpStepUpException,
  VerificationExpiredException,
  VerifyNowAuthenticationException,
  VerifyNowBadRequestException,
  VerifyNowException,
  VerifyNowInvalidInputException,
  VerifyNowModuleOptions,
  VerifyNowQuotaExceededException,
  VerifyNowRateLimitException,
  VerifyNowSandbox,
  VerihubsBlockedNumberException,
  WrongOtpProvidedException,
  maskPhoneNumber,
} from '../lib';
import { subjectOf } from '../lib/ledger/ledger-subject.util';
import { CapturingLogger } from './helpers/capturing-logger';
import { stepUpHeaders } from './helpers/http';
import { Booted, bootProviderApp } from './helpers/provider-app';
import { redisClient, redisUrl, uniquePrefix } from './helpers/redis';

// ---------------------------------------------------------------------------
// Fixtures: the sample's OTP routes plus one @RequireOtp() route, one logger for
// the whole file (Nest's static Logger writes to the application created last).
// ---------------------------------------------------------------------------

const logger = new CapturingLogger();

const boot = (options: VerifyNowModuleOptions, standalone?: VerifyNowSandbox): Promise<Booted> =>
  bootProviderApp(options, logger, standalone);

/** Sandbox mode, Verihubs alone unless told otherwise. */
function sandboxMode(extra: VerifyNowModuleOptions = {}): VerifyNowModuleOptions {
  return { sandbox: true, providers: ['verihubs'], ...extra };
}

let nextPhone = 0;
/** A distinct valid Indonesian mobile number per call, outside every magic family. */
function newPhone(): string {
  nextPhone += 1;
  return `+6281234${String(process.pid % 100).padStart(2, '0')}${String(nextPhone).padStart(3, '0')}1`;
}

/** The code Verihubs "sent" for a verification (its session id). */
function verihubsCode(sandbox: VerifyNowSandbox, phone: string, verificationId: string): string {
  const message = sandbox.verihubsOutbox(phone).find((m) => m.sessionId === verificationId);
  if (message === undefined) {
    throw new Error(`Verihubs sent no code for ${maskPhoneNumber(phone)} (${verificationId})`);
  }
  return message.code;
}

/** A code of the same length that is not this one. */
function wrongCode(code: string): string {
  return code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`;
}

/** What a promise failed with (fails the test when it resolved). */
async function failure(work: Promise<unknown>): Promise<VerifyNowException> {
  try {
    await work;
  } catch (error) {
    return error as VerifyNowException;
  }
  throw new Error('expected a failure, got a result');
}

/** Every way an error gets written down. */
function renderings(error: unknown): string[] {
  const texts = [
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    String(error),
  ];
  if (error instanceof Error) texts.push(error.message, error.stack ?? '');
  if (error instanceof VerifyNowException) texts.push(JSON.stringify(error.getResponse()));
  return texts;
}

// ---------------------------------------------------------------------------

describe('Verihubs through the module: the seed 001 send table', () => {
  let booted: Booted;
  beforeAll(async () => {
    booted = await boot(sandboxMode());
  });
  afterAll(() => booted.close());

  it('sends 0001 through Verihubs and returns its session id as the verification id', async () => {
    const phone = '+6282123060001';
    const before = booted.sandbox.stats();
    const sent = await booted.service.sendOtp({ phoneNumber: phone });
    expect(sent).toMatchObject({ provider: 'verihubs', alreadyPending: false, flowType: 'SMS' });
    const messages = booted.sandbox.verihubsOutbox(phone);
    expect(messages).toHaveLength(1);
    expect(sent.verificationId).toBe(messages[0].sessionId);
    // VerifyNow was not asked; the code is nowhere in the result.
    expect(booted.sandbox.stats().send).toBe(before.send);
    expect(booted.sandbox.stats().verihubsSend).toBe(before.verihubsSend + 1);
    expect(JSON.stringify(sent)).not.toContain(messages[0].code);
  });

  const REFUSALS: [
    string,
    abstract new (...args: never[]) => VerifyNowException,
    number,
    string,
  ][] = [
    ['+6282123060002', VerifyNowBadRequestException, 400, 'BAD_REQUEST'],
    ['+6282123060003', VerifyNowAuthenticationException, 500, 'INTERNAL_SERVER_ERROR'],
    ['+6282123060004', VerifyNowQuotaExceededException, 503, 'UPSTREAM_QUOTA_EXHAUSTED'],
    ['+6282123060005', VerihubsBlockedNumberException, 403, 'PHONE_NUMBER_BLOCKED'],
    ['+6282123060006', VerifyNowRateLimitException, 429, 'UPSTREAM_RATE_LIMITED'],
  ];

  it.each(REFUSALS)(
    '%s: the service throws %p, the filter answers HTTP %i %s, one request, nothing sent',
    async (phone, type, status, error) => {
      const before = booted.sandbox.stats().verihubsSend;
      const thrown = await failure(booted.service.sendOtp({ phoneNumber: phone }));
      expect(thrown).toBeInstanceOf(type);
      expect(thrown.getStatus()).toBe(status);
      expect(thrown.operation).toBe('send');
      // Send is never retried: one request per call.
      expect(booted.sandbox.stats().verihubsSend).toBe(before + 1);

      const answer = await booted.post('/otp/send', { phoneNumber: phone });
      expect([answer.status, answer.body.error]).toEqual([status, error]);
      expect(booted.sandbox.stats().verihubsSend).toBe(before + 2);
      expect(booted.sandbox.messages(phone)).toEqual([]);
    },
  );
});

describe('Verihubs through the module: verify', () => {
  let booted: Booted;
  beforeAll(async () => {
    booted = await boot(sandboxMode());
  });
  afterAll(() => booted.close());

  it('verifies the code from the outbox once; the same code again is refused', async () => {
    const phone = newPhone();
    const sent = await booted.service.sendOtp({ phoneNumber: phone });
    const code = verihubsCode(booted.sandbox, phone, sent.verificationId);
    const result = await booted.service.validateOtp({ verificationId: sent.verificationId, code });
    expect(result).toMatchObject({
      verificationId: sent.verificationId,
      status: 'VERIFICATION_COMPLETED',
    });
    const again = await failure(
      booted.service.validateOtp({ verificationId: sent.verificationId, code }),
    );
    expect(again).toBeInstanceOf(AlreadyVerifiedException);
    expect(again.getStatus()).toBe(409);
  });

  it('verifies over HTTP: 200, then 409 ALREADY_VERIFIED', async () => {
    const phone = newPhone();
    const sent = await booted.post('/otp/send', { phoneNumber: phone });
    expect(sent.status).toBe(200);
    const { verificationId } = sent.body as { verificationId: string };
    const code = verihubsCode(booted.sandbox, phone, verificationId);
    const ok = await booted.post('/otp/verify', { verificationId, code });
    expect([ok.status, ok.body.status]).toEqual([200, 'VERIFICATION_COMPLETED']);
    const again = await booted.post('/otp/verify', { verificationId, code });
    expect([again.status, again.body.error]).toEqual([409, 'ALREADY_VERIFIED']);
  });

  it('refuses a wrong code with WrongOtpProvidedException (HTTP 401), the right one still works', async () => {
    const phone = newPhone();
    const sent = await booted.service.sendOtp({ phoneNumber: phone });
    const code = verihubsCode(booted.sandbox, phone, sent.verificationId);
    const wrong = await failure(
      booted.service.validateOtp({ verificationId: sent.verificationId, code: wrongCode(code) }),
    );
    expect(wrong).toBeInstanceOf(WrongOtpProvidedException);
    expect(wrong.getStatus()).toBe(401);
    const viaHttp = await booted.post('/otp/verify', {
      verificationId: sent.verificationId,
      code: wrongCode(code),
    });
    expect([viaHttp.status, viaHttp.body.error]).toEqual([401, 'WRONG_OTP_PROVIDED']);
    await expect(
      booted.service.validateOtp({ verificationId: sent.verificationId, code }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
  });

  it('locks after 5 wrong codes: the 6th try is 429 OTP_TOO_MANY_ATTEMPTS with no Verihubs call', async () => {
    const phone = newPhone();
    const sent = await booted.service.sendOtp({ phoneNumber: phone });
    const code = verihubsCode(booted.sandbox, phone, sent.verificationId);
    const proof = { verificationId: sent.verificationId, code: wrongCode(code) };
    const start = booted.sandbox.stats().verihubsVerify;
    for (let i = 0; i < 5; i += 1) {
      await expect(booted.service.validateOtp(proof)).rejects.toBeInstanceOf(
        WrongOtpProvidedException,
      );
    }
    expect(booted.sandbox.stats().verihubsVerify).toBe(start + 5);
    const sixth = await failure(booted.service.validateOtp(proof));
    expect(sixth).toBeInstanceOf(OtpStepUpException);
    expect([sixth.getStatus(), sixth.codeName]).toEqual([429, 'OTP_TOO_MANY_ATTEMPTS']);
    // Even the right code: locked, and Verihubs is not asked.
    const right = await failure(
      booted.service.validateOtp({ verificationId: sent.verificationId, code }),
    );
    expect(right.codeName).toBe('OTP_TOO_MANY_ATTEMPTS');
    expect(booted.sandbox.stats().verihubsVerify).toBe(start + 5);
  });

  it('reads the verify magic numbers: 0008 wrong (401), 0009 expired (410)', async () => {
    const cases: [string, abstract new (...args: never[]) => VerifyNowException, number, string][] =
      [
        ['+6282123060008', WrongOtpProvidedException, 401, 'WRONG_OTP_PROVIDED'],
        ['+6282123060009', VerificationExpiredException, 410, 'VERIFICATION_EXPIRED'],
      ];
    for (const [phone, type, status, error] of cases) {
      const first = await booted.service.sendOtp({ phoneNumber: phone });
      expect(first.provider).toBe('verihubs');
      const code = verihubsCode(booted.sandbox, phone, first.verificationId);
      const thrown = await failure(
        booted.service.validateOtp({ verificationId: first.verificationId, code }),
      );
      expect([phone, thrown instanceof type, thrown.getStatus()]).toEqual([phone, true, status]);
      const second = await booted.service.sendOtp({ phoneNumber: phone });
      const answer = await booted.post('/otp/verify', {
        verificationId: second.verificationId,
        code: verihubsCode(booted.sandbox, phone, second.verificationId),
      });
      expect([phone, answer.status, answer.body.error]).toEqual([phone, status, error]);
    }
  });

  it('binds a purpose to a challenge of its own: another purpose cannot verify it', async () => {
    const phone = newPhone();
    const plain = await booted.service.sendOtp({ phoneNumber: phone });
    const bound = await booted.service.sendOtp({ phoneNumber: phone, purpose: 'email-change' });
    const [first, second] = booted.sandbox.verihubsOutbox(phone);
    expect([first.sessionId, second.sessionId]).toEqual([
      plain.verificationId,
      bound.verificationId,
    ]);
    expect(second.challenge).not.toBe(first.challenge);
    await expect(
      booted.service.validateOtp({ verificationId: bound.verificationId, code: second.code }),
    ).rejects.toMatchObject({ codeName: 'OTP_UNKNOWN' });
    await expect(
      booted.service.validateOtp({
        verificationId: bound.verificationId,
        code: second.code,
        purpose: 'email-change',
      }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    await expect(
      booted.service.validateOtp({ verificationId: plain.verificationId, code: first.code }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
  });
});

describe('Verihubs through the module: WhatsApp and the SMS template', () => {
  it('sends WhatsApp through Verihubs with verihubs.whatsapp.templateName, and verifies it', async () => {
    const booted = await boot(
      sandboxMode({ verihubs: { whatsapp: { templateName: 'otp_login', langCode: 'en_US' } } }),
    );
    try {
      const phone = newPhone();
      const sent = await booted.service.sendOtp({ phoneNumber: phone, flowType: 'WHATSAPP' });
      expect(sent).toMatchObject({ provider: 'verihubs', flowType: 'WHATSAPP' });
      const [message] = booted.sandbox.verihubsOutbox(phone);
      expect(message).toMatchObject({
        channel: 'whatsapp',
        sessionId: sent.verificationId,
        text: `WhatsApp template otp_login (en_US): ${message.code}`,
      });
      const before = booted.sandbox.stats();
      await expect(
        booted.service.validateOtp({ verificationId: sent.verificationId, code: message.code }),
      ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
      expect(booted.sandbox.stats().verihubsVerify).toBe(before.verihubsVerify + 1);
    } finally {
      await booted.close();
    }
  });

  it('refuses WhatsApp without a templateName before any call when Verihubs is alone', async () => {
    const booted = await boot(sandboxMode());
    try {
      const phone = newPhone();
      const requests = booted.sandbox.requests().length;
      const thrown = await failure(
        booted.service.sendOtp({ phoneNumber: phone, flowType: 'WHATSAPP' }),
      );
      expect(thrown).toBeInstanceOf(VerifyNowInvalidInputException);
      expect(thrown.getStatus()).toBe(400);
      expect(booted.sandbox.requests()).toHaveLength(requests);
      expect(booted.sandbox.messages(phone)).toEqual([]);
      const answer = await booted.post('/otp/send', { phoneNumber: phone, flowType: 'WHATSAPP' });
      expect([answer.status, answer.body.error]).toEqual([400, 'INVALID_INPUT']);
      expect(booted.sandbox.requests()).toHaveLength(requests);
    } finally {
      await booted.close();
    }
  });

  it('sends WhatsApp without a templateName through VerifyNow when both are configured', async () => {
    const booted = await boot(sandboxMode({ providers: ['verihubs', 'verifynow'] }));
    try {
      const phone = newPhone();
      const before = booted.sandbox.stats();
      const sent = await booted.service.sendOtp({ phoneNumber: phone, flowType: 'WHATSAPP' });
      expect(sent).toMatchObject({ provider: 'verifynow', flowType: 'WHATSAPP' });
      const after = booted.sandbox.stats();
      expect([after.send, after.verihubsSend]).toEqual([before.send + 1, before.verihubsSend]);
      // SMS still goes to Verihubs first.
      const sms = await booted.service.sendOtp({ phoneNumber: newPhone() });
      expect(sms.provider).toBe('verihubs');
    } finally {
      await booted.close();
    }
  });

  it('renders verihubs.template in the text, with a code of the module otpLength', async () => {
    const template = 'Kode masuk Anda: $OTP. Jangan berikan $OTP ke siapa pun.';
    const booted = await boot(sandboxMode({ otpLength: 8, verihubs: { template } }));
    try {
      const phone = newPhone();
      const sent = await booted.service.sendOtp({ phoneNumber: phone });
      const [message] = booted.sandbox.verihubsOutbox(phone);
      expect(message.code).toMatch(/^\d{8}$/);
      expect(message.text).toBe(template.split('$OTP').join(message.code));
      expect(message.channel).toBe('sms');
      // A per-call otpLength wins over the module's.
      const short = newPhone();
      await booted.service.sendOtp({ phoneNumber: short, otpLength: 4 });
      expect(booted.sandbox.verihubsOutbox(short)[0].code).toMatch(/^\d{4}$/);
      await expect(
        booted.service.validateOtp({ verificationId: sent.verificationId, code: message.code }),
      ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    } finally {
      await booted.close();
    }
  });
});

describe('validation goes to the provider that issued the verification', () => {
  const APP_ID = 'routing-app';
  const API_KEY = 'routing-api-key-0001';
  const CUSTOMER_ID = 'C-ROUTING';
  const PASSWORD = 'routing-password';
  let sandbox: VerifyNowSandbox;
  let verifyNowFirst: Booted;
  let verihubsFirst: Booted;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      verihubs: { appId: APP_ID, apiKey: API_KEY },
    });
    const shared = {
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      verihubs: { appId: APP_ID, apiKey: API_KEY, baseUrl: sandbox.url },
      store: { redis: { url: redisUrl(), keyPrefix: uniquePrefix() } },
    };
    verifyNowFirst = await boot({ ...shared, providers: ['verifynow', 'verihubs'] }, sandbox);
    verihubsFirst = await boot({ ...shared, providers: ['verihubs', 'verifynow'] }, sandbox);
  });
  afterAll(async () => {
    await verifyNowFirst?.close();
    await verihubsFirst?.close();
    await sandbox?.close();
  });

  it('checks each code with its own provider, whichever instance validates', async () => {
    const viaVerifyNow = newPhone();
    const viaVerihubs = newPhone();
    const a = await verifyNowFirst.service.sendOtp({ phoneNumber: viaVerifyNow });
    const b = await verihubsFirst.service.sendOtp({ phoneNumber: viaVerihubs });
    expect([a.provider, b.provider]).toEqual(['verifynow', 'verihubs']);
    const codeA = sandbox.outbox(viaVerifyNow).find((m) => m.verificationId === a.verificationId)
      ?.code as string;
    const codeB = verihubsCode(sandbox, viaVerihubs, b.verificationId);

    // Verihubs' code, validated by the instance that prefers VerifyNow.
    let before = sandbox.stats();
    await expect(
      verifyNowFirst.service.validateOtp({ verificationId: b.verificationId, code: codeB }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    let after = sandbox.stats();
    expect([
      after.verihubsVerify - before.verihubsVerify,
      after.validate - before.validate,
    ]).toEqual([1, 0]);

    // VerifyNow's code, validated by the instance that prefers Verihubs.
    before = sandbox.stats();
    await expect(
      verihubsFirst.service.validateOtp({ verificationId: a.verificationId, code: codeA }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    after = sandbox.stats();
    expect([
      after.verihubsVerify - before.verihubsVerify,
      after.validate - before.validate,
    ]).toEqual([0, 1]);
  });
});

describe.each(['memory', 'redis'] as const)('@RequireOtp() on Verihubs, %s store', (kind) => {
  let booted: Booted;
  beforeAll(async () => {
    booted = await boot(
      sandboxMode({
        store:
          kind === 'redis' ? { redis: { url: redisUrl(), keyPrefix: uniquePrefix() } } : undefined,
      }),
    );
  });
  afterAll(() => booted.close());

  it('challenges (401 with a verification id), passes the proof once, then refuses it as used', async () => {
    const phone = newPhone();
    const before = booted.sandbox.stats();
    const challenged = await booted.post(
      '/account/transfer',
      { amount: 1 },
      stepUpHeaders(phone, undefined),
    );
    expect([challenged.status, challenged.body.error]).toEqual([401, 'OTP_REQUIRED']);
    const verificationId = challenged.body.verificationId as string;
    expect(verificationId).toEqual(expect.any(String));
    expect(booted.sandbox.stats().verihubsSend).toBe(before.verihubsSend + 1);
    expect(booted.sandbox.stats().send).toBe(before.send);
    const code = verihubsCode(booted.sandbox, phone, verificationId);

    const wrong = await booted.post(
      '/account/transfer',
      { amount: 1 },
      stepUpHeaders(phone, { verificationId, code: wrongCode(code) }),
    );
    expect([wrong.status, wrong.body.error]).toEqual([401, 'OTP_INVALID']);

    const proof = stepUpHeaders(phone, { verificationId, code });
    const passed = await booted.post('/account/transfer', { amount: 1 }, proof);
    expect([passed.status, passed.body]).toEqual([
      200,
      { status: 'transferred', verificationId, body: { amount: 1 } },
    ]);
    const replay = await booted.post('/account/transfer', { amount: 1 }, proof);
    expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);

    // Another user cannot present it.
    const other = await booted.post(
      '/account/transfer',
      { amount: 1 },
      stepUpHeaders(newPhone(), { verificationId, code }),
    );
    expect(other.status).toBe(403);
  });

  it('does not let validateOtp() spend a step-up verification', async () => {
    const phone = newPhone();
    const challenged = await booted.post(
      '/account/transfer',
      { amount: 1 },
      stepUpHeaders(phone, undefined),
    );
    const verificationId = challenged.body.verificationId as string;
    const code = verihubsCode(booted.sandbox, phone, verificationId);
    await expect(booted.service.validateOtp({ verificationId, code })).rejects.toMatchObject({
      codeName: 'OTP_UNKNOWN',
    });
    const passed = await booted.post(
      '/account/transfer',
      { amount: 1 },
      stepUpHeaders(phone, { verificationId, code }),
    );
    expect(passed.status).toBe(200);
  });
});

describe('secrecy with Verihubs: keys, codes and numbers stay out of logs, errors and the ledger', () => {
  const APP_ID = 'vh-app-id-SECRET-7731';
  const API_KEY = 'vh-api-key-must-never-leak-5531';
  const prefix = uniquePrefix();
  let sandbox: VerifyNowSandbox;
  let booted: Booted;
  const written: string[] = [];
  const phones: string[] = [];
  let mark = 0;

  const phone = (number: string): string => {
    phones.push(number);
    return number;
  };
  const attempt = async (work: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await work();
    } catch (error) {
      written.push(...renderings(error));
      return error;
    }
  };

  beforeAll(async () => {
    mark = logger.lines.length;
    sandbox = await VerifyNowSandbox.start({ verihubs: { appId: APP_ID, apiKey: API_KEY } });
    booted = await boot(
      {
        providers: ['verihubs'],
        otpLength: 8,
        verihubs: { appId: APP_ID, apiKey: API_KEY, baseUrl: sandbox.url },
        store: { redis: { url: redisUrl(), keyPrefix: prefix } },
        circuitBreaker: false,
      },
      sandbox,
    );
    const { service } = booted;

    // A success, a wrong code, a reuse, a lock.
    const ok = phone(newPhone());
    const sent = await service.sendOtp({ phoneNumber: ok });
    const code = verihubsCode(sandbox, ok, sent.verificationId);
    await attempt(() =>
      service.validateOtp({ verificationId: sent.verificationId, code: wrongCode(code) }),
    );
    await attempt(() => service.validateOtp({ verificationId: sent.verificationId, code }));
    await attempt(() => service.validateOtp({ verificationId: sent.verificationId, code }));
    const locked = phone(newPhone());
    const toLock = await service.sendOtp({ phoneNumber: locked });
    const lockCode = verihubsCode(sandbox, locked, toLock.verificationId);
    for (let i = 0; i < 6; i += 1) {
      await attempt(() =>
        service.validateOtp({ verificationId: toLock.verificationId, code: wrongCode(lockCode) }),
      );
    }
    // Every refusal of the send table, the verify table and the "down" numbers.
    for (const magic of ['0002', '0003', '0004', '0005', '0006', '0010', '0011', '0012']) {
      await attempt(() => service.sendOtp({ phoneNumber: phone(`+628212306${magic}`) }));
    }
    for (const magic of ['0008', '0009']) {
      const number = phone(`+628212306${magic}`);
      const issued = await service.sendOtp({ phoneNumber: number });
      await attempt(() =>
        service.validateOtp({
          verificationId: issued.verificationId,
          code: verihubsCode(sandbox, number, issued.verificationId),
        }),
      );
    }
    await attempt(() => service.sendOtp({ phoneNumber: phone(newPhone()), flowType: 'WHATSAPP' }));
    // Through HTTP: bodies of the filter.
    for (const magic of ['0003', '0004', '0005', '0010']) {
      const answer = await booted.post('/otp/send', { phoneNumber: phone(`+628212306${magic}`) });
      written.push(JSON.stringify(answer.body));
    }
    const viaHttp = phone(newPhone());
    const httpSent = await booted.post('/otp/send', { phoneNumber: viaHttp });
    written.push(JSON.stringify(httpSent.body));
    const httpCode = verihubsCode(sandbox, viaHttp, httpSent.body.verificationId as string);
    for (const candidate of [wrongCode(httpCode), httpCode, httpCode]) {
      const answer = await booted.post('/otp/verify', {
        verificationId: httpSent.body.verificationId,
        code: candidate,
      });
      written.push(JSON.stringify(answer.body));
    }
    // Step-up: challenge, wrong proof, right proof, replay.
    const stepUp = phone(newPhone());
    const challenged = await booted.post(
      '/account/transfer',
      { amount: 1 },
      stepUpHeaders(stepUp, undefined),
    );
    written.push(JSON.stringify(challenged.body));
    const stepId = challenged.body.verificationId as string;
    const stepCode = verihubsCode(sandbox, stepUp, stepId);
    for (const candidate of [wrongCode(stepCode), stepCode, stepCode]) {
      const answer = await booted.post(
        '/account/transfer',
        { amount: 1 },
        stepUpHeaders(stepUp, { verificationId: stepId, code: candidate }),
      );
      written.push(JSON.stringify(answer.body));
    }

    // A module whose API key Verihubs refuses.
    const refused = await boot(
      {
        providers: ['verihubs'],
        verihubs: { appId: APP_ID, apiKey: `${API_KEY}-wrong`, baseUrl: sandbox.url },
      },
      sandbox,
    );
    await attempt(() => refused.service.sendOtp({ phoneNumber: phone(newPhone()) }));
    written.push(
      JSON.stringify((await refused.post('/otp/send', { phoneNumber: phone(newPhone()) })).body),
    );
    await refused.close();
  });

  afterAll(async () => {
    await booted?.close();
    await sandbox?.close();
  });

  const text = (): string => [...written, ...logger.lines.slice(mark)].join('\n');

  it('captured every path', () => {
    const all = text();
    for (const name of [
      'verifynow.send',
      'verifynow.validate',
      'WRONG_OTP_PROVIDED',
      'ALREADY_VERIFIED',
      'OTP_TOO_MANY_ATTEMPTS',
      'VERIFICATION_EXPIRED',
      'AUTHENTICATION_FAILED',
      'UPSTREAM_QUOTA_EXHAUSTED',
      'PHONE_NUMBER_BLOCKED',
      'UPSTREAM_RATE_LIMITED',
      'UPSTREAM_UNAVAILABLE',
      'INVALID_INPUT',
      'OTP_REQUIRED',
      'OTP_ALREADY_USED',
    ]) {
      expect([name, all.includes(name)]).toEqual([name, true]);
    }
    expect(sandbox.verihubsOutbox().length).toBeGreaterThanOrEqual(6);
  });

  it('holds neither the App-ID nor the API-Key', () => {
    const all = text();
    for (const secret of [APP_ID, API_KEY, `${API_KEY}-wrong`]) {
      expect(all).not.toContain(secret);
    }
  });

  it('holds no code Verihubs sent', () => {
    const all = text();
    const codes = sandbox.verihubsOutbox().map((message) => message.code);
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) {
      expect(all).not.toContain(code);
    }
  });

  it('holds no full phone number, only masked ones', () => {
    const all = text();
    for (const number of phones) {
      const digits = number.replace(/\D/g, '');
      expect(all).not.toContain(digits);
      expect(all).not.toContain(digits.slice(-10));
    }
    expect(all).toContain(maskPhoneNumber(phones[0]));
  });

  it('keeps no plain phone number, code or key in the Redis ledger', async () => {
    const client = redisClient();
    try {
      const keys = await client.keys(`${prefix}*`);
      const dump: string[] = [...keys];
      const subjects: string[] = [];
      for (const key of keys) {
        if ((await client.type(key)) !== 'hash') continue;
        const hash = await client.hgetall(key);
        if (hash.subject) subjects.push(hash.subject);
        dump.push(...Object.entries(hash).flat());
      }
      const all = dump.join('\n');
      // The ledger does hold the verifications: by the SHA-256 of the number.
      expect(subjects).toContain(subjectOf(phones[0]));
      for (const number of phones) {
        const digits = number.replace(/\D/g, '');
        expect(all).not.toContain(digits);
        expect(all).not.toContain(digits.slice(-10));
      }
      for (const code of sandbox.verihubsOutbox().map((message) => message.code)) {
        expect(all).not.toContain(code);
      }
      for (const secret of [APP_ID, API_KEY]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      client.disconnect();
    }
  });
});
