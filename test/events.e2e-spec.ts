import { Injectable } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Server, createServer, request as httpRequest } from 'node:http';
import {
  VERIFYNOW_EVENTS,
  VerifyNowEvents,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
  VerifyNowTokenProvider,
  maskPhoneNumber,
} from '../lib';
import type { VerifyNowEvent, VerifyNowEventBase } from '../lib';
import { SANDBOX_DEFAULT_CREDENTIALS } from '../lib/providers/verifynow/verifynow.options';
import { VERIHUBS_SANDBOX_CREDENTIALS } from '../lib/providers/verihubs/verihubs.options';
import { OTP_HTTP_PROVIDERS } from '../sample/src/app.module';
import { OtpController } from '../sample/src/otp.controller';
import { SANDBOX_NUMBERS } from './helpers/sandbox-numbers';
import { CapturingLogger } from './helpers/capturing-logger';
import { EventCollector, MASKED_PHONE, near, settle } from './helpers/event-collector';
import { phoneRegistry } from './helpers/distinct-phones';
import { GuardedAccountController, OtpClient, otpClient } from './helpers/guarded-routes';
import { redisUrl, uniquePrefix } from './helpers/redis';
import {
  AuthModule,
  FixtureApp,
  Proof,
  SkewedClock,
  boot,
  signedInPhone,
  wrongCode,
} from './helpers/step-up-fixtures';

/*
 * VerifyNowEvents end to end: every event of a verification's life, raised by
 * real sends, validations, delivery callbacks and `@RequireOtp()` decisions over
 * loopback HTTP against the sandbox, delivered to `subscribe()` listeners and to
 * `@nestjs/event-emitter`, each exactly once, with nothing secret in it.
 *
 * An unhandled rejection fails the Jest test it happens in: that a rejecting
 * listener breaks nothing is checked by every test of the main application.
 */

// One logger for the whole file: Nest's static Logger writes to the application created last.
const logger = new CapturingLogger();

const CUSTOMER_ID = 'C-EVENTS-7Q2WX9';
const PASSWORD = 'Events-Pa55word-never-in-a-payload';
const KEY = Buffer.from(PASSWORD).toString('base64');
const APP_ID = 'events-app-id-4471';
const API_KEY = 'events-verihubs-api-key-never-in-a-payload';
const HOOK = '/hooks/verihubs';

const MAGIC = SANDBOX_NUMBERS;

/** Every event any application of this file delivered, for the secrecy checks at the end. */
const everything: VerifyNowEvent[] = [];
/** What no payload may carry. */
const secrets = {
  codes: new Set<string>(),
  phones: new Set<string>(),
  /** Verihubs callback tokens and VerifyNow auth tokens. */
  tokens: new Set<string>(),
};

const { newPhone, used } = phoneRegistry('98765', secrets.phones);

/** The code the sandbox "sent" for a verification, by either provider. */
function codeFor(sandbox: VerifyNowSandbox, phone: string, verificationId: string): string {
  const message = sandbox
    .messages(phone)
    .find((sent) =>
      sent.provider === 'verihubs'
        ? sent.sessionId === verificationId
        : sent.verificationId === verificationId,
    );
  if (message === undefined) {
    throw new Error(`the sandbox sent no code for ${verificationId}`);
  }
  secrets.codes.add(message.code);
  return message.code;
}

/** The masked number a payload must show, checked for its shape: `+`, stars, the last four digits. */
function masked(phone: string): string {
  const shown = maskPhoneNumber(phone);
  expect(shown).toMatch(MASKED_PHONE);
  expect(shown.slice(-4)).toBe(phone.slice(-4));
  return shown;
}

/** What a payload of an SMS verification of `phone` must carry, and `more`. */
function factsOf(phone: string, more: Partial<Record<keyof VerifyNowEventBase, unknown>>) {
  return {
    at: expect.any(Number),
    phone: masked(phone),
    channel: 'SMS',
    latencyMs: expect.any(Number),
    ...more,
  };
}

/** The facts of a verification sent for the guarded transfer through VerifyNow. */
function transferFacts(
  phone: string,
  verificationId: unknown,
  sentAt: unknown = expect.any(Number),
) {
  return factsOf(phone, {
    verificationId,
    provider: 'verifynow',
    purpose: 'transfer',
    stepUp: true,
    sentAt,
  });
}

/** The names of the events since `from` for one masked number, in order. */
function namesFor(collector: EventCollector, from: number, phone: string): string[] {
  const shown = maskPhoneNumber(phone);
  return collector.events
    .slice(from)
    .filter((event) => event.phone === shown)
    .map((event) => event.name);
}

/** A time in milliseconds since the epoch, within two minutes of now (the clock may be moved on). */
function expectRecent(at: unknown): void {
  expect(typeof at).toBe('number');
  expect(Math.abs((at as number) - Date.now())).toBeLessThan(120_000);
}

/** Real time plus an offset a test moves; with `stepMs` set, each reading is that much later. */
class TestClock extends SkewedClock {
  stepMs = 0;
  override now(): number {
    this.offsetMs += this.stepMs;
    return super.now();
  }
}

