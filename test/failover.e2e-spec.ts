import { Server, Socket, createServer } from 'node:net';
import {
  TooManyOtpRequestsException,
  VerifyNowCircuitOpenException,
  VerifyNowException,
  VerifyNowModuleOptions,
  VerifyNowSandbox,
  VerifyNowUnavailableException,
  maskPhoneNumber,
} from '../lib';
import { CapturingLogger } from './helpers/capturing-logger';
import {
  FakeUpstream,
  SEND_PATH,
  TOKEN_PATH,
  fakeJwt,
  json,
  sendSuccess,
} from './helpers/fake-upstream';
import { freePort } from './helpers/free-port';
import { stepUpHeaders } from './helpers/http';
import { Booted, bootProviderApp } from './helpers/provider-app';

// One logger for the whole file: Nest's static Logger writes to the application created last.
const logger = new CapturingLogger();

const CUSTOMER_ID = 'C-FAILOVER';
const PASSWORD = 'failover-password';
const APP_ID = 'failover-app';
const API_KEY = 'failover-api-key-0001';
/** A pre-issued VerifyNow token, for upstreams of the tests' own (no token call). */
const AUTH_TOKEN = fakeJwt({ sub: CUSTOMER_ID, exp: Math.floor(Date.now() / 1000) + 3600 });

const boot = (options: VerifyNowModuleOptions, standalone?: VerifyNowSandbox): Promise<Booted> =>
  bootProviderApp(options, logger, standalone);

/** Verihubs on a standalone sandbox, beside a VerifyNow of the test's choosing. */
function live(verifyNowUrl: string, sandbox: VerifyNowSandbox, extra: VerifyNowModuleOptions = {}) {
  return {
    baseUrl: verifyNowUrl,
    providers: ['verifynow', 'verihubs'],
    verihubs: { appId: APP_ID, apiKey: API_KEY, baseUrl: sandbox.url },
    tokenRetry: { retries: 0 },
    ...extra,
  } satisfies VerifyNowModuleOptions;
}

let nextPhone = 0;
function newPhone(): string {
  nextPhone += 1;
  return `+6281235${String(process.pid % 100).padStart(2, '0')}${String(nextPhone).padStart(3, '0')}7`;
}

async function failure(work: Promise<unknown>): Promise<VerifyNowException> {
  try {
    await work;
  } catch (error) {
    return error as VerifyNowException;
  }
  throw new Error('expected a failure, got a result');
}

/** Failover warnings about this number logged since `mark` (other tests' leftovers aside). */
function failovers(mark: number, phone: string): string[] {
  return logger.lines
    .slice(mark)
    .filter((line) => line.includes('verifynow.failover') && line.includes(maskPhoneNumber(phone)));
}

/** A loopback server that accepts connections and never answers. */
async function hangingServer(): Promise<{
  url: string;
  connections: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('data', () => {}); // read, never answer
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------

describe('failover: VerifyNow certainly did not send', () => {
  let sandbox: VerifyNowSandbox;
  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      verihubs: { appId: APP_ID, apiKey: API_KEY },
    });
  });
  afterAll(() => sandbox.close());

  it('VerifyNow refuses connections: the send goes out once, through Verihubs, and the failover is logged masked', async () => {
    const closed = await freePort();
    const booted = await boot(
      {
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        ...live(`http://127.0.0.1:${closed}`, sandbox),
      },
      sandbox,
    );
    try {
      const phone = newPhone();
      const mark = logger.lines.length;
      const sent = await booted.service.sendOtp({ phoneNumber: phone });
      expect(sent.provider).toBe('verihubs');
      expect(sandbox.messages(phone)).toHaveLength(1);
      expect(sandbox.verihubsOutbox(phone)).toHaveLength(1);
      const warnings = failovers(mark, phone);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^warn /);
      expect(warnings[0]).toContain(maskPhoneNumber(phone));
      expect(warnings[0]).toMatch(/from: 'verifynow'[\s\S]*to: 'verihubs'/);
      const digits = phone.replace(/\D/g, '');
      const text = logger.lines.slice(mark).join('\n');
      expect(text).not.toContain(digits);
      expect(text).not.toContain(digits.slice(-10));
      // The code went out through Verihubs; it is verified there.
      const code = sandbox.verihubsOutbox(phone)[0].code;
      await expect(
        booted.service.validateOtp({ verificationId: sent.verificationId, code }),
      ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    } finally {
      await booted.close();
    }
  });

  it('Verihubs first: its refused API key (401) or a refused connection fail over to VerifyNow', async () => {
    const closed = await freePort();
    for (const verihubs of [
      { appId: APP_ID, apiKey: `${API_KEY}-wrong`, baseUrl: sandbox.url },
      { appId: APP_ID, apiKey: API_KEY, baseUrl: `http://127.0.0.1:${closed}` },
    ]) {
      const booted = await boot(
        {
          customerId: CUSTOMER_ID,
          password: PASSWORD,
          ...live(sandbox.url, sandbox, { providers: ['verihubs', 'verifynow'], verihubs }),
        },
        sandbox,
      );
      try {
        const phone = newPhone();
        const mark = logger.lines.length;
        const sent = await booted.service.sendOtp({ phoneNumber: phone });
        expect([verihubs.baseUrl, sent.provider]).toEqual([verihubs.baseUrl, 'verifynow']);
        expect(sandbox.messages(phone)).toHaveLength(1);
        expect(sandbox.outbox(phone)).toHaveLength(1);
        expect(failovers(mark, phone)).toHaveLength(1);
      } finally {
        await booted.close();
      }
    }
  });

  it('a step-up challenge fails over too, and its proof passes once', async () => {
    const closed = await freePort();
    const booted = await boot(
      {
        customerId: CUSTOMER_ID,
        password: PASSWORD,
        ...live(`http://127.0.0.1:${closed}`, sandbox),
      },
      sandbox,
    );
    try {
      const phone = newPhone();
      const challenged = await booted.post(
        '/account/transfer',
        {},
        stepUpHeaders(phone, undefined),
      );
      expect([challenged.status, challenged.body.error]).toEqual([401, 'OTP_REQUIRED']);
      const verificationId = challenged.body.verificationId as string;
      const [message] = sandbox.verihubsOutbox(phone);
      expect(message.sessionId).toBe(verificationId);
      const proof = stepUpHeaders(phone, { verificationId, code: message.code });
      const passed = await booted.post('/account/transfer', {}, proof);
      expect([passed.status, passed.body.status]).toEqual([200, 'transferred']);
      const replay = await booted.post('/account/transfer', {}, proof);
      expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
    } finally {
      await booted.close();
    }
  });
});

