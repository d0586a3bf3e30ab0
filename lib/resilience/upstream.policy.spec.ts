import {
  VerifyNowAuthenticationException,
  VerifyNowCircuitOpenException,
  VerifyNowRateLimitException,
  VerifyNowUnavailableException,
} from '../http/upstream.exceptions';
import { WrongOtpProvidedException } from '../providers/verifynow/verifynow-code.exceptions';
import { Deadline } from './call.deadline';
import {
  UpstreamPolicy,
  UpstreamPolicySettings,
  backoffDelayMs,
  isRetryable,
  upstreamCircuitBreaker,
} from './upstream.policy';

const unavailable = (): VerifyNowUnavailableException =>
  new VerifyNowUnavailableException('request failed (ECONNRESET)');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the idempotent retry rule', () => {
  const settings = { retries: 3, baseDelayMs: 200, maxDelayMs: 1000 };

  it('doubles from the base delay, capped, with equal jitter', () => {
    const low = (attempt: number) => backoffDelayMs(unavailable(), attempt, settings, () => 0);
    const high = (attempt: number) => backoffDelayMs(unavailable(), attempt, settings, () => 1);
    expect([1, 2, 3, 4, 5].map(low)).toEqual([100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5].map(high)).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('honours Retry-After when it fits, and gives up when it asks for too long', () => {
    const asking = (seconds?: number) =>
      new VerifyNowRateLimitException({ retryAfterSeconds: seconds });
    expect(isRetryable(asking(1), settings)).toBe(true);
    expect(backoffDelayMs(asking(1), 1, settings)).toBe(1000);
    expect(isRetryable(asking(30), settings)).toBe(false);
    expect(isRetryable(asking(), settings)).toBe(true);
    expect(backoffDelayMs(asking(), 1, settings, () => 0)).toBe(100);
  });

  it('never retries what a retry cannot fix', () => {
    for (const error of [
      new VerifyNowAuthenticationException('password is wrong'),
      new WrongOtpProvidedException(),
      new VerifyNowCircuitOpenException(30),
      new Error('bug'),
    ]) {
      expect(isRetryable(error, settings)).toBe(false);
    }
    expect(isRetryable(unavailable(), settings)).toBe(true);
  });
});

function policyWith(
  overrides: Partial<UpstreamPolicySettings['tokenRetry']> = {},
  breaker = upstreamCircuitBreaker(undefined),
): UpstreamPolicy {
  const settings: UpstreamPolicySettings = {
    timeoutMs: 1_000,
    tokenRetry: { retries: 3, baseDelayMs: 2, maxDelayMs: 8, ...overrides },
  };
  return new UpstreamPolicy(settings, breaker, null, () => 0);
}

describe('UpstreamPolicy.idempotent', () => {
  it('tries a passing failure again up to `retries` times, then fails with it', async () => {
    let calls = 0;
    const error = await policyWith()
      .idempotent('token', Deadline.after(1_000), () => {
        calls += 1;
        return Promise.reject(unavailable());
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowUnavailableException);
    expect(calls).toBe(4);
  });

  it('returns the first success, and never retries what a retry cannot fix', async () => {
    let calls = 0;
    const policy = policyWith();
    await expect(
      policy.idempotent('token', Deadline.after(1_000), () => {
        calls += 1;
        return calls < 3 ? Promise.reject(unavailable()) : Promise.resolve('token');
      }),
    ).resolves.toBe('token');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      policy.idempotent('token', Deadline.after(1_000), () => {
        calls += 1;
        return Promise.reject(new VerifyNowAuthenticationException('password is wrong'));
      }),
    ).rejects.toBeInstanceOf(VerifyNowAuthenticationException);
    expect(calls).toBe(1);
  });

  it('does not wait for what does not fit in the deadline', async () => {
    let calls = 0;
    const started = performance.now();
    const error = await policyWith({ maxDelayMs: 10_000 })
      .idempotent('token', Deadline.after(300), () => {
        calls += 1;
        return Promise.reject(new VerifyNowRateLimitException({ retryAfterSeconds: 1 }));
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowRateLimitException);
    expect(performance.now() - started).toBeLessThan(150);
    expect(calls).toBe(1);
  });

  it('ends a backoff wait at once when stopped, and sends nothing after', async () => {
    let calls = 0;
    const stop = new AbortController();
    const failure = unavailable();
    const pending = policyWith({ baseDelayMs: 400, maxDelayMs: 400 })
      .idempotent(
        'token',
        Deadline.after(5_000),
        () => {
          calls += 1;
          return Promise.reject(failure);
        },
        stop.signal,
      )
      .catch((e: unknown) => e);
    await sleep(20);
    const started = performance.now();
    stop.abort();
    expect(await pending).toBe(failure);
    expect(performance.now() - started).toBeLessThan(100);
    await sleep(400);
    expect(calls).toBe(1);
  });

  it('ends at its deadline, whatever the call is doing', async () => {
    const started = performance.now();
    const error = await policyWith()
      .idempotent('token', Deadline.after(100), () => new Promise<never>(() => undefined))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowUnavailableException);
    expect((error as Error).message).toContain('no answer within 100 ms');
    expect(performance.now() - started).toBeLessThan(300);
  });
});

describe('UpstreamPolicy.request', () => {
  const answer = (status: number, json: unknown) => ({ status, json });
  const failing = (code: string) => () => {
    throw Object.assign(new Error(`connect ${code} http://x/?code=123456`), { code });
  };

  it('sends again once, and only when the connection provably failed', async () => {
    const policy = policyWith();
    for (const [code, sends] of [
      ['ECONNREFUSED', 2],
      ['ECONNRESET', 1],
    ] as const) {
      const send = jest.fn(failing(code));
      const error = await policy
        .request('send', Deadline.after(1_000), send)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerifyNowUnavailableException);
      expect((error as Error).message).toContain(`request failed (${code})`);
      expect((error as Error).message).not.toContain('123456');
      expect(send).toHaveBeenCalledTimes(sends);
    }
  });

  it('aborts an attempt at timeoutMs or the deadline, whichever comes first', async () => {
    const started = performance.now();
    const error = await policyWith()
      .request(
        'validate',
        Deadline.after(150),
        (signal) =>
          new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('canceled'))),
          ),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyNowUnavailableException);
    expect((error as Error).message).toMatch(/no answer within 1[45]\d ms/);
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('opens the breaker on transport failures only, then fails fast', async () => {
    const breaker = upstreamCircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 30_000 });
    const policy = policyWith({}, breaker);
    const call = (status: number, json: unknown) =>
      policy.request('send', Deadline.after(1_000), () => Promise.resolve(answer(status, json)));
    for (let i = 0; i < 5; i += 1) {
      await call(200, { responseCode: 800 });
      await call(401, {});
    }
    expect(breaker.state).toBe('closed');
    await call(500, {});
    await call(200, undefined);
    expect(breaker.state).toBe('open');
    const send = jest.fn(() => Promise.resolve(answer(200, {})));
    await expect(policy.request('send', Deadline.after(1_000), send)).rejects.toBeInstanceOf(
      VerifyNowCircuitOpenException,
    );
    expect(send).not.toHaveBeenCalled();
  });
});