/** A loopback relay in front of the application that records the Verihubs callbacks it forwards. */
interface Relay {
  url: string;
  /** Where callbacks are forwarded: the application's base URL, once it listens. */
  target: string;
  /** Every path and query called, callback tokens included. */
  called: string[];
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  const relay: Relay = { url: '', target: '', called: [], close: () => Promise.resolve() };
  const server: Server = createServer((incoming, outgoing) => {
    relay.called.push(incoming.url ?? '');
    const forward = httpRequest(`${relay.target}${incoming.url}`, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502);
      answer.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    forward.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  relay.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  relay.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return relay;
}

/** The callback token of a Verihubs send, as the sandbox called it. */
function callbackToken(relay: Relay, verificationId: string): string {
  const tokens = new Set(
    relay.called
      .filter((url) => url.includes(`session_id=${verificationId}`))
      .map((url) => url.split('?')[0].split('/').at(-1) ?? ''),
  );
  expect(tokens.size).toBe(1);
  const [token] = tokens;
  secrets.tokens.add(token);
  return token;
}

// ---------------------------------------------------------------------------

describe('VerifyNowEvents over HTTP (memory ledger, VerifyNow then Verihubs)', () => {
  let sandbox: VerifyNowSandbox;
  let relay: Relay;
  let app: FixtureApp;
  let http: OtpClient;
  const clock = new TestClock();
  const collector = new EventCollector(everything);

  /** Listeners subscribed before the collector: one throws, one rejects, one never settles. */
  const unruly = { thrown: 0, rejected: 0, slowCalls: 0 };
  let releaseSlow: () => void = () => undefined;
  const slowListener = new Promise<void>((resolve) => (releaseSlow = resolve));

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      verihubs: { appId: APP_ID, apiKey: API_KEY },
    });
    relay = await startRelay();
    const options: VerifyNowModuleOptions = {
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      baseUrl: sandbox.url,
      providers: ['verifynow', 'verihubs'],
      verihubs: {
        appId: APP_ID,
        apiKey: API_KEY,
        baseUrl: sandbox.url,
        callback: { url: `${relay.url}${HOOK}` },
      },
      // Eight digits: no code can be mistaken for a six-digit verification id.
      otpLength: 8,
      tokenRetry: { retries: 0 },
      limits: {
        perPhoneNumber: { limit: 3, ttlSeconds: 600 },
        perClientIp: { limit: 10_000, ttlSeconds: 3600 },
        allowedCountries: ['IN', 'ID'],
      },
      guard: { resolvePhoneNumber: signedInPhone, maxFailedAttempts: 3 },
    };
    app = await boot(
      {
        imports: [AuthModule, VerifyNowModule.forRoot(options)],
        controllers: [OtpController, GuardedAccountController],
        providers: OTP_HTTP_PROVIDERS,
      },
      { platform: 'express', logger, clock },
    );
    relay.target = app.url;
    http = otpClient(app);
    const events = app.app.get(VerifyNowEvents);
    events.subscribe((event) => {
      unruly.thrown += 1;
      throw new Error(`boom ${JSON.stringify(event)}`);
    });
    events.subscribe(async () => {
      await Promise.resolve();
      unruly.rejected += 1;
      throw new RangeError('rejected on purpose');
    });
    events.subscribe(async () => {
      unruly.slowCalls += 1;
      await slowListener;
    });
    events.subscribe(collector.listener);
  });

  afterAll(async () => {
    releaseSlow();
    secrets.tokens.add(await app.app.get(VerifyNowTokenProvider).getToken());
    for (const url of relay.called) {
      secrets.tokens.add(url.split('?')[0].split('/').at(-1) ?? '');
    }
    secrets.tokens.delete('');
    await app.close();
    await relay.close();
    await sandbox.close();
  });

  afterEach(() => {
    clock.offsetMs = 0;
    clock.stepMs = 0;
  });

  it('otp.sent once per send, pending for the code handed back, then send_refused at the perPhoneNumber limit', async () => {
    const phone = newPhone();
    const from = collector.mark();

    const first = await http.send(phone);
    expect([first.status, first.body.alreadyPending]).toEqual([200, false]);
    const verificationId = first.body.verificationId as string;
    const [sent] = await collector.waitFor(VERIFYNOW_EVENTS.otpSent, { from });
    expect(sent).toEqual({
      name: 'verifynow.otp.sent',
      ...factsOf(phone, {
        verificationId,
        provider: 'verifynow',
        purpose: null,
        stepUp: false,
        sentAt: sent.at,
      }),
      pending: false,
      expiresInSeconds: 60,
    });
    expectRecent(sent.at);
    expect(sent.latencyMs).toBeGreaterThanOrEqual(0);

    for (let i = 0; i < 2; i += 1) {
      const again = await http.send(phone);
      expect([again.status, again.body.alreadyPending, again.body.verificationId]).toEqual([
        200,
        true,
        verificationId,
      ]);
    }
    const refused = await http.send(phone);
    expect([refused.status, refused.body.error]).toEqual([429, 'TOO_MANY_OTP_REQUESTS']);

    const [refusal] = await collector.waitFor(VERIFYNOW_EVENTS.otpSendRefused, { from });
    await settle();
    expect(namesFor(collector, from, phone)).toEqual([
      'verifynow.otp.sent',
      'verifynow.otp.sent',
      'verifynow.otp.sent',
      'verifynow.otp.send_refused',
    ]);
    const pending = collector.named(VERIFYNOW_EVENTS.otpSent, from).slice(1);
    expect(pending).toHaveLength(2);
    for (const handedBack of pending) {
      expect(handedBack).toEqual({
        name: 'verifynow.otp.sent',
        ...factsOf(phone, {
          verificationId,
          provider: 'verifynow',
          purpose: null,
          stepUp: false,
          sentAt: sent.sentAt,
        }),
        pending: true,
        expiresInSeconds: expect.any(Number),
      });
    }
    expect(refusal).toEqual({
      name: 'verifynow.otp.send_refused',
      ...factsOf(phone, {
        verificationId: null,
        provider: null,
        purpose: null,
        stepUp: false,
        sentAt: null,
      }),
      reason: 'phoneNumber',
      error: 'TOO_MANY_OTP_REQUESTS',
    });
  });

  it('send_refused by the country allowlist, once, before any upstream call', async () => {
    const phone = used('+4915123456789');
    const from = collector.mark();
    const upstreamSends = sandbox.stats().send;

    const answer = await http.send(phone);
    expect([answer.status, answer.body.error]).toEqual([403, 'OTP_COUNTRY_NOT_ALLOWED']);
    const [refusal] = await collector.waitFor(VERIFYNOW_EVENTS.otpSendRefused, { from });
    await settle();

    expect(sandbox.stats().send).toBe(upstreamSends);
    expect(namesFor(collector, from, phone)).toEqual(['verifynow.otp.send_refused']);
    expect(refusal).toEqual({
      name: 'verifynow.otp.send_refused',
      ...factsOf(phone, {
        verificationId: null,
        provider: null,
        purpose: null,
        stepUp: false,
        sentAt: null,
      }),
      reason: 'country',
      error: 'OTP_COUNTRY_NOT_ALLOWED',
    });
  });

  it.each([
    ['refuses the number (HTTP 400)', MAGIC.refused, 400, 'BAD_REQUEST'],
    ['looks down (HTML 503, ambiguous: no failover)', MAGIC.down, 503, 'UPSTREAM_UNAVAILABLE'],
  ])('send_failed once when the upstream %s', async (_, magic, upstreamStatus, error) => {
    const phone = used(magic);
    const from = collector.mark();

    const answer = await http.send(phone);
    expect(answer.body.error).toBe(error);
    const [failed] = await collector.waitFor(VERIFYNOW_EVENTS.otpSendFailed, { from });
    await settle();

    expect(namesFor(collector, from, phone)).toEqual(['verifynow.otp.send_failed']);
    expect(failed).toEqual({
      name: 'verifynow.otp.send_failed',
      ...factsOf(phone, {
        verificationId: null,
        provider: 'verifynow',
        purpose: null,
        stepUp: false,
        sentAt: null,
      }),
      error,
      upstreamStatus,
    });
  });

  it('failover once when VerifyNow answers 429, then otp.sent and otp.verified through Verihubs', async () => {
    const phone = used(MAGIC.failover);
    const from = collector.mark();

    const answer = await http.send(phone);
    expect(answer.status).toBe(200);
    const verificationId = answer.body.verificationId as string;
    expect(sandbox.verihubsOutbox(phone).map(({ sessionId }) => sessionId)).toContain(
      verificationId,
    );
    const [failover] = await collector.waitFor(VERIFYNOW_EVENTS.otpFailover, { from });
    const [sent] = await collector.waitFor(VERIFYNOW_EVENTS.otpSent, { from });
    expect(failover).toEqual({
      name: 'verifynow.otp.failover',
      ...factsOf(phone, {
        verificationId: null,
        provider: 'verifynow',
        purpose: null,
        stepUp: false,
        sentAt: null,
      }),
      to: 'verihubs',
      error: 'UPSTREAM_RATE_LIMITED',
    });
    expect(sent).toMatchObject({
      ...factsOf(phone, { verificationId, provider: 'verihubs', stepUp: false }),
      pending: false,
    });

    const verified = await http.verify(verificationId, codeFor(sandbox, phone, verificationId));
    expect([verified.status, verified.body.status]).toEqual([200, 'VERIFICATION_COMPLETED']);
    const [done] = await collector.waitFor(VERIFYNOW_EVENTS.otpVerified, { from });
    await settle();
    expect(done).toEqual({
      name: 'verifynow.otp.verified',
      ...factsOf(phone, {
        verificationId,
        provider: 'verihubs',
        purpose: null,
        stepUp: false,
        sentAt: near(sent.at),
      }),
    });
    const ofThisSend = collector.events
      .slice(from)
      .filter((event) => event.verificationId === verificationId || event.verificationId === null)
      .map((event) => event.name)
      .filter((name) => !name.includes('deliver'));
    expect(ofThisSend).toEqual([
      'verifynow.otp.failover',
      'verifynow.otp.sent',
      'verifynow.otp.verified',
    ]);
  });

  it('delivered from the Verihubs callback, once even when replayed; undelivered for a later status, once', async () => {
    const phone = used(MAGIC.failover);
    const from = collector.mark();
    const answer = await http.send(phone);
    expect(answer.status).toBe(200);
    const verificationId = answer.body.verificationId as string;
    const ofIt = {
      from,
      match: (event: VerifyNowEvent) => event.verificationId === verificationId,
    };

    const [delivered] = await collector.waitFor(VERIFYNOW_EVENTS.otpDelivered, ofIt);
    const [sent] = collector.named(VERIFYNOW_EVENTS.otpSent, from, ofIt.match);
    expect(delivered).toEqual({
      name: 'verifynow.otp.delivered',
      ...factsOf(phone, {
        verificationId,
        provider: 'verihubs',
        purpose: null,
        stepUp: false,
        sentAt: near(sent.at),
        latencyMs: null,
      }),
      status: 1,
      deliveryLatencyMs: expect.any(Number),
    });
    expect(delivered.deliveryLatencyMs).toBeGreaterThanOrEqual(0);
    expect(delivered.at).toBeGreaterThanOrEqual(sent.at);

    // The sandbox's callbacks came through the relay: replay "delivered", then report "undelivered" (7).
    const token = callbackToken(relay, verificationId);
    const hook = (status: number) =>
      fetch(`${app.url}${HOOK}/${token}?session_id=${verificationId}&status=${status}`);
    expect((await hook(1)).status).toBe(200);
    expect((await hook(7)).status).toBe(200);
    const [undelivered] = await collector.waitFor(VERIFYNOW_EVENTS.otpUndelivered, ofIt);
    await settle();

    expect(undelivered).toEqual({
      ...delivered,
      name: 'verifynow.otp.undelivered',
      status: 7,
      at: expect.any(Number),
      deliveryLatencyMs: expect.any(Number),
    });
    expect(collector.named(VERIFYNOW_EVENTS.otpDelivered, from, ofIt.match)).toHaveLength(1);
    expect(collector.named(VERIFYNOW_EVENTS.otpUndelivered, from, ofIt.match)).toHaveLength(1);
  });

  it('wrong_code, then verified, then validation_refused for a used code: each once, with the ledger’s facts', async () => {
    const phone = newPhone();
    const from = collector.mark();
    const answer = await http.send(phone);
    const verificationId = answer.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    const [sent] = await collector.waitFor(VERIFYNOW_EVENTS.otpSent, { from });
    const ledgerFacts = factsOf(phone, {
      verificationId,
      provider: 'verifynow',
      purpose: null,
      stepUp: false,
      sentAt: near(sent.at),
    });

    const wrong = await http.verify(verificationId, wrongCode(code));
    expect(wrong.body.error).toBe('WRONG_OTP_PROVIDED');
    const right = await http.verify(verificationId, code);
    expect([right.status, right.body.status]).toEqual([200, 'VERIFICATION_COMPLETED']);
    const reused = await http.verify(verificationId, code);
    expect(reused.status).toBeGreaterThanOrEqual(400);
    const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.otpValidationRefused, { from });
    await settle();

    expect(namesFor(collector, from, phone)).toEqual([
      'verifynow.otp.sent',
      'verifynow.otp.wrong_code',
      'verifynow.otp.verified',
      'verifynow.otp.validation_refused',
    ]);
    expect(collector.named(VERIFYNOW_EVENTS.otpWrongCode, from)).toEqual([
      { name: 'verifynow.otp.wrong_code', ...ledgerFacts, failedAttempts: 1, attemptsLeft: 2 },
    ]);
    expect(collector.named(VERIFYNOW_EVENTS.otpVerified, from)).toEqual([
      { name: 'verifynow.otp.verified', ...ledgerFacts },
    ]);
    expect(refused).toEqual({
      name: 'verifynow.otp.validation_refused',
      ...ledgerFacts,
      error: 'OTP_ALREADY_USED',
    });
  });

  it('sentAt is one instant per verification: the otp.sent event’s is the one later events carry', async () => {
    // Each reading of the module's clock is a millisecond after the one before, as
    // when a send's ledger write takes a while (Redis): the send time must not drift.
    clock.stepMs = 1;
    const phone = newPhone();
    const from = collector.mark();
    const answer = await http.send(phone);
    const verificationId = answer.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    expect((await http.verify(verificationId, wrongCode(code))).body.error).toBe(
      'WRONG_OTP_PROVIDED',
    );
    const [sent] = await collector.waitFor(VERIFYNOW_EVENTS.otpSent, { from });
    const [wrong] = await collector.waitFor(VERIFYNOW_EVENTS.otpWrongCode, { from });

    expect(sent.sentAt).toEqual(expect.any(Number));
    expect(wrong.sentAt).toBe(sent.sentAt);
  });

  it('locked after guard.maxFailedAttempts wrong codes: wrong_code down to attemptsLeft 0, then locked once', async () => {
    const phone = newPhone();
    const from = collector.mark();
    const answer = await http.send(phone);
    const verificationId = answer.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);

    for (let i = 0; i < 3; i += 1) {
      expect((await http.verify(verificationId, wrongCode(code))).status).toBeGreaterThanOrEqual(
        400,
      );
    }
    const [locked] = await collector.waitFor(VERIFYNOW_EVENTS.otpLocked, { from });
    // Locked: even the right code is refused now, without a second `locked`.
    const after = await http.verify(verificationId, code);
    expect(after.body.error).toBe('OTP_TOO_MANY_ATTEMPTS');
    await collector.waitFor(VERIFYNOW_EVENTS.otpValidationRefused, { from });
    await settle();

    expect(namesFor(collector, from, phone)).toEqual([
      'verifynow.otp.sent',
      'verifynow.otp.wrong_code',
      'verifynow.otp.wrong_code',
      'verifynow.otp.wrong_code',
      'verifynow.otp.locked',
      'verifynow.otp.validation_refused',
    ]);
    expect(
      collector
        .named(VERIFYNOW_EVENTS.otpWrongCode, from)
        .map(({ failedAttempts, attemptsLeft }) => [failedAttempts, attemptsLeft]),
    ).toEqual([
      [1, 2],
      [2, 1],
      [3, 0],
    ]);
    expect(locked).toEqual({
      name: 'verifynow.otp.locked',
      ...factsOf(phone, {
        verificationId,
        provider: 'verifynow',
        purpose: null,
        stepUp: false,
        sentAt: expect.any(Number),
      }),
      failedAttempts: 3,
    });
    expect(collector.named(VERIFYNOW_EVENTS.otpValidationRefused, from)[0].error).toBe(
      'OTP_TOO_MANY_ATTEMPTS',
    );
  });

  it('locked once when the upstream locks the verification (800), however often it is tried again', async () => {
    const phone = used(MAGIC.upstreamLocks);
    const from = collector.mark();
    const answer = await http.send(phone);
    const verificationId = answer.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);

    const first = await http.verify(verificationId, code);
    expect(first.body.error).toBe('MAXIMUM_LIMIT_REACHED');
    await collector.waitFor(VERIFYNOW_EVENTS.otpLocked, { from });
    const second = await http.verify(verificationId, code);
    expect(second.status).toBeGreaterThanOrEqual(400);
    await collector.waitFor(VERIFYNOW_EVENTS.otpValidationRefused, { from, count: 2 });
    await settle();

    // One verification, locked once: `otp.locked` (and the verifynow.otp.locks metric) counts verifications.
    expect(collector.named(VERIFYNOW_EVENTS.otpLocked, from)).toEqual([
      {
        name: 'verifynow.otp.locked',
        ...factsOf(phone, {
          verificationId,
          provider: 'verifynow',
          purpose: null,
          stepUp: false,
          sentAt: expect.any(Number),
        }),
        failedAttempts: expect.any(Number),
      },
    ]);
  });

  it('expired once when the upstream says the code expired (705)', async () => {
    const phone = used(MAGIC.expires);
    const from = collector.mark();
    const answer = await http.send(phone);
    const verificationId = answer.body.verificationId as string;

    const late = await http.verify(verificationId, codeFor(sandbox, phone, verificationId));
    expect(late.status).toBeGreaterThanOrEqual(400);
    const [expired] = await collector.waitFor(VERIFYNOW_EVENTS.otpExpired, { from });
    await settle();

    expect(namesFor(collector, from, phone)).toEqual([
      'verifynow.otp.sent',
      'verifynow.otp.expired',
    ]);
    expect(expired).toEqual({
      name: 'verifynow.otp.expired',
      ...factsOf(phone, {
        verificationId,
        provider: 'verifynow',
        purpose: null,
        stepUp: false,
        sentAt: expect.any(Number),
      }),
    });
  });

  it('validation_refused and step_up.refused UPSTREAM_UNAVAILABLE, once each, when the upstream is down on validate', async () => {
    const phone = used(MAGIC.validationsDown);
    const challenged = await http.guarded('/account/transfer', phone);
    expect(challenged.body.error).toBe('OTP_REQUIRED');
    const verificationId = challenged.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    const from = collector.mark();

    const answer = await http.guarded('/account/transfer', phone, { verificationId, code });
    expect([answer.status, answer.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
    const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
    await settle();

    expect(namesFor(collector, from, phone)).toEqual([
      'verifynow.otp.validation_refused',
      'verifynow.step_up.refused',
    ]);
    const facts = transferFacts(phone, verificationId);
    expect(collector.named(VERIFYNOW_EVENTS.otpValidationRefused, from)).toEqual([
      { name: 'verifynow.otp.validation_refused', ...facts, error: 'UPSTREAM_UNAVAILABLE' },
    ]);
    expect(refused).toEqual({
      name: 'verifynow.step_up.refused',
      ...facts,
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('validation_refused once for an id the ledger does not have', async () => {
    const from = collector.mark();
    const answer = await http.verify('31337', '12345678');
    expect(answer.body.error).toBe('OTP_UNKNOWN');
    const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.otpValidationRefused, { from });
    await settle();

    expect(collector.since(from).map(({ name }) => name)).toEqual([
      'verifynow.otp.validation_refused',
    ]);
    expect(refused).toEqual({
      name: 'verifynow.otp.validation_refused',
      at: expect.any(Number),
      verificationId: '31337',
      phone: null,
      provider: null,
      channel: null,
      purpose: null,
      stepUp: false,
      sentAt: null,
      latencyMs: expect.any(Number),
      error: 'OTP_UNKNOWN',
    });
  });

  describe('step-up with @RequireOtp()', () => {
    /** Calls a guarded route without proof and returns the proof the user would type. */
    async function challenge(path: string, phone: string): Promise<Proof> {
      const answer = await http.guarded(path, phone);
      expect([answer.status, answer.body.error]).toEqual([401, 'OTP_REQUIRED']);
      const verificationId = answer.body.verificationId as string;
      return { verificationId, code: codeFor(sandbox, phone, verificationId) };
    }

    it('challenged: otp.sent and step_up.challenged once each, no refusal; pending the second time', async () => {
      const phone = newPhone();
      const from = collector.mark();

      const { verificationId } = await challenge('/account/transfer', phone);
      const [challenged] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpChallenged, { from });
      const [sent] = collector.named(VERIFYNOW_EVENTS.otpSent, from);
      const again = await http.guarded('/account/transfer', phone);
      expect(again.body.verificationId).toBe(verificationId);
      await collector.waitFor(VERIFYNOW_EVENTS.stepUpChallenged, { from, count: 2 });
      await settle();

      expect(namesFor(collector, from, phone)).toEqual([
        'verifynow.otp.sent',
        'verifynow.step_up.challenged',
        'verifynow.otp.sent',
        'verifynow.step_up.challenged',
      ]);
      expect(collector.named(VERIFYNOW_EVENTS.stepUpRefused, from)).toEqual([]);
      const facts = transferFacts(phone, verificationId, sent.at);
      expect(sent).toEqual({
        name: 'verifynow.otp.sent',
        ...facts,
        pending: false,
        expiresInSeconds: 60,
      });
      expect(challenged).toEqual({
        name: 'verifynow.step_up.challenged',
        ...facts,
        pending: false,
      });
      expect(collector.named(VERIFYNOW_EVENTS.stepUpChallenged, from)[1]).toEqual({
        name: 'verifynow.step_up.challenged',
        ...facts,
        sentAt: sent.sentAt,
        at: expect.any(Number),
        pending: true,
      });
    });

    it('passed: otp.verified and step_up.passed once each', async () => {
      const phone = newPhone();
      const proof = await challenge('/account/transfer', phone);
      const from = collector.mark();

      const answer = await http.guarded('/account/transfer', phone, proof);
      expect([answer.status, answer.body]).toEqual([200, { status: 'transferred' }]);
      const [passed] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpPassed, { from });
      await settle();

      expect(namesFor(collector, from, phone)).toEqual([
        'verifynow.otp.verified',
        'verifynow.step_up.passed',
      ]);
      expect(passed).toEqual({
        name: 'verifynow.step_up.passed',
        ...transferFacts(phone, proof.verificationId),
      });
      expectRecent(passed.sentAt);
    });

    it('refused OTP_INVALID once for a wrong code (not by both the guard and the service), with its wrong_code', async () => {
      const phone = newPhone();
      const proof = await challenge('/account/transfer', phone);
      const from = collector.mark();

      const answer = await http.guarded('/account/transfer', phone, {
        ...proof,
        code: wrongCode(proof.code),
      });
      expect([answer.status, answer.body.error]).toEqual([401, 'OTP_INVALID']);
      const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
      await settle();

      expect(namesFor(collector, from, phone)).toEqual([
        'verifynow.otp.wrong_code',
        'verifynow.step_up.refused',
      ]);
      expect(refused).toEqual({
        name: 'verifynow.step_up.refused',
        ...transferFacts(phone, proof.verificationId),
        code: 'OTP_INVALID',
      });
      expect(collector.named(VERIFYNOW_EVENTS.otpWrongCode, from)[0]).toMatchObject({
        stepUp: true,
        purpose: 'transfer',
        failedAttempts: 1,
        attemptsLeft: 2,
      });
    });

    it('refused OTP_REQUIRED once when autoSend is off, and nothing sent', async () => {
      const phone = newPhone();
      const from = collector.mark();
      const upstreamSends = sandbox.stats().send;

      const answer = await http.guarded('/account/password', phone);
      expect([answer.status, answer.body.error, answer.body.verificationId]).toEqual([
        401,
        'OTP_REQUIRED',
        undefined,
      ]);
      const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
      await settle();

      expect(sandbox.stats().send).toBe(upstreamSends);
      expect(collector.since(from).map(({ name }) => name)).toEqual(['verifynow.step_up.refused']);
      expect(refused).toEqual({
        name: 'verifynow.step_up.refused',
        at: expect.any(Number),
        verificationId: null,
        phone: null,
        provider: null,
        channel: null,
        purpose: 'password-change',
        stepUp: true,
        sentAt: null,
        latencyMs: null,
        code: 'OTP_REQUIRED',
      });
    });

    it('refused OTP_SUBJECT_MISMATCH once for another user’s proof', async () => {
      const owner = newPhone();
      const intruder = newPhone();
      const proof = await challenge('/account/transfer', owner);
      const from = collector.mark();

      const answer = await http.guarded('/account/transfer', intruder, proof);
      expect([answer.status, answer.body.error]).toEqual([403, 'OTP_SUBJECT_MISMATCH']);
      const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
      await settle();

      // The events name the verification's own (masked) number, never the intruder's.
      expect(collector.since(from).map(({ name }) => name)).toEqual([
        'verifynow.otp.validation_refused',
        'verifynow.step_up.refused',
      ]);
      expect(refused).toMatchObject({
        ...factsOf(owner, {
          verificationId: proof.verificationId,
          purpose: 'transfer',
          stepUp: true,
        }),
        code: 'OTP_SUBJECT_MISMATCH',
      });
      expect(collector.named(VERIFYNOW_EVENTS.otpValidationRefused, from)[0]).toMatchObject({
        verificationId: proof.verificationId,
        error: 'OTP_SUBJECT_MISMATCH',
      });
    });

    it('a route guarded twice challenges once and refuses once', async () => {
      const phone = newPhone();
      const from = collector.mark();
      const proof = await challenge('/account/close', phone);
      await collector.waitFor(VERIFYNOW_EVENTS.stepUpChallenged, { from });

      const answer = await http.guarded('/account/close', phone, {
        ...proof,
        code: wrongCode(proof.code),
      });
      expect([answer.status, answer.body.error]).toEqual([401, 'OTP_INVALID']);
      await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
      await settle();

      expect(namesFor(collector, from, phone)).toEqual([
        'verifynow.otp.sent',
        'verifynow.step_up.challenged',
        'verifynow.otp.wrong_code',
        'verifynow.step_up.refused',
      ]);
      expect(collector.named(VERIFYNOW_EVENTS.stepUpRefused, from)).toEqual([
        expect.objectContaining({ code: 'OTP_INVALID', purpose: 'close-account', stepUp: true }),
      ]);
    });

    it('refused OTP_UNKNOWN once for a verification the ledger does not have, naming the action', async () => {
      const phone = newPhone();
      const from = collector.mark();

      const answer = await http.guarded('/account/transfer', phone, {
        verificationId: '424242',
        code: '12345678',
      });
      expect([answer.status, answer.body.error]).toEqual([401, 'OTP_UNKNOWN']);
      const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
      await settle();

      expect(collector.since(from).map(({ name }) => name)).toEqual([
        'verifynow.otp.validation_refused',
        'verifynow.step_up.refused',
      ]);
      expect(collector.named(VERIFYNOW_EVENTS.otpValidationRefused, from)[0]).toMatchObject({
        verificationId: '424242',
        error: 'OTP_UNKNOWN',
      });
      // The guard's own refusals (OTP_REQUIRED) name the action; so must the step-up
      // service's when the ledger has no record to name it (StepUpDecision.purpose).
      expect(refused).toEqual({
        name: 'verifynow.step_up.refused',
        at: expect.any(Number),
        verificationId: '424242',
        phone: null,
        provider: null,
        channel: null,
        purpose: 'transfer',
        stepUp: true,
        sentAt: null,
        latencyMs: expect.any(Number),
        code: 'OTP_UNKNOWN',
      });
    });

    it('refused once with the send’s refusal when the challenge cannot be sent (country, pending for another action)', async () => {
      const foreign = used('+4915123450001');
      const phone = newPhone();
      await challenge('/account/transfer', phone);
      const from = collector.mark();

      const abroad = await http.guarded('/account/transfer', foreign);
      expect(abroad.body.error).toBe('OTP_COUNTRY_NOT_ALLOWED');
      const busy = await http.guarded('/account/close', phone);
      expect(busy.body.error).toBe('OTP_CHALLENGE_PENDING');
      await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from, count: 2 });
      await settle();

      expect(namesFor(collector, from, foreign)).toEqual([
        'verifynow.otp.send_refused',
        'verifynow.step_up.refused',
      ]);
      expect(namesFor(collector, from, phone)).toEqual([
        'verifynow.otp.send_refused',
        'verifynow.step_up.refused',
      ]);
      expect(
        collector
          .named(VERIFYNOW_EVENTS.otpSendRefused, from)
          .map(({ reason, error, stepUp, purpose }) => [reason, error, stepUp, purpose]),
      ).toEqual([
        ['country', 'OTP_COUNTRY_NOT_ALLOWED', true, 'transfer'],
        ['pendingCode', 'OTP_CHALLENGE_PENDING', true, 'close-account'],
      ]);
      expect(
        collector
          .named(VERIFYNOW_EVENTS.stepUpRefused, from)
          .map(({ code, phone: shown }) => [code, shown]),
      ).toEqual([
        ['OTP_COUNTRY_NOT_ALLOWED', masked(foreign)],
        ['OTP_CHALLENGE_PENDING', masked(phone)],
      ]);
    });

    it('expired (older than maxAgeSeconds): otp.expired and step_up.refused OTP_EXPIRED, once each', async () => {
      const phone = newPhone();
      const proof = await challenge('/account/wire', phone);
      const from = collector.mark();
      clock.offsetMs = 61_000;

      const answer = await http.guarded('/account/wire', phone, proof);
      expect(answer.body.error).toBe('OTP_EXPIRED');
      const [refused] = await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
      await settle();

      expect(namesFor(collector, from, phone)).toEqual([
        'verifynow.otp.expired',
        'verifynow.step_up.refused',
      ]);
      const facts = factsOf(phone, {
        verificationId: proof.verificationId,
        provider: 'verifynow',
        purpose: 'wire',
        stepUp: true,
        sentAt: expect.any(Number),
      });
      expect(collector.named(VERIFYNOW_EVENTS.otpExpired, from)).toEqual([
        { name: 'verifynow.otp.expired', ...facts },
      ]);
      expect(refused).toEqual({ name: 'verifynow.step_up.refused', ...facts, code: 'OTP_EXPIRED' });
      expect(refused.at - (refused.sentAt ?? 0)).toBeGreaterThan(60_000);
    });
  });

  it('a throwing, a rejecting and a never-settling listener change nothing: results come promptly, the others get every event', async () => {
    const phone = newPhone();
    const from = collector.mark();
    const timed = async <T>(work: Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work;
      expect(performance.now() - started).toBeLessThan(1_500);
      return result;
    };

    const sent = await timed(http.send(phone));
    expect([sent.status, sent.body.alreadyPending]).toEqual([200, false]);
    const verificationId = sent.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    const wrong = await timed(http.verify(verificationId, wrongCode(code)));
    expect(wrong.body.error).toBe('WRONG_OTP_PROVIDED');
    const right = await timed(http.verify(verificationId, code));
    expect(right.body.status).toBe('VERIFICATION_COMPLETED');
    const guarded = await timed(http.guarded('/account/password', phone));
    expect(guarded.body.error).toBe('OTP_REQUIRED');
    await collector.waitFor(VERIFYNOW_EVENTS.stepUpRefused, { from });
    await settle();

    expect(collector.since(from).map(({ name }) => name)).toEqual([
      'verifynow.otp.sent',
      'verifynow.otp.wrong_code',
      'verifynow.otp.verified',
      'verifynow.step_up.refused',
    ]);
    // Every listener was handed every event, the unruly ones included.
    expect(collector.events.length).toBeGreaterThanOrEqual(4);
    expect(unruly.thrown).toBe(collector.events.length);
    expect(unruly.slowCalls).toBe(collector.events.length);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(unruly.rejected).toBe(collector.events.length);
    // Each failure is logged by its class, never with its message (it may quote the payload).
    const warnings = logger.lines.filter((line) => line.includes('A listener of'));
    expect(warnings.some((line) => line.includes('(Error)'))).toBe(true);
    expect(warnings.some((line) => line.includes('(RangeError)'))).toBe(true);
    expect(logger.text()).not.toContain('boom');
  });

  it('needs no EventEmitterModule: this application has none, and subscribe() gets its events', async () => {
    expect(() => app.app.get(EventEmitter2, { strict: false })).toThrow();
    const from = collector.mark();
    expect((await http.verify('31338', '12345678')).body.error).toBe('OTP_UNKNOWN');
    await collector.waitFor(VERIFYNOW_EVENTS.otpValidationRefused, {
      from,
      match: (event) => event.verificationId === '31338',
    });
  });
});