describe('failover in sandbox mode: VerifyNow first, then Verihubs', () => {
  let booted: Booted;
  beforeAll(async () => {
    booted = await boot({ sandbox: true, providers: ['verifynow', 'verihubs'] });
  });
  afterAll(() => booted.close());

  it('VerifyNow answers 429: fails over, one message; validateOtp then goes to Verihubs', async () => {
    const phone = '+6282123069429';
    const before = booted.sandbox.stats();
    const mark = logger.lines.length;
    const sent = await booted.service.sendOtp({ phoneNumber: phone });
    expect(sent.provider).toBe('verihubs');
    let after = booted.sandbox.stats();
    expect([after.send - before.send, after.verihubsSend - before.verihubsSend]).toEqual([1, 1]);
    expect(booted.sandbox.messages(phone)).toHaveLength(1);
    expect(booted.sandbox.outbox(phone)).toHaveLength(0);
    expect(failovers(mark, phone)).toHaveLength(1);

    const code = booted.sandbox.verihubsOutbox(phone)[0].code;
    const mid = booted.sandbox.stats();
    await expect(
      booted.service.validateOtp({ verificationId: sent.verificationId, code }),
    ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
    after = booted.sandbox.stats();
    expect([after.validate - mid.validate, after.verihubsVerify - mid.verihubsVerify]).toEqual([
      0, 1,
    ]);
  });

  it('VerifyNow answers an HTML 503 (ambiguous): no failover, the 503 surfaces, Verihubs untouched', async () => {
    const phone = '+6282123069503';
    const before = booted.sandbox.stats();
    const mark = logger.lines.length;
    const thrown = await failure(booted.service.sendOtp({ phoneNumber: phone }));
    expect(thrown).toBeInstanceOf(VerifyNowUnavailableException);
    expect(thrown.getStatus()).toBe(503);
    const after = booted.sandbox.stats();
    expect([after.send - before.send, after.verihubsSend - before.verihubsSend]).toEqual([1, 0]);
    expect(booted.sandbox.messages(phone)).toEqual([]);
    expect(failovers(mark, phone)).toEqual([]);
    const answer = await booted.post('/otp/send', { phoneNumber: phone });
    expect([answer.status, answer.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
    expect(booted.sandbox.stats().verihubsSend).toBe(before.verihubsSend);
  });

  it('with failover.onAmbiguous, the HTML 503 fails over to Verihubs', async () => {
    const opted = await boot({
      sandbox: true,
      providers: ['verifynow', 'verihubs'],
      failover: { onAmbiguous: true },
    });
    try {
      const phone = '+6282123069503';
      const sent = await opted.service.sendOtp({ phoneNumber: phone });
      expect(sent.provider).toBe('verihubs');
      expect(opted.sandbox.verihubsOutbox(phone)).toHaveLength(1);
      expect(opted.sandbox.stats().send).toBe(1);
    } finally {
      await opted.close();
    }
  });
});

describe('failover: a timeout is ambiguous', () => {
  let sandbox: VerifyNowSandbox;
  let hanging: Awaited<ReturnType<typeof hangingServer>>;
  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ verihubs: { appId: APP_ID, apiKey: API_KEY } });
    hanging = await hangingServer();
  });
  afterAll(async () => {
    await sandbox.close();
    await hanging.close();
  });

  it('VerifyNow never answers: 503 after timeoutMs, no failover, Verihubs untouched', async () => {
    const booted = await boot(
      { authToken: AUTH_TOKEN, ...live(hanging.url, sandbox, { timeoutMs: 300 }) },
      sandbox,
    );
    try {
      const phone = newPhone();
      const connections = hanging.connections();
      const mark = logger.lines.length;
      const started = Date.now();
      const thrown = await failure(booted.service.sendOtp({ phoneNumber: phone }));
      expect(thrown).toBeInstanceOf(VerifyNowUnavailableException);
      expect(Date.now() - started).toBeLessThan(300 + 700);
      expect(hanging.connections()).toBeGreaterThan(connections);
      expect(sandbox.stats().verihubsSend).toBe(0);
      expect(sandbox.messages(phone)).toEqual([]);
      expect(failovers(mark, phone)).toEqual([]);
    } finally {
      await booted.close();
    }
  });

  it('with failover.onAmbiguous, a VerifyNow timeout fails over to Verihubs (README: "also fail over after a timeout")', async () => {
    const booted = await boot(
      {
        authToken: AUTH_TOKEN,
        ...live(hanging.url, sandbox, { timeoutMs: 300, failover: { onAmbiguous: true } }),
      },
      sandbox,
    );
    try {
      const phone = newPhone();
      const outcome = await booted.service.sendOtp({ phoneNumber: phone }).then(
        (sent) => sent.provider,
        (error: Error) => `${error.constructor.name}: ${error.message}`,
      );
      expect(outcome).toBe('verihubs');
      expect(sandbox.verihubsOutbox(phone)).toHaveLength(1);
    } finally {
      await booted.close();
    }
  });

  it('once sendOtp() has failed, nothing more happens for that call: no failover logged, nothing sent', async () => {
    const booted = await boot(
      {
        authToken: AUTH_TOKEN,
        ...live(hanging.url, sandbox, { timeoutMs: 300, failover: { onAmbiguous: true } }),
      },
      sandbox,
    );
    try {
      const phone = newPhone();
      await booted.service.sendOtp({ phoneNumber: phone }).catch(() => undefined);
      // Whatever the outcome, the call is over: nothing of it may happen later.
      const settled = { mark: logger.lines.length, messages: sandbox.messages(phone).length };
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sandbox.messages(phone)).toHaveLength(settled.messages);
      expect(failovers(settled.mark, phone)).toEqual([]);
    } finally {
      await booted.close();
    }
  });
});

