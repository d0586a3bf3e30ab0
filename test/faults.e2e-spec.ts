import { Controller, Get, Module } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  MaximumLimitReachedException,
  VerifyNowAuthenticationException,
  VerifyNowCircuitOpenException,
  VerifyNowException,
  VerifyNowHealthIndicator,
  VerifyNowModule,
  VerifyNowModuleOptions,
  VerifyNowOverloadedException,
  VerifyNowRateLimitException,
  VerifyNowService,
  VerifyNowUnavailableException,
} from '../lib';
import { CapturingLogger } from './helpers/capturing-logger';
import { CUSTOMER_ID, Fault, FaultyUpstream } from './helpers/faulty-upstream';
import { request } from './helpers/http';
import { OpenHandles } from './helpers/open-handles';
import { PLATFORMS } from './helpers/otp-app';
import { VerifyNowContext, createVerifyNow, recordSent } from './helpers/verifynow-context';

const PASSWORD = 'faults-password';
const TIMEOUT_MS = 400;
/** How late past the deadline an answer may come on a busy 2-core machine. */
const MARGIN_MS = 350;
const SEND = '/verification/v3/send';
const VALIDATE = '/verification/v3/validateOtp';
const TOKEN = '/auth/v1/authentication/token';

type ErrorClass = abstract new (...args: never[]) => VerifyNowException;

interface FaultCase {
  fault: Fault;
  error: ErrorClass;
  /** Requests the upstream reads on the faulty path per call. */
  reads: number;
  /** Whether the call waits for the deadline. */
  waitsForDeadline?: boolean;
}

const FAULTS: FaultCase[] = [
  { fault: 'slow', error: VerifyNowUnavailableException, reads: 1, waitsForDeadline: true },
  { fault: 'silent', error: VerifyNowUnavailableException, reads: 1, waitsForDeadline: true },
  // Reset before the request is read: it may have been written, so it is not sent again.
  { fault: 'reset-before-read', error: VerifyNowUnavailableException, reads: 0 },
  { fault: 'reset-after-read', error: VerifyNowUnavailableException, reads: 1 },
  { fault: 'html-500', error: VerifyNowUnavailableException, reads: 1 },
  { fault: 'truncated-json', error: VerifyNowUnavailableException, reads: 1 },
  { fault: 'malformed-json', error: VerifyNowUnavailableException, reads: 1 },
  { fault: 'error-in-200', error: MaximumLimitReachedException, reads: 1 },
  // The one refresh-and-retry the core allows; both refused, so nothing was sent.
  { fault: '401-forever', error: VerifyNowAuthenticationException, reads: 2 },
  { fault: '429-retry-after', error: VerifyNowRateLimitException, reads: 1 },
  { fault: 'drip', error: VerifyNowUnavailableException, reads: 1, waitsForDeadline: true },
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

function options(
  upstream: FaultyUpstream,
  extra: VerifyNowModuleOptions = {},
): VerifyNowModuleOptions {
  return {
    customerId: CUSTOMER_ID,
    password: PASSWORD,
    baseUrl: upstream.url,
    timeoutMs: TIMEOUT_MS,
    circuitBreaker: false,
    tokenRetry: { retries: 0 },
    limits: false,
    ...extra,
  };
}

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => OpenHandles.stopAll());
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe.each(['sendOtp', 'validateOtp'] as const)('%s against a faulty upstream', (method) => {
  const path = method === 'sendOtp' ? SEND : VALIDATE;
  const call = (context: VerifyNowContext) =>
    method === 'sendOtp'
      ? context.service.sendOtp({ phoneNumber: '+919999900001' })
      : recordSent(context, '7001').then(() =>
          context.service.validateOtp({ verificationId: '7001', code: '123456' }),
        );

  it.each(FAULTS)(
    '$fault: $error.name within the deadline, $reads read, nothing left open',
    async (testCase) => {
      const handles = OpenHandles.track();
      const upstream = await FaultyUpstream.start();
      const context = await createVerifyNow(options(upstream));
      try {
        await context.tokens.getToken();
        upstream.fault = testCase.fault;
        await upstream.dropConnections();
        upstream.resetCounts();

        const started = performance.now();
        const error = await call(context).catch((e: unknown) => e);
        const elapsed = performance.now() - started;

        expect(error).toBeInstanceOf(testCase.error);
        expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        if (testCase.waitsForDeadline) {
          expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
        }
        expect(upstream.received(path)).toBe(testCase.reads);
        if (testCase.fault === 'reset-before-read') {
          expect(upstream.connections).toBe(1);
        }
        if (testCase.fault === '429-retry-after') {
          expect((error as VerifyNowRateLimitException).retryAfterSeconds).toBe(7);
        }
        for (const text of [
          inspect(error, { depth: 10, showHidden: true }),
          JSON.stringify(error),
        ]) {
          expect(text).not.toContain(PASSWORD);
          expect(text).not.toContain('123456');
          expect(text).not.toContain('9999900001');
          expect(text).not.toContain(await context.tokens.getToken().catch(() => 'no token'));
        }
      } finally {
        await context.close();
        await upstream.close();
      }
      await handles.expectNothingLeftOpen();
    },
  );
});