// ---------------------------------------------------------------------------

@Injectable()
class AuditListener {
  readonly verified: VerifyNowEvent[] = [];
  readonly all: VerifyNowEvent[] = [];

  @OnEvent('verifynow.otp.verified')
  onVerified(event: VerifyNowEvent): void {
    this.verified.push(event);
  }

  @OnEvent('verifynow.**')
  onAny(event: VerifyNowEvent): void {
    this.all.push(event);
  }
}

/** Handlers that fail: one throws (Nest logs it), one rejects with errors not suppressed. */
@Injectable()
class FaultyAudit {
  @OnEvent('verifynow.**')
  throwing(): void {
    throw new Error('audit down');
  }

  @OnEvent('verifynow.**', { suppressErrors: false })
  async rejecting(): Promise<void> {
    await Promise.resolve();
    throw new TypeError('audit rejected');
  }
}

describe('VerifyNowEvents through @nestjs/event-emitter (embedded sandbox, Fastify)', () => {
  let app: FixtureApp;
  let audit: AuditListener;
  let sandbox: VerifyNowSandbox;
  const collector = new EventCollector(everything);
  /** What a listener of one name, through `VerifyNowEvents.on()`, got. */
  const verifiedOnly: VerifyNowEvent[] = [];

  beforeAll(async () => {
    app = await boot(
      {
        imports: [
          EventEmitterModule.forRoot({ wildcard: true }),
          AuthModule,
          VerifyNowModule.forRoot({
            sandbox: true,
            otpLength: 8,
            guard: { resolvePhoneNumber: signedInPhone },
          }),
        ],
        controllers: [OtpController, GuardedAccountController],
        providers: [...OTP_HTTP_PROVIDERS, AuditListener, FaultyAudit],
      },
      { platform: 'fastify', logger },
    );
    audit = app.app.get(AuditListener);
    sandbox = app.app.get(VerifyNowSandbox);
    const events = app.app.get(VerifyNowEvents);
    events.subscribe(collector.listener);
    events.on(VERIFYNOW_EVENTS.otpVerified, (event) => void verifiedOnly.push(event));
  });
  afterAll(async () => {
    secrets.tokens.add(await app.app.get(VerifyNowTokenProvider).getToken());
    await app.close();
  });

  it('@OnEvent() handlers get each event once, by name and by wildcard, as subscribe() does; failing handlers break nothing', async () => {
    const http = otpClient(app);
    const phone = newPhone();
    const logged = logger.lines.length;
    const sent = await http.send(phone);
    const verificationId = sent.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    expect((await http.verify(verificationId, code)).body.status).toBe('VERIFICATION_COMPLETED');
    const proof = await (async () => {
      const answer = await http.guarded('/account/transfer', phone);
      const id = answer.body.verificationId as string;
      return { verificationId: id, code: codeFor(sandbox, phone, id) };
    })();
    expect((await http.guarded('/account/transfer', phone, proof)).status).toBe(200);
    await collector.waitFor(VERIFYNOW_EVENTS.stepUpPassed);
    await settle();

    const names = [
      'verifynow.otp.sent',
      'verifynow.otp.verified',
      'verifynow.otp.sent',
      'verifynow.step_up.challenged',
      'verifynow.otp.verified',
      'verifynow.step_up.passed',
    ];
    expect(collector.events.map(({ name }) => name)).toEqual(names);
    expect(audit.all.map(({ name }) => name)).toEqual(names);
    expect(audit.all).toEqual(collector.events);
    expect(audit.verified).toEqual(
      collector.events.filter(({ name }) => name === 'verifynow.otp.verified'),
    );
    expect(audit.verified).toHaveLength(2);
    expect(verifiedOnly).toEqual(audit.verified);
    // The rejecting handler's errors reached the module (not suppressed), which logged each by class.
    const failures = logger.lines
      .slice(logged)
      .filter((line) => line.includes('A listener of') && line.includes('(TypeError)'));
    expect(failures).toHaveLength(names.length);
    expect(logger.lines.slice(logged).join('\n')).not.toContain('audit rejected');
    expect(audit.verified[0]).toMatchObject(
      factsOf(phone, { verificationId, provider: 'verifynow', stepUp: false }),
    );
    expect(audit.verified[1]).toMatchObject({ stepUp: true, purpose: 'transfer' });
  });
});