describe('failover: Verihubs first and down', () => {
  it('0010/0011/0012 (503, reset, 500) are ambiguous: no failover to VerifyNow', async () => {
    const booted = await boot({ sandbox: true, providers: ['verihubs', 'verifynow'] });
    try {
      for (const magic of ['0010', '0011', '0012']) {
        const phone = `+628212306${magic}`;
        const before = booted.sandbox.stats();
        const mark = logger.lines.length;
        const thrown = await failure(booted.service.sendOtp({ phoneNumber: phone }));
        expect([magic, thrown instanceof VerifyNowUnavailableException]).toEqual([magic, true]);
        const after = booted.sandbox.stats();
        expect([magic, after.verihubsSend - before.verihubsSend, after.send - before.send]).toEqual(
          [magic, 1, 0],
        );
        expect([magic, failovers(mark, phone)]).toEqual([magic, []]);
      }
    } finally {
      await booted.close();
    }
  });

  it('fails over on Verihubs refusing outright (401, 403, 429), not on a bad number (400) or a blocked one (409)', async () => {
    const booted = await boot({ sandbox: true, providers: ['verihubs', 'verifynow'] });
    try {
      const cases: [string, boolean][] = [
        ['0002', false],
        ['0003', true],
        ['0004', true],
        ['0005', false],
        ['0006', true],
      ];
      for (const [magic, failsOver] of cases) {
        const phone = `+628212306${magic}`;
        const before = booted.sandbox.stats();
        const mark = logger.lines.length;
        // The embedded sandbox's VerifyNow refuses these numbers too: only the attempt is checked.
        await booted.service.sendOtp({ phoneNumber: phone }).catch(() => undefined);
        const after = booted.sandbox.stats();
        expect([
          magic,
          after.verihubsSend - before.verihubsSend,
          after.send - before.send > 0,
          failovers(mark, phone).length,
        ]).toEqual([magic, 1, failsOver, failsOver ? 1 : 0]);
      }
    } finally {
      await booted.close();
    }
  });

  it('once its breaker is open, the next send fails over to VerifyNow without calling Verihubs', async () => {
    const booted = await boot({
      sandbox: true,
      providers: ['verihubs', 'verifynow'],
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
    });
    try {
      const down = '+6282123060010';
      for (let i = 0; i < 2; i += 1) {
        await expect(booted.service.sendOtp({ phoneNumber: down })).rejects.toBeInstanceOf(
          VerifyNowUnavailableException,
        );
      }
      expect(booted.sandbox.stats()).toMatchObject({ verihubsSend: 2, send: 0 });
      // Verihubs alone now fails fast: the breaker is open.
      const phone = newPhone();
      const mark = logger.lines.length;
      const sent = await booted.service.sendOtp({ phoneNumber: phone });
      expect(sent.provider).toBe('verifynow');
      expect(booted.sandbox.stats()).toMatchObject({ verihubsSend: 2, send: 1 });
      expect(booted.sandbox.messages(phone)).toHaveLength(1);
      const warnings = failovers(mark, phone);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/from: 'verihubs'[\s\S]*to: 'verifynow'/);
      expect(warnings[0]).toContain(maskPhoneNumber(phone));
      const code = booted.sandbox.outbox(phone)[0].code;
      await expect(
        booted.service.validateOtp({ verificationId: sent.verificationId, code }),
      ).resolves.toMatchObject({ status: 'VERIFICATION_COMPLETED' });
      expect(booted.sandbox.stats()).toMatchObject({ validate: 1, verihubsVerify: 0 });
    } finally {
      await booted.close();
    }
  });

  it('with Verihubs alone, its open breaker surfaces as VerifyNowCircuitOpenException', async () => {
    const booted = await boot({
      sandbox: true,
      providers: ['verihubs'],
      circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
    });
    try {
      for (let i = 0; i < 2; i += 1) {
        await booted.service.sendOtp({ phoneNumber: '+6282123060012' }).catch(() => undefined);
      }
      const thrown = await failure(booted.service.sendOtp({ phoneNumber: newPhone() }));
      expect(thrown).toBeInstanceOf(VerifyNowCircuitOpenException);
      expect(booted.sandbox.stats().verihubsSend).toBe(2);
    } finally {
      await booted.close();
    }
  });
});

