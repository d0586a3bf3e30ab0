import { Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { VerifyNowModule, VerifyNowModuleOptions, VerifyNowSandbox } from '../lib';
import {
  TELEMETRY_SCOPE,
  VERIFYNOW_ATTRIBUTES as A,
  VERIFYNOW_METRICS as M,
} from '../lib/telemetry/telemetry.names';
import { OTP_HTTP_PROVIDERS } from '../sample/src/app.module';
import { OtpController } from '../sample/src/otp.controller';
import { SANDBOX_NUMBERS } from './helpers/sandbox-numbers';
import { CapturingLogger } from './helpers/capturing-logger';
import { GuardedAccountController, OtpClient, otpClient } from './helpers/guarded-routes';
import { OtelHarness, Reading, expected, installOtel, movement } from './helpers/otel';
import { phoneRegistry } from './helpers/distinct-phones';
import {
  AuthModule,
  FixtureApp,
  Proof,
  boot,
  signedInPhone,
  wrongCode,
} from './helpers/step-up-fixtures';

/*
 * The module's OpenTelemetry metrics and spans, from real sends, validations
 * and `@RequireOtp()` decisions over loopback HTTP against the sandbox, read
 * back from a global MeterProvider (in-memory reader) and tracer provider
 * (in-memory exporter) registered before the application boots.
 */

// One logger for the whole file: Nest's static Logger writes to the application created last.
const logger = new CapturingLogger();

const CUSTOMER_ID = 'C-TELEMETRY-3KP8';
const PASSWORD = 'Telemetry-Pa55word-never-an-attribute';
const KEY = Buffer.from(PASSWORD).toString('base64');
const APP_ID = 'telemetry-app-id-9932';
const API_KEY = 'telemetry-verihubs-api-key-never-an-attribute';

const MAGIC = SANDBOX_NUMBERS;

/** What no attribute may carry. */
const secrets = {
  codes: new Set<string>(),
  phones: new Set<string>(),
  verificationIds: new Set<string>(),
};

const { newPhone, used } = phoneRegistry('98764', secrets.phones);

/** The verification id of a send's answer, and the code the sandbox sent for it. */
function issued(sandbox: VerifyNowSandbox, phone: string, verificationId: unknown): Proof {
  expect(typeof verificationId).toBe('string');
  const id = verificationId as string;
  const message = sandbox
    .messages(phone)
    .find((sent) => (sent.provider === 'verihubs' ? sent.sessionId : sent.verificationId) === id);
  if (message === undefined) throw new Error(`the sandbox sent no code for ${id}`);
  secrets.verificationIds.add(id);
  secrets.codes.add(message.code);
  return { verificationId: id, code: message.code };
}

const VN_SMS = { [A.provider]: 'verifynow', [A.channel]: 'SMS' };
const VH_SMS = { [A.provider]: 'verihubs', [A.channel]: 'SMS' };

/** A span as a test compares it. */
function spanOf(span: ReadableSpan) {
  return {
    name: span.name,
    kind: span.kind,
    status: span.status.code,
    attributes: span.attributes,
  };
}

/** An upstream span the module must have made. */
function upstreamSpan(
  operation: 'send' | 'validate',
  provider: string,
  failure?: Attributes,
): ReturnType<typeof spanOf> {
  return {
    name: `verifynow ${operation}`,
    kind: SpanKind.CLIENT,
    status: failure === undefined ? SpanStatusCode.UNSET : SpanStatusCode.ERROR,
    attributes: {
      [A.provider]: provider,
      [A.operation]: operation,
      [A.channel]: 'SMS',
      [A.outcome]: failure === undefined ? 'ok' : 'error',
      ...failure,
    },
  };
}

/** Live-mode options against a standalone sandbox: VerifyNow first, then Verihubs. */
function liveOptions(sandbox: VerifyNowSandbox, extra: VerifyNowModuleOptions = {}) {
  return {
    customerId: CUSTOMER_ID,
    password: PASSWORD,
    baseUrl: sandbox.url,
    providers: ['verifynow', 'verihubs'],
    verihubs: { appId: APP_ID, apiKey: API_KEY, baseUrl: sandbox.url },
    otpLength: 8,
    tokenRetry: { retries: 0 },
    limits: {
      perPhoneNumber: { limit: 3, ttlSeconds: 600 },
      perClientIp: { limit: 10_000, ttlSeconds: 3600 },
      allowedCountries: ['IN', 'ID'],
    },
    guard: { resolvePhoneNumber: signedInPhone, maxFailedAttempts: 3 },
    ...extra,
  } satisfies VerifyNowModuleOptions;
}

function startApp(options: VerifyNowModuleOptions): Promise<FixtureApp> {
  return boot(
    {
      imports: [AuthModule, VerifyNowModule.forRoot(options)],
      controllers: [OtpController, GuardedAccountController],
      providers: OTP_HTTP_PROVIDERS,
    },
    { platform: 'express', logger },
  );
}

// ---------------------------------------------------------------------------

describe('OpenTelemetry metrics and spans from real calls', () => {
  let otel: OtelHarness;
  let sandbox: VerifyNowSandbox;
  let app: FixtureApp;
  let http: OtpClient;

  beforeAll(async () => {
    otel = installOtel();
    sandbox = await VerifyNowSandbox.start({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      verihubs: { appId: APP_ID, apiKey: API_KEY },
    });
    app = await startApp(liveOptions(sandbox));
    http = otpClient(app);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await otel.uninstall();
  });

  /** Runs `work`, then tells how each metric named moved and which spans ended meanwhile. */
  async function observe(
    names: string[],
    work: () => Promise<void>,
  ): Promise<{ moved: Record<string, Record<string, number>>; spans: ReadableSpan[] }> {
    const before: Reading[][] = await Promise.all(names.map((name) => otel.readings(name)));
    const spansBefore = otel.spans().length;
    await work();
    // Metrics are recorded when an event is raised, spans end with the upstream
    // call: both before the HTTP answer is written.
    const after = await Promise.all(names.map((name) => otel.readings(name)));
    return {
      moved: Object.fromEntries(names.map((name, i) => [name, movement(before[i], after[i])])),
      spans: otel.spans().slice(spansBefore),
    };
  }

  it('counts sends by outcome, with a span and a duration per upstream call (error attributes when it fails)', async () => {
    const phone = newPhone();
    const { moved, spans } = await observe([M.otpSends.name, M.upstreamDuration.name], async () => {
      const first = await http.send(phone);
      expect([first.status, first.body.alreadyPending]).toEqual([200, false]);
      issued(sandbox, phone, first.body.verificationId);
      for (let i = 0; i < 2; i += 1) {
        expect((await http.send(phone)).body.alreadyPending).toBe(true);
      }
      expect((await http.send(phone)).body.error).toBe('TOO_MANY_OTP_REQUESTS');
      expect((await http.send(used('+4915123456789'))).body.error).toBe('OTP_COUNTRY_NOT_ALLOWED');
      expect((await http.send(used(MAGIC.refused))).body.error).toBe('BAD_REQUEST');
      expect((await http.send(used(MAGIC.down))).body.error).toBe('UPSTREAM_UNAVAILABLE');
    });

    expect(moved[M.otpSends.name]).toEqual(
      expected([
        [{ ...VN_SMS, [A.outcome]: 'sent' }, 1],
        [{ ...VN_SMS, [A.outcome]: 'pending' }, 2],
        // Refused before any upstream call: no provider.
        [{ [A.channel]: 'SMS', [A.outcome]: 'refused', [A.errorType]: 'TOO_MANY_OTP_REQUESTS' }, 1],
        [
          { [A.channel]: 'SMS', [A.outcome]: 'refused', [A.errorType]: 'OTP_COUNTRY_NOT_ALLOWED' },
          1,
        ],
        [{ ...VN_SMS, [A.outcome]: 'failed', [A.errorType]: 'BAD_REQUEST' }, 1],
        [{ ...VN_SMS, [A.outcome]: 'failed', [A.errorType]: 'UPSTREAM_UNAVAILABLE' }, 1],
      ]),
    );
    const send = { [A.provider]: 'verifynow', [A.operation]: 'send' };
    expect(moved[M.upstreamDuration.name]).toEqual(
      expected([
        [{ ...send, [A.outcome]: 'ok' }, 3],
        [{ ...send, [A.outcome]: 'error', [A.errorType]: 'BAD_REQUEST' }, 1],
        [{ ...send, [A.outcome]: 'error', [A.errorType]: 'UPSTREAM_UNAVAILABLE' }, 1],
      ]),
    );
    expect(spans.map(spanOf)).toEqual([
      upstreamSpan('send', 'verifynow'),
      upstreamSpan('send', 'verifynow'),
      upstreamSpan('send', 'verifynow'),
      upstreamSpan('send', 'verifynow', {
        [A.errorType]: 'BAD_REQUEST',
        [A.responseCode]: 400,
        [A.httpStatusCode]: 400,
      }),
      upstreamSpan('send', 'verifynow', {
        [A.errorType]: 'UPSTREAM_UNAVAILABLE',
        [A.httpStatusCode]: 503,
      }),
    ]);
    for (const span of spans) {
      expect(span.instrumentationScope.name).toBe(TELEMETRY_SCOPE);
      expect(span.ended).toBe(true);
    }
    expect(spans[4].status.message).toBe('UPSTREAM_UNAVAILABLE');
    const durations = await otel.readings(M.upstreamDuration.name);
    expect(durations.length).toBeGreaterThan(0);
  });

  it('counts a failover, with the failed VerifyNow span and the Verihubs one that sent', async () => {
    const phone = used(MAGIC.failover);
    const { moved, spans } = await observe(
      [M.otpFailovers.name, M.otpSends.name, M.upstreamDuration.name],
      async () => {
        const answer = await http.send(phone);
        expect(answer.status).toBe(200);
        issued(sandbox, phone, answer.body.verificationId);
      },
    );

    expect(moved[M.otpFailovers.name]).toEqual(
      expected([
        [
          {
            [A.provider]: 'verifynow',
            [A.failoverTo]: 'verihubs',
            [A.errorType]: 'UPSTREAM_RATE_LIMITED',
          },
          1,
        ],
      ]),
    );
    expect(moved[M.otpSends.name]).toEqual(expected([[{ ...VH_SMS, [A.outcome]: 'sent' }, 1]]));
    expect(moved[M.upstreamDuration.name]).toEqual(
      expected([
        [
          {
            [A.provider]: 'verifynow',
            [A.operation]: 'send',
            [A.outcome]: 'error',
            [A.errorType]: 'UPSTREAM_RATE_LIMITED',
          },
          1,
        ],
        [{ [A.provider]: 'verihubs', [A.operation]: 'send', [A.outcome]: 'ok' }, 1],
      ]),
    );
    expect(spans.map(spanOf)).toEqual([
      upstreamSpan('send', 'verifynow', {
        [A.errorType]: 'UPSTREAM_RATE_LIMITED',
        [A.httpStatusCode]: 429,
      }),
      upstreamSpan('send', 'verihubs'),
    ]);
  });

  it('counts validations by outcome and locks, with a span per upstream validation', async () => {
    const good = newPhone();
    const locked = newPhone();
    const late = used(MAGIC.expires);
    const sent = async (phone: string): Promise<Proof> =>
      issued(sandbox, phone, (await http.send(phone)).body.verificationId);
    const [goodProof, lockedProof, lateProof] = [
      await sent(good),
      await sent(locked),
      await sent(late),
    ];

    const { moved, spans } = await observe(
      [M.otpValidations.name, M.otpLocks.name, M.upstreamDuration.name],
      async () => {
        const { verificationId, code } = goodProof;
        expect((await http.verify(verificationId, wrongCode(code))).body.error).toBe(
          'WRONG_OTP_PROVIDED',
        );
        expect((await http.verify(verificationId, code)).body.status).toBe(
          'VERIFICATION_COMPLETED',
        );
        for (let i = 0; i < 3; i += 1) {
          await http.verify(lockedProof.verificationId, wrongCode(lockedProof.code));
        }
        expect((await http.verify(lockedProof.verificationId, lockedProof.code)).body.error).toBe(
          'OTP_TOO_MANY_ATTEMPTS',
        );
        expect((await http.verify(lateProof.verificationId, lateProof.code)).status).toBe(410);
        expect((await http.verify('31337', '12345678')).body.error).toBe('OTP_UNKNOWN');
      },
    );

    expect(moved[M.otpValidations.name]).toEqual(
      expected([
        [{ ...VN_SMS, [A.outcome]: 'wrong_code' }, 4],
        [{ ...VN_SMS, [A.outcome]: 'verified' }, 1],
        [{ ...VN_SMS, [A.outcome]: 'refused', [A.errorType]: 'OTP_TOO_MANY_ATTEMPTS' }, 1],
        [{ ...VN_SMS, [A.outcome]: 'expired' }, 1],
        // Not in the ledger: neither provider nor channel is known.
        [{ [A.outcome]: 'refused', [A.errorType]: 'OTP_UNKNOWN' }, 1],
      ]),
    );
    expect(moved[M.otpLocks.name]).toEqual(expected([[VN_SMS, 1]]));
    const validate = { [A.provider]: 'verifynow', [A.operation]: 'validate' };
    expect(moved[M.upstreamDuration.name]).toEqual(
      expected([
        [{ ...validate, [A.outcome]: 'error', [A.errorType]: 'WRONG_OTP_PROVIDED' }, 4],
        [{ ...validate, [A.outcome]: 'ok' }, 1],
        [{ ...validate, [A.outcome]: 'error', [A.errorType]: 'VERIFICATION_EXPIRED' }, 1],
      ]),
    );
    // The ledger refuses the locked and the unknown verification without an upstream call.
    const wrong = upstreamSpan('validate', 'verifynow', {
      [A.errorType]: 'WRONG_OTP_PROVIDED',
      [A.responseCode]: 702,
      [A.httpStatusCode]: 200,
    });
    expect(spans.map(spanOf)).toEqual([
      wrong,
      upstreamSpan('validate', 'verifynow'),
      wrong,
      wrong,
      wrong,
      upstreamSpan('validate', 'verifynow', {
        [A.errorType]: 'VERIFICATION_EXPIRED',
        [A.responseCode]: 705,
        [A.httpStatusCode]: 200,
      }),
    ]);
  });

  it('counts one lock for a verification the upstream locked (800), however often it is tried again', async () => {
    const phone = used(MAGIC.upstreamLocks);
    const proof = issued(sandbox, phone, (await http.send(phone)).body.verificationId);
    const { moved } = await observe([M.otpLocks.name, M.otpValidations.name], async () => {
      for (let i = 0; i < 2; i += 1) {
        expect((await http.verify(proof.verificationId, proof.code)).status).toBeGreaterThanOrEqual(
          400,
        );
      }
    });

    expect(moved[M.otpValidations.name]).toEqual(
      expected([
        // Tried again, the ledger refuses it itself: the upstream locked it.
        [{ ...VN_SMS, [A.outcome]: 'refused', [A.errorType]: 'MAXIMUM_LIMIT_REACHED' }, 1],
        [{ ...VN_SMS, [A.outcome]: 'refused', [A.errorType]: 'OTP_TOO_MANY_ATTEMPTS' }, 1],
      ]),
    );
    expect(moved[M.otpLocks.name]).toEqual(expected([[VN_SMS, 1]]));
  });

  it('counts step-up decisions: challenged, passed, refused by code', async () => {
    const passing = newPhone();
    const failing = newPhone();
    const { moved } = await observe([M.stepUpDecisions.name], async () => {
      const challenge = async (phone: string): Promise<Proof> => {
        const answer = await http.guarded('/account/transfer', phone);
        expect([answer.status, answer.body.error]).toEqual([401, 'OTP_REQUIRED']);
        return issued(sandbox, phone, answer.body.verificationId);
      };
      const proof = await challenge(passing);
      expect((await http.guarded('/account/transfer', passing, proof)).status).toBe(200);
      const other = await challenge(failing);
      const refused = await http.guarded('/account/transfer', failing, {
        ...other,
        code: wrongCode(other.code),
      });
      expect(refused.body.error).toBe('OTP_INVALID');
      expect((await http.guarded('/account/password', passing)).body.error).toBe('OTP_REQUIRED');
    });

    expect(moved[M.stepUpDecisions.name]).toEqual(
      expected([
        [{ [A.outcome]: 'challenged' }, 2],
        [{ [A.outcome]: 'passed' }, 1],
        [{ [A.outcome]: 'refused', [A.refusalCode]: 'OTP_INVALID' }, 1],
        [{ [A.outcome]: 'refused', [A.refusalCode]: 'OTP_REQUIRED' }, 1],
      ]),
    );
  });

  it('never puts a phone number, a code, a verification id or a credential in an attribute', async () => {
    const texts: string[] = [];
    const numbers: number[] = [];
    const keys = new Set<string>();
    const add = (attributes: Attributes): void => {
      for (const [key, value] of Object.entries(attributes)) {
        keys.add(key);
        if (typeof value === 'number') numbers.push(value);
        else texts.push(String(value));
      }
    };
    const metrics = await otel.collect();
    for (const metric of metrics) {
      for (const point of metric.dataPoints as { attributes: Attributes }[]) {
        add(point.attributes);
      }
    }
    const spans = otel.spans();
    for (const span of spans) {
      add(span.attributes);
      texts.push(span.name, span.status.message ?? '');
      for (const event of span.events) add(event.attributes ?? {});
    }

    expect(metrics.length).toBeGreaterThanOrEqual(6);
    expect(spans.length).toBeGreaterThanOrEqual(10);
    expect(secrets.phones.size).toBeGreaterThanOrEqual(8);
    expect(secrets.codes.size).toBeGreaterThanOrEqual(6);
    expect(secrets.verificationIds.size).toBeGreaterThanOrEqual(6);
    // Only the module's own attribute keys: nothing else can hold data.
    expect([...keys].filter((key) => !Object.values(A).includes(key as never))).toEqual([]);
    const text = texts.join('\n');
    for (const secret of [CUSTOMER_ID, PASSWORD, KEY, APP_ID, API_KEY, 'eyJ']) {
      expect(text).not.toContain(secret);
    }
    for (const phone of secrets.phones) {
      const digits = phone.replace(/\D/g, '');
      expect(text).not.toContain(digits.slice(-9));
      expect(text).not.toContain(phone.slice(-4).padStart(5, '*'));
    }
    for (const value of [...secrets.codes, ...secrets.verificationIds]) {
      expect(text).not.toContain(value);
      expect(numbers).not.toContain(Number(value));
    }
  });
});

// ---------------------------------------------------------------------------

describe('telemetry: false', () => {
  let otel: OtelHarness;
  let sandbox: VerifyNowSandbox;

  beforeAll(async () => {
    otel = installOtel();
    sandbox = await VerifyNowSandbox.start({
      customerId: CUSTOMER_ID,
      password: PASSWORD,
      verihubs: { appId: APP_ID, apiKey: API_KEY },
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await otel.uninstall();
  });

  /** A send, a wrong code, the right one and a step-up refusal. */
  async function exercise(app: FixtureApp): Promise<void> {
    const http = otpClient(app);
    const phone = newPhone();
    const proof = issued(sandbox, phone, (await http.send(phone)).body.verificationId);
    await http.verify(proof.verificationId, wrongCode(proof.code));
    expect((await http.verify(proof.verificationId, proof.code)).body.status).toBe(
      'VERIFICATION_COMPLETED',
    );
    expect((await http.guarded('/account/transfer', newPhone())).body.error).toBe('OTP_REQUIRED');
  }

  it('records no metric and no span; the same calls with telemetry on record both', async () => {
    const off = await startApp(liveOptions(sandbox, { telemetry: false }));
    try {
      await exercise(off);
    } finally {
      await off.close();
    }
    const points = (await otel.collect()).flatMap(({ dataPoints }) => dataPoints as unknown[]);
    expect(points).toEqual([]);
    expect(otel.spans()).toEqual([]);

    // The same SDK, the same calls, telemetry on (the default): both are recorded.
    const on = await startApp(liveOptions(sandbox));
    try {
      await exercise(on);
    } finally {
      await on.close();
    }
    expect((await otel.readings(M.otpSends.name)).length).toBeGreaterThan(0);
    expect((await otel.readings(M.otpValidations.name)).length).toBeGreaterThan(0);
    expect((await otel.readings(M.stepUpDecisions.name)).length).toBeGreaterThan(0);
    expect(otel.spans().length).toBeGreaterThanOrEqual(4);
  });
});
