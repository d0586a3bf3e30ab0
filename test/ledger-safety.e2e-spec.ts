import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  InMemoryVerifyNowStore,
  VerifyNowSandbox,
  VerifyNowTokenProvider,
  VerifyNowUnavailableException,
} from '../lib';
import { CUSTOMER_ID, FaultyUpstream } from './helpers/faulty-upstream';
import { PLATFORMS } from './helpers/otp-app';
import { freshPhone, startStepUpApp } from './helpers/step-up-app';
import { createVerifyNow } from './helpers/verifynow-context';
import { freePort } from './helpers/free-port';

const TIMEOUT_MS = 1_000;
/** How late past the deadline an answer may come on a busy 2-core machine. */
const MARGIN_MS = 600;

describe.each(PLATFORMS)('a guarded request when the token endpoint stalls (%s)', (platform) => {
  it('ends within timeoutMs, and its proof is never admitted twice while in flight', async () => {
    const upstream = await FaultyUpstream.start();
    const app = await startStepUpApp(
      {
        customerId: CUSTOMER_ID,
        password: 'stall-password',
        baseUrl: upstream.url,
        timeoutMs: TIMEOUT_MS,
        tokenRetry: { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
        circuitBreaker: false,
        limits: false,
      },
      { platform },
    );
    try {
      const phone = freshPhone();
      const challenged = await app.call('/account/transfer', phone);
      expect(challenged.status).toBe(401);
      // The healthy fault upstream confirms any code.
      const proof = { verificationId: challenged.body.verificationId as string, code: '123456' };

      const tokens = app.app.get(VerifyNowTokenProvider);
      tokens.invalidate(await tokens.getToken());
      upstream.faultyToken = true;
      upstream.fault = 'silent';

      const started = performance.now();
      const first = app.call('/account/transfer', phone, proof);
      await sleep(150);
      const second = await app.call('/account/transfer', phone, proof);
      expect([second.status, second.body.error]).toEqual([409, 'OTP_IN_PROGRESS']);
      const stalled = await first;
      const elapsed = performance.now() - started;
      expect([stalled.status, stalled.body.error]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      // Four token tries were allowed; the deadline cut them short.
      expect(upstream.received('/auth/v1/authentication/token')).toBeLessThanOrEqual(3);

      // Nothing was learnt about the code: the same proof passes once the upstream is back.
      upstream.fault = 'healthy';
      upstream.faultyToken = false;
      const passed = await app.call('/account/transfer', phone, proof);
      expect(passed.status).toBe(200);
      const replay = await app.call('/account/transfer', phone, proof);
      expect([replay.status, replay.body.error]).toEqual([409, 'OTP_ALREADY_USED']);
    } finally {
      await app.close();
      await upstream.close();
    }
  });
});

describe('sendOtp when the token endpoint stalls', () => {
  it('ends within timeoutMs, token retries included', async () => {
    const upstream = await FaultyUpstream.start();
    upstream.faultyToken = true;
    upstream.fault = 'silent';
    const context = await createVerifyNow({
      customerId: CUSTOMER_ID,
      password: 'stall-password',
      baseUrl: upstream.url,
      timeoutMs: TIMEOUT_MS,
      tokenRetry: { retries: 3, baseDelayMs: 50, maxDelayMs: 500 },
      circuitBreaker: false,
      limits: false,
    });
    try {
      const started = performance.now();
      const error = await context.service
        .sendOtp({ phoneNumber: '+919999900001' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerifyNowUnavailableException);
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      expect(upstream.received('/verification/v3/send')).toBe(0);
    } finally {
      await context.close();
      await upstream.close();
    }
  });
});

describe('no code goes out unless the ledger can record it', () => {
  let sandbox: VerifyNowSandbox;
  beforeAll(async () => {
    sandbox = await VerifyNowSandbox.start({ customerId: 'C-LEDGER', password: 'ledger' });
  });
  afterAll(() => sandbox.close());

  const live = { customerId: 'C-LEDGER', password: 'ledger', limits: false as const };

  it('refuses with 503 and sends nothing when the Redis ledger is unreachable', async () => {
    const context = await createVerifyNow({
      ...live,
      baseUrl: sandbox.url,
      timeoutMs: TIMEOUT_MS,
      store: { redis: { url: `redis://127.0.0.1:${await freePort()}` } },
    });
    try {
      const before = sandbox.stats().send;
      const error = await context.service
        .sendOtp({ phoneNumber: '+919999900301' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerifyNowUnavailableException);
      expect((error as Error).message).toContain('ledger');
      expect(sandbox.stats().send).toBe(before);
    } finally {
      await context.close();
    }
  });

  it('refuses with 503 and sends nothing when a custom ledger says it cannot be written', async () => {
    const memory = new InMemoryVerifyNowStore();
    const ledger = Object.assign(Object.create(memory) as InMemoryVerifyNowStore, {
      ping: () => Promise.reject(new Error('read-only replica')),
    });
    const context = await createVerifyNow({ ...live, baseUrl: sandbox.url, store: { ledger } });
    try {
      const before = sandbox.stats().send;
      await expect(
        context.service.sendOtp({ phoneNumber: '+919999900302' }),
      ).rejects.toBeInstanceOf(VerifyNowUnavailableException);
      expect(sandbox.stats().send).toBe(before);
    } finally {
      await context.close();
      memory.onApplicationShutdown();
    }
  });
});

describe('the Redis eviction policy at boot', () => {
  const servers: ChildProcess[] = [];
  afterAll(() => {
    for (const server of servers) server.kill();
  });

  it.each([
    ['allkeys-lru', true],
    ['volatile-ttl', true],
    ['noeviction', false],
  ])('maxmemory-policy %s: warns %s', async (policy, warns) => {
    const { url, server } = await startRedis(['--maxmemory-policy', policy]);
    servers.push(server);
    const context = await createVerifyNow({ sandbox: true, store: { redis: { url } } });
    try {
      const warning = context.logger.lines.find((line) => line.includes('maxmemory-policy'));
      if (warns) {
        expect(warning).toContain(`maxmemory-policy is ${policy}`);
        expect(warning).toContain('noeviction');
        expect(warning).toMatch(/^warn /);
      } else {
        expect(warning).toBeUndefined();
      }
    } finally {
      await context.close();
    }
  });
});

/** A throwaway redis-server of this spec's own, on a free port. */
async function startRedis(args: string[]): Promise<{ url: string; server: ChildProcess }> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { cwd: mkdtempSync(join(tmpdir(), 'verifynow-evict-')), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  server.removeAllListeners('exit');
  return { url: `redis://127.0.0.1:${port}`, server };
}