describe('send limits across a failover', () => {
  let sandbox: VerifyNowSandbox;
  let verifyNow: FakeUpstream;
  let mode: 'ok' | '429' = 'ok';
  let nextId = 5000;

  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ verihubs: { appId: APP_ID, apiKey: API_KEY } });
    verifyNow = await FakeUpstream.start((_request, response, url) => {
      if (url.pathname === TOKEN_PATH) {
        return json(response, 200, { status: 200, token: AUTH_TOKEN });
      }
      if (mode === '429') {
        response.setHeader('Retry-After', '30');
        return json(response, 429, { status: 429, error: 'Too Many Requests' });
      }
      nextId += 1;
      return json(response, 200, sendSuccess(String(nextId)));
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await verifyNow.close();
  });

  it('counts sends per phone whichever provider sent them: the third is refused before any call', async () => {
    const booted = await boot(
      {
        authToken: AUTH_TOKEN,
        ...live(verifyNow.url, sandbox, {
          limits: {
            perPhoneNumber: { limit: 2, ttlSeconds: 60 },
            perClientIp: { limit: 1000, ttlSeconds: 3600 },
          },
        }),
      },
      sandbox,
    );
    try {
      const phone = newPhone();
      mode = '429';
      const first = await booted.service.sendOtp({ phoneNumber: phone });
      mode = 'ok';
      const second = await booted.service.sendOtp({ phoneNumber: phone });
      expect([first.provider, second.provider]).toEqual(['verihubs', 'verifynow']);
      expect(verifyNow.hitsOn(SEND_PATH)).toBe(2);
      expect(sandbox.stats().verihubsSend).toBe(1);

      for (const next of ['429', 'ok'] as const) {
        mode = next;
        const thrown = await failure(booted.service.sendOtp({ phoneNumber: phone }));
        expect([next, thrown instanceof TooManyOtpRequestsException, thrown.getStatus()]).toEqual([
          next,
          true,
          429,
        ]);
      }
      // Refused before any upstream call, on either provider.
      expect(verifyNow.hitsOn(SEND_PATH)).toBe(2);
      expect(sandbox.stats().verihubsSend).toBe(1);
      const answer = await booted.post('/otp/send', { phoneNumber: phone });
      expect([answer.status, answer.body.error]).toEqual([429, 'TOO_MANY_OTP_REQUESTS']);
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      // Another number is not affected.
      await expect(booted.service.sendOtp({ phoneNumber: newPhone() })).resolves.toMatchObject({
        provider: 'verifynow',
      });
    } finally {
      await booted.close();
    }
  });
});