// ---------------------------------------------------------------------------

describe('VerifyNowEvents with the Redis ledger (embedded sandbox)', () => {
  let app: FixtureApp;
  let sandbox: VerifyNowSandbox;
  let http: OtpClient;
  const collector = new EventCollector(everything);

  beforeAll(async () => {
    app = await boot(
      {
        imports: [
          AuthModule,
          VerifyNowModule.forRoot({
            sandbox: true,
            otpLength: 8,
            store: { redis: { url: redisUrl(), keyPrefix: uniquePrefix() } },
            guard: { resolvePhoneNumber: signedInPhone },
          }),
        ],
        controllers: [OtpController, GuardedAccountController],
        providers: OTP_HTTP_PROVIDERS,
      },
      { platform: 'express', logger },
    );
    sandbox = app.app.get(VerifyNowSandbox);
    http = otpClient(app);
    app.app.get(VerifyNowEvents).subscribe(collector.listener);
  });
  afterAll(async () => {
    secrets.tokens.add(await app.app.get(VerifyNowTokenProvider).getToken());
    await app.close();
  });

  it('sent → wrong_code → verified: channel, masked phone, provider and send time come back from Redis', async () => {
    const phone = newPhone();
    const sent = await http.send(phone);
    const verificationId = sent.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    expect((await http.verify(verificationId, wrongCode(code))).body.error).toBe(
      'WRONG_OTP_PROVIDED',
    );
    expect((await http.verify(verificationId, code)).body.status).toBe('VERIFICATION_COMPLETED');
    await collector.waitFor(VERIFYNOW_EVENTS.otpVerified);
    await settle();

    expect(collector.events.map(({ name }) => name)).toEqual([
      'verifynow.otp.sent',
      'verifynow.otp.wrong_code',
      'verifynow.otp.verified',
    ]);
    const [first] = collector.events;
    const facts = factsOf(phone, {
      verificationId,
      provider: 'verifynow',
      purpose: null,
      stepUp: false,
      sentAt: near(first.at),
    });
    expect(collector.events).toEqual([
      { name: 'verifynow.otp.sent', ...facts, pending: false, expiresInSeconds: 60 },
      { name: 'verifynow.otp.wrong_code', ...facts, failedAttempts: 1, attemptsLeft: 4 },
      { name: 'verifynow.otp.verified', ...facts },
    ]);
  });

  it('step-up: challenged, refused OTP_INVALID, passed, each once, with purpose and stepUp from Redis', async () => {
    const phone = newPhone();
    const from = collector.mark();
    const challenge = await http.guarded('/account/transfer', phone);
    const verificationId = challenge.body.verificationId as string;
    const code = codeFor(sandbox, phone, verificationId);
    expect(
      (await http.guarded('/account/transfer', phone, { verificationId, code: wrongCode(code) }))
        .body.error,
    ).toBe('OTP_INVALID');
    expect((await http.guarded('/account/transfer', phone, { verificationId, code })).status).toBe(
      200,
    );
    await collector.waitFor(VERIFYNOW_EVENTS.stepUpPassed, { from });
    await settle();

    expect(collector.since(from).map(({ name }) => name)).toEqual([
      'verifynow.otp.sent',
      'verifynow.step_up.challenged',
      'verifynow.otp.wrong_code',
      'verifynow.step_up.refused',
      'verifynow.otp.verified',
      'verifynow.step_up.passed',
    ]);
    for (const event of collector.since(from)) {
      expect(event).toMatchObject(
        factsOf(phone, {
          verificationId,
          provider: 'verifynow',
          purpose: 'transfer',
          stepUp: true,
        }),
      );
    }
  });
});