describe('a connection that provably failed', () => {
  it('is tried once more, and only once', async () => {
    const upstream = await FaultyUpstream.start();
    const url = upstream.url;
    await upstream.close();
    const context = await createVerifyNow({
      authToken: 'pre-issued-token-123',
      baseUrl: url,
      timeoutMs: TIMEOUT_MS,
      circuitBreaker: false,
      limits: false,
    });
    try {
      const error = await context.service
        .sendOtp({ phoneNumber: '+919999900001' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerifyNowUnavailableException);
      expect((error as Error).message).toContain('ECONNREFUSED');
      const retries = context.logger.lines.filter((line) =>
        line.includes("event: 'verifynow.retry'"),
      );
      expect(retries).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
});

describe('the token request', () => {
  it.each<[Fault, number]>([
    ['html-500', 4],
    ['429-retry-after', 1],
  ])(
    'after %s, is tried up to 3 more times, honouring Retry-After only when it is short',
    async (fault, reads) => {
      const upstream = await FaultyUpstream.start();
      upstream.fault = fault;
      upstream.faultyToken = true;
      const context = await createVerifyNow(
        options(upstream, { tokenRetry: { retries: 3, baseDelayMs: 10, maxDelayMs: 100 } }),
      );
      try {
        const error = await context.tokens.getToken().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VerifyNowException);
        // Retry-After: 7 asks for longer than maxDelayMs (100): no retry.
        expect(upstream.received(TOKEN)).toBe(reads);
      } finally {
        await context.close();
        await upstream.close();
      }
    },
  );

  it('waits as Retry-After asks when it fits in the deadline', async () => {
    const upstream = await FaultyUpstream.start();
    upstream.fault = '429-retry-after';
    upstream.retryAfterSeconds = 1;
    upstream.faultyToken = true;
    const context = await createVerifyNow(
      options(upstream, {
        timeoutMs: 3_000,
        tokenRetry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10_000 },
      }),
    );
    try {
      const started = performance.now();
      setTimeout(() => {
        upstream.fault = 'healthy';
      }, 100);
      await expect(context.tokens.getToken()).resolves.toEqual(expect.any(String));
      expect(performance.now() - started).toBeGreaterThanOrEqual(990);
      expect(upstream.received(TOKEN)).toBe(2);
    } finally {
      await context.close();
      await upstream.close();
    }
  });

  it('does not wait for a Retry-After that outlasts the deadline: the call ends within timeoutMs', async () => {
    const upstream = await FaultyUpstream.start();
    upstream.fault = '429-retry-after';
    upstream.retryAfterSeconds = 1;
    upstream.faultyToken = true;
    const context = await createVerifyNow(
      options(upstream, { tokenRetry: { retries: 3, baseDelayMs: 10, maxDelayMs: 10_000 } }),
    );
    try {
      const started = performance.now();
      const error = await context.tokens.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerifyNowRateLimitException);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      expect(upstream.received(TOKEN)).toBe(1);
    } finally {
      await context.close();
      await upstream.close();
    }
  });

  it('stops waiting to retry when the application closes', async () => {
    const handles = OpenHandles.track();
    const upstream = await FaultyUpstream.start();
    upstream.fault = 'html-500';
    upstream.faultyToken = true;
    const context = await createVerifyNow(
      options(upstream, { tokenRetry: { retries: 3, baseDelayMs: 5_000, maxDelayMs: 5_000 } }),
    );
    const pending = context.tokens.getToken().catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await context.close();
    expect(await pending).toBeInstanceOf(VerifyNowUnavailableException);
    expect(performance.now() - started).toBeLessThan(1_000);
    await upstream.close();
    await handles.expectNothingLeftOpen();
  });
});

describe('the circuit breaker', () => {
  let upstream: FaultyUpstream;
  let context: VerifyNowContext;

  beforeEach(async () => {
    upstream = await FaultyUpstream.start();
    context = await createVerifyNow(
      options(upstream, {
        authToken: 'pre-issued-token-123',
        password: undefined,
        customerId: undefined,
        circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 30_000 },
      }),
    );
  });
  afterEach(async () => {
    jest.useRealTimers();
    await context.close();
    await upstream.close();
  });

  const send = () =>
    context.service.sendOtp({ phoneNumber: '+919999900001' }).catch((e: unknown) => e);

  it('opens after consecutive failures and recovers through a half-open probe, under fake time', async () => {
    // Only Date is faked: sockets and deadlines keep real time.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
      now: new Date('2026-11-22T12:00:00Z'),
    });
    upstream.fault = 'html-500';
    for (let i = 0; i < 3; i += 1) {
      expect(await send()).toBeInstanceOf(VerifyNowUnavailableException);
    }
    expect(upstream.received(SEND)).toBe(3);
    const open = (await send()) as VerifyNowCircuitOpenException;
    expect(open).toBeInstanceOf(VerifyNowCircuitOpenException);
    expect(open.retryAfterSeconds).toBe(30);
    expect(upstream.received(SEND)).toBe(3);

    jest.setSystemTime(new Date('2026-11-22T12:00:29Z'));
    expect(await send()).toBeInstanceOf(VerifyNowCircuitOpenException);
    expect(upstream.received(SEND)).toBe(3);

    // The probe fails: open again for another 30 s.
    jest.setSystemTime(new Date('2026-11-22T12:00:31Z'));
    expect(await send()).toBeInstanceOf(VerifyNowUnavailableException);
    expect(upstream.received(SEND)).toBe(4);
    expect(await send()).toBeInstanceOf(VerifyNowCircuitOpenException);

    // The next probe succeeds: closed again.
    upstream.fault = 'healthy';
    jest.setSystemTime(new Date('2026-11-22T12:01:02Z'));
    expect(await send()).toMatchObject({ alreadyPending: false });
    expect(await send()).toMatchObject({ alreadyPending: false });
    // Three failures, the failed probe, the good probe, one more call.
    expect(upstream.received(SEND)).toBe(6);
  });

  it('never counts business answers as failures', async () => {
    upstream.fault = 'error-in-200';
    for (let i = 0; i < 10; i += 1) {
      expect(await send()).toBeInstanceOf(MaximumLimitReachedException);
    }
    expect(upstream.received(SEND)).toBe(10);
  });

  it('lets 1,000 concurrent calls fail fast while open, none reaching the upstream', async () => {
    upstream.fault = 'html-500';
    for (let i = 0; i < 3; i += 1) await send();
    upstream.resetCounts();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 1000 }, send));
    const elapsed = performance.now() - started;
    expect(results.every((result) => result instanceof VerifyNowCircuitOpenException)).toBe(true);
    expect(upstream.received(SEND)).toBe(0);
    expect(upstream.connections).toBe(0);
    // Far below a single deadline: nothing waited on the network or the rate cap.
    expect(elapsed).toBeLessThan(TIMEOUT_MS);
  });
});

describe('the outbound rate cap', () => {
  it('lets 5 calls start per second, queues 3, refuses the rest at once with 503', async () => {
    const upstream = await FaultyUpstream.start();
    const started: number[] = [];
    const context = await createVerifyNow(
      options(upstream, {
        authToken: 'pre-issued-token-123',
        password: undefined,
        customerId: undefined,
        timeoutMs: 3_000,
        maxRequestsPerSecond: 5,
        maxQueuedRequests: 3,
      }),
    );
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          context.service.sendOtp({ phoneNumber: '+919999900001' }).then(
            (result) => {
              started.push(performance.now());
              return result;
            },
            (e: unknown) => e,
          ),
        ),
      );
      const refused = results.filter((result) => result instanceof VerifyNowOverloadedException);
      expect(refused).toHaveLength(2);
      expect(refused[0].getResponse()).toMatchObject({
        statusCode: 503,
        error: 'OUTBOUND_QUEUE_FULL',
      });
      expect(upstream.received(SEND)).toBe(8);
      started.sort((a, b) => a - b);
      // The 6th start waited for the first to leave the one-second window.
      expect(started[5] - started[0]).toBeGreaterThanOrEqual(900);
    } finally {
      await context.close();
      await upstream.close();
    }
  });
});

describe.each(PLATFORMS)('VerifyNowHealthIndicator with @nestjs/terminus (%s)', (platform) => {
  it('reports up, then down with the breaker open, over HTTP', async () => {
    const upstream = await FaultyUpstream.start();
    @Controller('health')
    class HealthController {
      constructor(
        private readonly health: HealthCheckService,
        private readonly verifyNow: VerifyNowHealthIndicator,
      ) {}
      @Get()
      @HealthCheck()
      check() {
        return this.health.check([() => this.verifyNow.isHealthy()]);
      }
    }
    @Module({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        VerifyNowModule.forRoot(
          options(upstream, {
            circuitBreaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
          }),
        ),
      ],
      controllers: [HealthController],
    })
    class HealthAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [HealthAppModule] })
      .setLogger(new CapturingLogger())
      .compile();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    try {
      const up = await request(`${url}/health`);
      expect(up.status).toBe(200);
      const rateCap = { scope: 'instance', perSecond: 50, waiting: 0, status: 'up' };
      const fine = { status: 'up', breaker: 'closed', token: 'available', rateCap };
      const store = { kind: 'memory', status: 'up' };
      expect(up.body.info).toEqual({
        verifynow: { ...fine, mode: 'live', providers: { verifynow: fine }, store },
      });
      upstream.fault = 'html-500';
      for (let i = 0; i < 2; i += 1) {
        await app
          .get(VerifyNowService)
          .sendOtp({ phoneNumber: '+919999900001' })
          .catch(() => undefined);
      }
      const down = await request(`${url}/health`);
      expect(down.status).toBe(503);
      const open = {
        status: 'down',
        breaker: 'open',
        token: 'not checked',
        reason: 'CIRCUIT_OPEN',
        rateCap,
      };
      expect(down.body.error).toEqual({
        verifynow: { ...open, mode: 'live', providers: { verifynow: open }, store },
      });
    } finally {
      await app.close();
      await upstream.close();
    }
  });
});