// ---------------------------------------------------------------------------

describe('what the events of this file carried', () => {
  it('covers every event name', () => {
    expect(new Set(everything.map(({ name }) => name))).toEqual(
      new Set(Object.values(VERIFYNOW_EVENTS)),
    );
  });

  it('is frozen', () => {
    expect(everything.length).toBeGreaterThan(0);
    expect(everything.every((event) => Object.isFrozen(event))).toBe(true);
  });

  it('never a code, a full phone number, a credential, a key or a token', () => {
    expect(everything.length).toBeGreaterThan(50);
    expect(secrets.codes.size).toBeGreaterThan(10);
    expect(secrets.phones.size).toBeGreaterThan(10);
    expect(secrets.tokens.size).toBeGreaterThanOrEqual(4);
    const forbidden = [
      CUSTOMER_ID,
      PASSWORD,
      KEY,
      APP_ID,
      API_KEY,
      SANDBOX_DEFAULT_CREDENTIALS.customerId,
      Buffer.from(SANDBOX_DEFAULT_CREDENTIALS.password).toString('base64'),
      VERIHUBS_SANDBOX_CREDENTIALS.appId,
      VERIHUBS_SANDBOX_CREDENTIALS.apiKey,
      ...secrets.tokens,
      // A JWT's header, whatever token it is.
      'eyJ',
    ];
    for (const event of everything) {
      const text = JSON.stringify(event);
      for (const secret of forbidden) {
        expect(text).not.toContain(secret);
      }
      for (const phone of secrets.phones) {
        const digits = phone.replace(/\D/g, '');
        expect(text).not.toContain(digits);
        expect(text).not.toContain(digits.slice(-9));
      }
      for (const code of secrets.codes) {
        // Codes are digits: a match must not be part of a longer number (a timestamp).
        expect(text).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
      }
      if (event.phone !== null) {
        expect(event.phone).toMatch(MASKED_PHONE);
      }
    }
  });
});
